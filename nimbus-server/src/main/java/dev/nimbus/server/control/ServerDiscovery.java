package dev.nimbus.server.control;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The running-server discovery record: {@value #FILE} in the control data dir, written (mode
 * 0600) once the server listens and removed when it stops gracefully, so local tools such as
 * {@code nimbus token rotate} can find the server that owns a data dir. It names where to
 * connect and which token file authorizes; it never holds the token itself. A record whose
 * process is gone (a crash) is stale and ignored.
 *
 * @param address        base URL to reach the server from this machine ({@code http://127.0.0.1:8080})
 * @param pid            the server's process id
 * @param tokenFile      the admin token file the server uses
 * @param startedAt      when the server started listening
 * @param controlDataDir the control data dir (where this record lives)
 * @param tenantProvider the tenant storage provider ({@code sqlite}, {@code postgres}, {@code mysql})
 * @param version        the server's version
 */
public record ServerDiscovery(String address, long pid, Path tokenFile, Instant startedAt, Path controlDataDir,
                              String tenantProvider, String version) {
    public static final String FILE = "server.json";

    /** Writes the record into its control data dir (atomically, 0600). */
    public void write() {
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("address", Value.of(address));
        m.put("pid", Value.of(pid));
        m.put("token_file", Value.of(tokenFile.toAbsolutePath().toString()));
        m.put("started_at", Value.of(startedAt.toString()));
        m.put("control_data_dir", Value.of(controlDataDir.toAbsolutePath().toString()));
        m.put("tenant_provider", Value.of(tenantProvider));
        m.put("version", Value.of(version));
        Path file = controlDataDir.resolve(FILE);
        Path tmp = controlDataDir.resolve(FILE + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp);
            setOwnerOnly(tmp);
            Files.writeString(tmp, ValueJson.write(new Value.Obj(m)) + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new NimbusException(ErrorCode.STORAGE_IO, "cannot write the discovery record " + file + ": "
                    + e.getMessage());
        }
    }

    /** Removes the record if it is still this one (same pid and start). */
    public void remove() {
        Path file = controlDataDir.resolve(FILE);
        try {
            Optional<ServerDiscovery> current = read(controlDataDir);
            if (current.isPresent() && current.get().pid() == pid && current.get().startedAt().equals(startedAt)) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | RuntimeException e) {
            // a record left behind is stale once this process is gone; readers check the pid
        }
    }

    /** Whether the process that wrote the record still runs. */
    public boolean processAlive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The record in {@code controlDataDir}, if there is a readable one. */
    public static Optional<ServerDiscovery> read(Path controlDataDir) throws IOException {
        Path file = controlDataDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Value v = ValueJson.read(Files.readString(file));
        if (v instanceof Value.Obj o && o.get("address") instanceof Value.Str address
                && o.get("pid") instanceof Value.Int64 pid && o.get("token_file") instanceof Value.Str tokenFile
                && o.get("started_at") instanceof Value.Str startedAt) {
            return Optional.of(new ServerDiscovery(address.value(), pid.value(), Path.of(tokenFile.value()),
                    Instant.parse(startedAt.value()), controlDataDir,
                    o.get("tenant_provider") instanceof Value.Str p ? p.value() : "sqlite",
                    o.get("version") instanceof Value.Str ver ? ver.value() : ""));
        }
        throw new IOException(file + " is not a Nimbus discovery record");
    }

    /** The URL a local client uses for a server bound to {@code host}: wildcard binds are reached on loopback. */
    public static String localAddress(String host, int port, boolean tls) {
        String reach = switch (host) {
            case "0.0.0.0", "localhost" -> "127.0.0.1";
            case "::", "[::]", "::0" -> "[::1]";
            default -> host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        };
        return (tls ? "https" : "http") + "://" + reach + ":" + port;
    }

    private static void setOwnerOnly(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // non-POSIX file systems: the user's profile directory is private already
        }
    }
}
