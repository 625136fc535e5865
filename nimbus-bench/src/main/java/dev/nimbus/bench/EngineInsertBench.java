package dev.nimbus.bench;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.EngineLimits;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.TenantStore;
import dev.nimbus.storage.WriteTransaction;
import dev.nimbus.storage.sqlite.SqliteStorageProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Durable single-document inserts through {@link Engine} with many concurrent callers (each
 * waits for its acknowledgement before the next insert), measured in the same run against:
 * <ul>
 *   <li><b>(a) one durable transaction per write</b>: the same callers taking turns on one
 *       plain JDBC connection with the provider's tables, each insert its own transaction with
 *       {@code synchronous=FULL} (what a server without group commit does: one fsync per
 *       write);</li>
 *   <li><b>(b) plain batched JDBC</b>: one thread inserting the same rows (document + journal,
 *       pre-encoded outside the clock) 512 per transaction with the same pragmas: the ceiling of
 *       this disk and SQLite.</li>
 * </ul>
 * Goals (issue F2): engine ≥ 15× (a) and ≥ 50 % of (b). Each side runs on fresh files for
 * {@code duration} (bounded also by a count), deleted right after it; sides alternate over
 * {@code rounds} after a warm-up round and the median is reported. Arguments as
 * {@code --name=value}: {@code duration} (5s), {@code rounds} (3), {@code warmup-rounds} (1; 0
 * for none), {@code callers} (64), {@code sides} (engine,a,b: to profile one side), {@code output}
 * (nimbus-bench/target/engine-insert.md), {@code caller-threads} (virtual, as the server's
 * callers; or platform: see {@link LoadLoop}). With {@code -Dbench.cpu-by-thread=true} the engine side
 * also prints the CPU time per insert of each group of threads.
 */
public final class EngineInsertBench {
    static final int JDBC_BATCH = 512;
    static final long MAX_OPERATIONS = LoadLoop.MAX_OPERATIONS;

    public record Result(double engine, double perWrite, double batchedJdbc, int callers, String markdown) {
    }

