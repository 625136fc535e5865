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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** The line of one decision: the same JSON object the value encoder writes for these fields. */
    static String encode(Instant ts, String routeFamily, String tenantId, String authMethod, boolean success,
                         String origin, String reason) {
        Map<String, Value> line = new LinkedHashMap<>();
        line.put("ts", Value.of(ts.toString()));
        line.put("routeFamily", Value.of(routeFamily));
        line.put("tenantId", tenantId == null ? Value.nullValue() : Value.of(tenantId));
        line.put("authScope", Value.of("local_admin"));
        line.put("authMethod", Value.of(authMethod));
        line.put("success", Value.of(success));
        line.put("origin", origin == null ? Value.nullValue() : Value.of(origin));
        line.put("reason", Value.of(reason));
        return ValueJson.write(new Value.Obj(line));
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
                try {
                    for (Decision d : batch) {
                        out.write(encode(d.ts(), d.routeFamily(), d.tenantId(), d.authMethod(), d.success(), d.origin(),
                                d.reason()));
                        out.write('\n');
                    }
                    out.flush();
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
