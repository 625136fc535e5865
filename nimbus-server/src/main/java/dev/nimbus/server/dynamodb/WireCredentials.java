package dev.nimbus.server.dynamodb;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code wire-credentials.json}: the DynamoDB access key generated on first start when no key is
 * configured, bound to tenant {@code default}. Owner-only (0600), like the admin token file.
 * Format: {@code {"dynamodb": {"accessKeyId": "...", "secretAccessKey": "...", "tenant": "default"}}}.
 */
public final class WireCredentials {
    public static final String FILE_NAME = "wire-credentials.json";
    public static final String DEFAULT_TENANT = "default";
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String SECRET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private WireCredentials() {
    }

    /** The stored key as {@code KEY_ID:SECRET:TENANT}, minting and storing one when the file is absent. */
    public static String loadOrMint(Path file) {
        try {
            if (Files.exists(file)) {
                Value v = ValueJson.read(Files.readAllBytes(file));
                Value.Obj d = (Value.Obj) ((Value.Obj) v).get("dynamodb");
                return str(d, "accessKeyId") + ":" + str(d, "secretAccessKey") + ":" + str(d, "tenant");
            }
            SecureRandom r = new SecureRandom();
            StringBuilder id = new StringBuilder("NIMBUS");
            for (int i = 0; i < 14; i++) {
                id.append(ALNUM.charAt(r.nextInt(ALNUM.length())));
            }
            StringBuilder secret = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                secret.append(SECRET.charAt(r.nextInt(SECRET.length())));
            }
            Map<String, Value> d = new LinkedHashMap<>();
            d.put("accessKeyId", Value.of(id.toString()));
            d.put("secretAccessKey", Value.of(secret.toString()));
            d.put("tenant", Value.of(DEFAULT_TENANT));
            String json = ValueJson.write(new Value.Obj(Map.of("dynamodb", new Value.Obj(d))));
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".wire-credentials", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's own protection applies
            }
            Files.writeString(tmp, json + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return id + ":" + secret + ":" + DEFAULT_TENANT;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    private static String str(Value.Obj o, String field) {
        if (!(o.get(field) instanceof Value.Str s)) {
            throw new IllegalStateException("wire-credentials.json lacks dynamodb." + field);
        }
        return s.value();
    }
}