    public static void main(String[] args) throws Exception {
        Duration duration = Duration.ofSeconds(5);
        int rounds = 3;
        int callers = 64;
        Path output = CommitThroughputBench.Settings.moduleTarget().resolve("engine-insert.md");
        java.util.Set<String> sides = ALL_SIDES;
        int warmupRounds = 1;
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "duration" -> duration = CommitThroughputBench.Settings.parseDuration(kv[1]);
                case "rounds" -> rounds = Integer.parseInt(kv[1]);
                case "callers" -> callers = Integer.parseInt(kv[1]);
                case "output" -> output = Path.of(kv[1]);
                case "warmup-rounds" -> warmupRounds = Integer.parseInt(kv[1]);
                case "sides" -> sides = java.util.Set.of(kv[1].split(","));
                case "caller-threads" -> LoadLoop.setThreadKind(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        Result r = run(duration, rounds, callers, sides, warmupRounds);
        Files.writeString(output, r.markdown());
        System.out.println(r.markdown());
    }

    /** Every side: {@code engine}, {@code a} (one transaction per write), {@code b} (batched JDBC). */
    static final java.util.Set<String> ALL_SIDES = java.util.Set.of("engine", "a", "b");

    public static Result run(Duration duration, int rounds, int callers) throws Exception {
        return run(duration, rounds, callers, ALL_SIDES, 0);
    }

    /** Runs only {@code sides} (for profiling one side); a side not run reports NaN. */
    public static Result run(Duration duration, int rounds, int callers, java.util.Set<String> sides,
                             int warmupRounds) throws Exception {
        Path root = Files.createTempDirectory(CommitThroughputBench.Settings.moduleTarget(), "engine-insert-");
        List<Double> engine = new ArrayList<>();
        List<Double> perWrite = new ArrayList<>();
        List<Double> jdbc = new ArrayList<>();
        try {
            // Round -1 warms the JIT up on every side and is not counted. Each side's files are
            // deleted as soon as it finishes, so the next side does not share the disk with the
            // write-back of the previous one's dirty pages.
            for (int round = warmupRounds > 0 ? -1 : 0; round < rounds; round++) {
                List<Double> sink = new ArrayList<>();
                if (sides.contains("engine")) {
                    Path dir = root.resolve("engine-" + round);
                    (round < 0 ? sink : engine).add(engineSide(dir, duration, callers));
                    deleteTree(dir);
                }
                if (sides.contains("a")) {
                    Path dir = root.resolve("per-write-" + round);
                    (round < 0 ? sink : perWrite).add(perWriteSide(dir, duration, callers));
                    deleteTree(dir);
                }
                if (sides.contains("b")) {
                    Path dir = root.resolve("jdbc-" + round);
                    (round < 0 ? sink : jdbc).add(batchedJdbcSide(dir, duration));
                    deleteTree(dir);
                }
            }
        } finally {
            deleteTree(root);
        }
        double e = median(engine);
        double a = median(perWrite);
        double b = median(jdbc);
        String md = String.format(Locale.ROOT, """
                ### Durable inserts: Engine with %d concurrent callers vs one transaction per write vs batched JDBC (inserts/s)

                | side | median | rounds | ratio | goal |
                |---|---:|---|---:|---|
                | Engine, %d callers, group commit | %,.0f | %s | — | — |
                | (a) one durable transaction per write (JDBC), %d callers | %,.0f | %s | engine / (a) = **%.1f×** | ≥ 15× |
                | (b) plain batched JDBC, 1 thread, %d rows per transaction | %,.0f | %s | engine / (b) = **%.2f** | ≥ 0.50 |

                Median of %d round(s) of %d s per side (after %d warm-up round(s), not counted); sides alternate within a round; fresh files each time, deleted after each side.
                Engine callers run on %s; (a)'s on platform threads (its faster kind).
                %d CPUs, %s %s, %s.
                """, callers, callers, e, list(engine), callers, a, list(perWrite), e / a, JDBC_BATCH, b, list(jdbc), e / b,
                rounds, duration.toSeconds(), warmupRounds > 0 ? 1 : 0, LoadLoop.threadKind().label(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.version"));
        return new Result(e, a, b, callers, md);
    }

    private static double engineSide(Path dir, Duration duration, int callers) throws Exception {
        TenantId tenant = TenantId.of("bench");
        try (SqliteStorageProvider storage = new SqliteStorageProvider(dir);
             Engine engine = new Engine(storage, EngineLimits.DEFAULTS)) {
            engine.createTenant(tenant);
            long cpuBefore = processCpuNanos();
            java.util.Map<String, Long> threadsBefore = cpuByThreadGroup();
            long requestsBefore = engine.commitStats(tenant).requests();
            double rate = callers(callers, duration, factory -> {
                Document d = factory.next();
                engine.mutate(tenant, Principal.ADMIN, new Mutation.Insert(CommitThroughputBench.TABLE, Optional.empty(), d.fields()));
            });
            long cpu = processCpuNanos() - cpuBefore;
            var s = engine.commitStats(tenant);
            double inserts = s.requests() - requestsBefore;
            System.err.printf(Locale.ROOT, "engine: %,.0f/s; %.1f requests per batch, %.2f batches per sync, "
                    + "writer %.0f us per batch, sync %.0f us; CPU per insert: writer %.1f us, syncer %.1f us, "
                    + "process %.1f us%n", rate, (double) s.requests() / s.batches(),
                    (double) s.batches() / s.syncs(), s.applyNanos() / 1e3 / s.batches(), s.commitNanos() / 1e3 / s.syncs(),
                    threadCpuNanos("nimbus-writer-" + tenant) / 1e3 / s.requests(),
                    threadCpuNanos("nimbus-sync-" + tenant) / 1e3 / s.requests(), cpu / 1e3 / inserts);
            if (Boolean.getBoolean("bench.cpu-by-thread")) {
                java.util.Map<String, Long> after = cpuByThreadGroup();
                after.forEach((g, n) -> System.err.printf(Locale.ROOT, "  %-28s %6.1f us per insert%n", g,
                        (n - threadsBefore.getOrDefault(g, 0L)) / 1e3 / inserts));
            }
            return rate;
        }
    }

    /** CPU time of this process so far (every thread), or 0 where the JVM cannot tell. */
    public static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    /** CPU time of live threads so far, by name with digits dropped (so a pool is one group). */
    public static java.util.Map<String, Long> cpuByThreadGroup() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        for (long id : mx.getAllThreadIds()) {
            var info = mx.getThreadInfo(id);
            long cpu = mx.getThreadCpuTime(id);
            if (info != null && cpu > 0) {
                out.merge(info.getThreadName().replaceAll("[0-9]+", "#"), cpu, Long::sum);
            }
        }
        return out;
    }

    /** CPU time of the live thread named {@code name}, or 0 if there is none. */
    static long threadCpuNanos(String name) {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return Math.max(0, mx.getThreadCpuTime(t.threadId()));
            }
        }
        return 0;
    }

