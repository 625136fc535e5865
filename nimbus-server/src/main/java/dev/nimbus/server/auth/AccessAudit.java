package dev.nimbus.server.auth;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The access audit log: one JSON line per gate decision ({@code ts, routeFamily, tenantId,
 * authScope, authMethod, success, origin, reason}), in a file only its owner can read. Never
 * holds a credential. Written by whoever decides (virtual threads), one line at a time.
 */
public final class AccessAudit implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessAudit.class);
    private final Path file;
    private final Writer out;

    private AccessAudit(Path file, Writer out) {
        this.file = file;
        this.out = out;
    }

    /** {@code $XDG_STATE_HOME/nimbus/logs/access.jsonl}, else {@code ~/.local/state/nimbus/logs/access.jsonl}. */
    public static Path defaultPath() {
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("nimbus").resolve("logs").resolve("access.jsonl");
    }

    public static AccessAudit open(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                setMode(dir, "rwx------");
            }
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            setMode(file, "rw-------");
            return new AccessAudit(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the access audit log " + file + ": " + e.getMessage(), e);
        }
    }

    private static void setMode(Path p, String mode) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        } catch (UnsupportedOperationException notPosix) {
            // non-POSIX file systems: the user's profile directory is private already
        }
    }

    /**
     * @param authMethod {@code local_admin_bearer}, {@code local_admin_header} or {@code none}
     */
    public void record(String routeFamily, String tenantId, String authMethod, boolean success, String origin,
                       String reason) {
        Map<String, Value> line = new LinkedHashMap<>();
        line.put("ts", Value.of(Instant.now().toString()));
        line.put("routeFamily", Value.of(routeFamily));
        line.put("tenantId", tenantId == null ? Value.nullValue() : Value.of(tenantId));
        line.put("authScope", Value.of("local_admin"));
        line.put("authMethod", Value.of(authMethod));
        line.put("success", Value.of(success));
        line.put("origin", origin == null ? Value.nullValue() : Value.of(origin));
        line.put("reason", Value.of(reason));
        String json = ValueJson.write(new Value.Obj(line));
        synchronized (this) {
            try {
                out.write(json);
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                LOG.warn("cannot write the access audit log {}: {}", file, e.getMessage());
            }
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
