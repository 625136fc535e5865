package dev.nimbus.server.auth;

import com.fasterxml.jackson.core.JsonGenerator;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The access audit log: one JSON line per gate decision ({@code ts, routeFamily, tenantId,
 * authScope, authMethod, success, origin, reason}), in a file only its owner can read. Never
 * holds a credential. Deciders (virtual threads) queue their decision; one writer thread
 * encodes and appends what is queued and flushes after each run, so a request never waits for
 * the file (nor pays for the encoding). The queue is bounded: when the disk falls that far behind, deciders wait rather than
 * lose a line.
 */
public final class AccessAudit implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessAudit.class);
    /** Lines that may wait for the writer before deciders block. */
    static final int QUEUED_LINES_MAX = 16_384;
    /** How long the writer waits after a write before taking the next lines. */
    static final long BATCH_PAUSE_MILLIS = 2;
    private final Path file;
    private final Writer out;
    private final BlockingQueue<Decision> queue = new ArrayBlockingQueue<>(QUEUED_LINES_MAX);
    private final Thread writer;
    private volatile boolean closed;

    private AccessAudit(Path file, Writer out) {
        this.file = file;
        this.out = out;
        this.writer = Thread.ofPlatform().name("nimbus-audit").daemon(true).start(this::drain);
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

    /** One gate decision, encoded by the writer thread. */
    private record Decision(Instant ts, String routeFamily, String tenantId, String authMethod, boolean success,
                            String origin, String reason) {
    }

    /**
     * @param authMethod {@code local_admin_bearer}, {@code local_admin_header} or {@code none}
     */
    public void record(String routeFamily, String tenantId, String authMethod, boolean success, String origin,
                       String reason) {
        if (closed) {
            return;
        }
        try {
            queue.put(new Decision(Instant.now(), routeFamily, tenantId, authMethod, success, origin, reason));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The line of one decision (no newline), as the value encoder writes these fields. */
    static String encode(Instant ts, String routeFamily, String tenantId, String authMethod, boolean success,
                         String origin, String reason) {
        java.io.StringWriter out = new java.io.StringWriter(256);
        try (JsonGenerator g = ValueJson.factory().createGenerator(out)) {
            write(g, new Decision(ts, routeFamily, tenantId, authMethod, success, origin, reason));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * One decision as a JSON object: the bytes {@code ValueJson.write} gives for an object of
     * these fields in this order (strings, null and booleans written by the same generator).
     */
    private static void write(JsonGenerator g, Decision d) throws IOException {
        g.writeStartObject();
        g.writeStringField("ts", d.ts().toString());
        g.writeStringField("routeFamily", d.routeFamily());
        stringOrNull(g, "tenantId", d.tenantId());
        g.writeStringField("authScope", "local_admin");
        g.writeStringField("authMethod", d.authMethod());
        g.writeBooleanField("success", d.success());
        stringOrNull(g, "origin", d.origin());
        g.writeStringField("reason", d.reason());
        g.writeEndObject();
    }

    private static void stringOrNull(JsonGenerator g, String field, String value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, value);
        }
    }

    private void drain() {
        List<Decision> batch = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Decision first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch);
                // One generator per run, writing into the file's buffer; lines end with '\n' (no
                // separator between root values). Closing it flushes the file, which stays open.
                try (JsonGenerator g = ValueJson.factory().createGenerator(out)
                        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
                    g.setRootValueSeparator(null);
                    for (Decision d : batch) {
                        write(g, d);
                        g.writeRaw('\n');
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot write the access audit log {}: {}", file, e.getMessage());
                }
                batch.clear();
                if (!closed) {
                    // Let a busy server's decisions gather: one wake-up and one write per pause,
                    // not one per request.
                    Thread.sleep(BATCH_PAUSE_MILLIS);
                }
            } catch (InterruptedException e) {
                // closing: drain what is left
            }
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