    /**
     * One durable transaction per write: the callers take turns on one plain JDBC connection
     * set up like the provider's writer but with {@code synchronous=FULL}, so every COMMIT is
     * its own fsync. (The provider's own commit lets concurrent committers share a sync, which
     * would no longer be the one-fsync-per-write rate.)
     */
    static double perWriteSide(Path dir, Duration duration, int callers) throws Exception {
        Files.createDirectories(dir);
        try (CommitThroughputBench.Baseline baseline = CommitThroughputBench.Baseline.open(dir.resolve("bench.sqlite3"))) {
            long[] sequence = {0};
            // Always platform threads: callers of a per-write server that block in a JNI fsync
            // while holding the connection do better on them (about 2x on virtual threads here).
            return callers(callers, duration, LoadLoop.ThreadKind.PLATFORM, factory -> {
                Document d = factory.next();
                synchronized (baseline) {
                    baseline.transaction(CommitThroughputBench.Encoded.of(List.of(d), sequence[0]));
                    sequence[0]++;
                }
            });
        }
    }

    private static double batchedJdbcSide(Path dir, Duration duration) throws Exception {
        Files.createDirectories(dir);
        CommitThroughputBench.DocumentFactory factory = new CommitThroughputBench.DocumentFactory();
        try (CommitThroughputBench.Baseline baseline = CommitThroughputBench.Baseline.open(dir.resolve("bench.sqlite3"))) {
            long rows = 0;
            long timed = 0;
            long deadline = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < deadline && rows < MAX_OPERATIONS) {
                CommitThroughputBench.Encoded e = CommitThroughputBench.Encoded.of(factory.next(JDBC_BATCH), rows);
                long start = System.nanoTime();
                baseline.transaction(e);
                long spent = System.nanoTime() - start;
                timed += spent;
                rows += JDBC_BATCH;
            }
            return rows * 1e9 / timed;
        }
    }

    public interface Insert {
        void run(CommitThroughputBench.DocumentFactory factory) throws Exception;
    }

    /** {@code callers} threads inserting until the deadline (or the count bound); inserts per second. */
    static double callers(int callers, Duration duration, Insert insert) throws Exception {
        return callers(callers, duration, LoadLoop.threadKind(), insert);
    }

    static double callers(int callers, Duration duration, LoadLoop.ThreadKind kind, Insert insert) throws Exception {
        return LoadLoop.callers(callers, duration, kind, CommitThroughputBench.DocumentFactory::new, insert::run);
    }

    static double median(List<Double> xs) {
        return xs.isEmpty() ? Double.NaN : LoadLoop.median(xs);
    }

    static String list(List<Double> xs) {
        return LoadLoop.list(xs);
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
