package dev.nimbus.bench.dynamodb;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The DynamoDB surface under load (issue F6): one AWS SDK v2 workload — PutItem of ~200-byte
 * items, GetItem by key of an item written before, Query of a partition holding 10 items — from
 * 16 and 64 concurrent clients, each with one call outstanding (by default chains of calls on one
 * {@code DynamoDbAsyncClient} with the AWS CRT HTTP client; {@code --client=sync-apache}: one
 * {@link DynamoDbClient} on the Apache HTTP client, a platform thread per client), each operation
 * for a fixed time after a warm-up, against every target
 * in ONE run: DynamoDB Local file-backed ({@code -dbPath} in a temp dir), DynamoDB Local in memory,
 * and optionally a third endpoint ({@code --endpoint=http://127.0.0.1:8000} with
 * {@code --access-key}, {@code --secret-key}, {@code --region}, {@code --label}; or a
 * {@link DynamoDbTarget.Factory} passed to {@link #run}). Reports ops/s and ratios against
 * DynamoDB Local file-backed, and the CPU each operation costs: the whole process, the SDK
 * clients' threads, and the rest (the target server's own work). Goals for Nimbus: ≥ 10× its PutItem, ≥ 3× its GetItem and Query,
 * and ahead of the in-memory mode on every operation.
 *
 * <p>Options ({@code --name=value}): {@code duration} (3s per operation, client count and round),
 * {@code warmup} (1s), {@code rounds} (3; figures are medians), {@code clients} (16,64), {@code data-dir} (nimbus-bench/target),
 * {@code output} (nimbus-bench/target/dynamodb-load.md), {@code targets} (local-file,local-memory,nimbus: which of the
 * built-in targets run, in that order; the first is the baseline of the ratio columns, so profile runs may drop the others),
 * {@code client} (async-crt or sync-apache). With {@code -Dbench.cpu-by-thread=true} each phase also prints
 * the CPU per operation of each group of threads.
 */
public final class DynamoDbLoadBench {
    /** Items per partition (the Query reads one whole partition). */
    static final int PARTITION_ITEMS = 10;
    /** Per-thread operation cap for one timed phase: the time limit normally ends it first. */
    private static final long MAX_OPS_PER_THREAD = 5_000_000;
    /** ~140 characters: with keys and the other attributes an item is about 200 bytes. */
    private static final String PAYLOAD = "x".repeat(140);

    /** The measured operations, in the order they run (GetItem and Query read what PutItem wrote). */
    public enum Operation { PUT_ITEM, GET_ITEM, QUERY }

    /**
     * How the SDK drives the targets. Either way a client is one caller with one request
     * outstanding, issuing its next request when the answer is in; every target gets the same.
     */
    public enum ClientMode {
        /**
         * {@code DynamoDbAsyncClient} on the AWS CRT HTTP client (native, event-driven): no thread
         * per client, so the clients' own waits and wake-ups cost little of the two CPUs the
         * servers share with them.
         */
        ASYNC_CRT("async-crt", "DynamoDbAsyncClient on the AWS CRT HTTP client, each client a chain of calls (no thread per client)"),
        /** {@code DynamoDbClient} on the Apache HTTP client, one platform thread per client blocked in its call. */
        SYNC_APACHE("sync-apache", "DynamoDbClient on the Apache HTTP client, one platform thread per client");

        final String flag;
        final String description;

        ClientMode(String flag, String description) {
            this.flag = flag;
            this.description = description;
        }

        static ClientMode of(String flag) {
            for (ClientMode m : values()) {
                if (m.flag.equals(flag)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown client mode " + flag + "; known: async-crt, sync-apache");
        }
    }

    /** Run settings. */
    public record Settings(Duration duration, Duration warmup, int rounds, List<Integer> clients, Path dataDir, Path output,
                           ClientMode mode) {
        static Settings defaults() {
            Path target = moduleTarget();
            return new Settings(Duration.ofSeconds(3), Duration.ofSeconds(1), 3, List.of(16, 64), target,
                    target.resolve("dynamodb-load.md"), ClientMode.ASYNC_CRT);
        }

        Settings with(ClientMode m) {
            return new Settings(duration, warmup, rounds, clients, dataDir, output, m);
        }
    }

    /** ops/s per (operation, clients, target label), plus errors seen, and the markdown report. */
    /**
     * The medians of a run, keyed by operation, client count and target: ops/s, and CPU time per
     * operation in microseconds of the whole process and of the SDK clients' own threads.
     */
    public record Result(Map<String, Double> opsPerSecond, Map<String, Double> processCpuMicros,
                         Map<String, Double> clientCpuMicros, long errors, String markdown) {
        public double get(Operation op, int clients, String label) {
            return opsPerSecond.getOrDefault(key(op, clients, label), 0.0);
        }

        public double processCpu(Operation op, int clients, String label) {
            return processCpuMicros.getOrDefault(key(op, clients, label), 0.0);
        }

        public double clientCpu(Operation op, int clients, String label) {
            return clientCpuMicros.getOrDefault(key(op, clients, label), 0.0);
        }
    }

    /**
     * One timed phase: successful ops/s, and CPU microseconds per operation of the whole process
     * and of the SDK clients' threads (the rest is the server's, with the GC and the JIT).
     */
    record Measured(double opsPerSecond, double processCpuMicros, double clientCpuMicros) {
    }

    public static void main(String[] args) throws Exception {
        Settings s = Settings.defaults();
        String endpoint = null;
        String label = "endpoint";
        String accessKey = "bench";
        String secretKey = "benchsecret";
        String region = "us-east-1";
        List<String> builtIn = List.of("local-file", "local-memory", "nimbus");
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("arguments look like --name=value, got " + a);
            }
            switch (kv[0]) {
                case "duration" -> s = new Settings(parseDuration(kv[1]), s.warmup(), s.rounds(), s.clients(), s.dataDir(), s.output(), s.mode());
                case "warmup" -> s = new Settings(s.duration(), parseDuration(kv[1]), s.rounds(), s.clients(), s.dataDir(), s.output(), s.mode());
                case "rounds" -> s = new Settings(s.duration(), s.warmup(), Integer.parseInt(kv[1]), s.clients(), s.dataDir(), s.output(), s.mode());
                case "clients" -> s = new Settings(s.duration(), s.warmup(), s.rounds(),
                        Stream.of(kv[1].split(",")).map(String::trim).map(Integer::parseInt).toList(), s.dataDir(), s.output(), s.mode());
                case "data-dir" -> s = new Settings(s.duration(), s.warmup(), s.rounds(), s.clients(), Path.of(kv[1]), s.output(), s.mode());
                case "output" -> s = new Settings(s.duration(), s.warmup(), s.rounds(), s.clients(), s.dataDir(), Path.of(kv[1]), s.mode());
                case "client" -> s = s.with(ClientMode.of(kv[1]));
                case "endpoint" -> endpoint = kv[1];
                case "label" -> label = kv[1];
                case "access-key" -> accessKey = kv[1];
                case "secret-key" -> secretKey = kv[1];
                case "region" -> region = kv[1];
                case "targets" -> builtIn = Stream.of(kv[1].split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
                default -> throw new IllegalArgumentException("unknown argument " + a
                        + "; known: duration, warmup, rounds, clients, data-dir, output, endpoint, label, access-key, secret-key, "
                        + "region, targets, client");
            }
        }
        Path dir = Files.createTempDirectory(ensureDir(s.dataDir()), "dynamodb-bench-");
        try {
            List<DynamoDbTarget.Factory> targets = new ArrayList<>();
            for (String t : builtIn) {
                targets.add(switch (t) {
                    case "local-file" -> DynamoDbLocalTarget.fileBacked(dir.resolve("local-file"));
                    case "local-memory" -> DynamoDbLocalTarget.inMemory();
                    case "nimbus" -> NimbusDynamoDbTarget.inProcess(dir.resolve("nimbus"));
                    default -> throw new IllegalArgumentException("unknown target " + t + "; known: local-file, local-memory, nimbus");
                });
            }
            if (endpoint != null) {
                targets.add(DynamoDbTarget.external(label, URI.create(endpoint), region, accessKey, secretKey));
            }
            Result r = run(s, targets);
            System.out.println(r.markdown());
            Files.createDirectories(s.output().toAbsolutePath().getParent());
            Files.writeString(s.output(), r.markdown(), StandardCharsets.UTF_8);
            System.err.println("report written to " + s.output());
        } finally {
            deleteTree(dir);
        }
        System.exit(0); // DynamoDB Local leaves non-daemon threads behind
    }

    /**
     * Runs the workload against every target (started in order, all kept up for the whole run):
     * {@code rounds} rounds; in each, for each client count, the targets take turns, the order
     * reversed every other turn so that drifting machine load does not always favour the same
     * side. Each figure is the median over the rounds. The first target is the baseline of the
     * ratio columns.
     */
    public static Result run(Settings s, List<DynamoDbTarget.Factory> factories) throws Exception {
        List<DynamoDbTarget> targets = new ArrayList<>();
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        Map<String, List<Double>> processCpu = new LinkedHashMap<>();
        Map<String, List<Double>> clientCpu = new LinkedHashMap<>();
        AtomicLong errors = new AtomicLong();
        try {
            for (DynamoDbTarget.Factory f : factories) {
                targets.add(f.start());
            }
            int turn = 0;
            for (int round = 0; round < s.rounds(); round++) {
                for (int clients : s.clients()) {
                    List<DynamoDbTarget> order = new ArrayList<>(targets);
                    if (turn++ % 2 == 1) {
                        order = order.reversed();
                    }
                    for (DynamoDbTarget t : order) {
                        Map<Operation, Measured> r = runCell(t, clients, s, "bench_" + clients + "_" + round, errors);
                        r.forEach((op, m) -> {
                            samples.computeIfAbsent(key(op, clients, t.label()), k -> new ArrayList<>()).add(m.opsPerSecond());
                            processCpu.computeIfAbsent(key(op, clients, t.label()), k -> new ArrayList<>()).add(m.processCpuMicros());
                            clientCpu.computeIfAbsent(key(op, clients, t.label()), k -> new ArrayList<>()).add(m.clientCpuMicros());
                        });
                        System.err.printf(Locale.ROOT, "round %d, %s, %d clients: %s%n", round + 1, t.label(), clients, r);
                    }
                }
            }
            Map<String, Double> figures = new LinkedHashMap<>();
            samples.forEach((k, v) -> figures.put(k, median(v)));
            Map<String, Double> process = new LinkedHashMap<>();
            processCpu.forEach((k, v) -> process.put(k, median(v)));
            Map<String, Double> client = new LinkedHashMap<>();
            clientCpu.forEach((k, v) -> client.put(k, median(v)));
            return new Result(figures, process, client, errors.get(),
                    markdown(s, targets, figures, errors.get()) + cpuMarkdown(s, targets, process, client));
        } finally {
            for (DynamoDbTarget t : targets) {
                t.close();
            }
        }
    }

    private static double median(List<Double> v) {
        List<Double> sorted = new ArrayList<>(v);
        sorted.sort(Comparator.naturalOrder());
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String key(Operation op, int clients, String label) {
        return op + "/" + clients + "/" + label;
    }

    /** One target at one client count: a fresh table, then PutItem, GetItem and Query phases. */
    static Map<Operation, Measured> runCell(DynamoDbTarget t, int clients, Settings s, String table, AtomicLong errors)
            throws Exception {
        try (Workload w = s.mode() == ClientMode.ASYNC_CRT ? new AsyncWorkload(asyncClient(t, clients))
                : new BlockingWorkload(client(t, clients))) {
            w.createTable(table);
            int[] written = new int[clients];
            Map<Operation, Measured> out = new LinkedHashMap<>();
            for (Operation op : Operation.values()) {
                if (op == Operation.GET_ITEM) {
                    completePartitions(clients, w, table, written);
                }
                // Warm-up puts write items too; the counters continue, so every key below written[i] exists.
                w.phase(op, clients, s.warmup(), table, written, errors);
                out.put(op, cpuReported(op, t, clients, s.duration(), w,
                        () -> w.phase(op, clients, s.duration(), table, written, errors)));
            }
            try {
                w.deleteTable(table);
            } catch (RuntimeException e) {
                System.err.println("could not delete " + table + " on " + t.label() + ": " + e.getMessage());
            }
            return out;
        }
    }

    /** One kind of SDK client driving the workload: the table's life, untimed puts, and timed phases. */
    private interface Workload extends AutoCloseable {
        void createTable(String table);

        void deleteTable(String table);

        /** One put by client {@code client}, waiting for its answer. */
        void put(String table, int client, int[] written);

        /** {@code op} from {@code clients} concurrent clients for {@code duration}; successful ops/s. */
        double phase(Operation op, int clients, Duration duration, String table, int[] written, AtomicLong errors)
                throws InterruptedException;

        /** CPU nanoseconds spent so far by this workload's client threads that have ended. */
        long endedClientCpuNanos();

        @Override
        void close();
    }

    /** {@code DynamoDbClient}: one platform thread per client, blocked in its call (a phase's threads end with it). */
    private record BlockingWorkload(DynamoDbClient client, AtomicLong endedCpu) implements Workload {
        BlockingWorkload(DynamoDbClient client) {
            this(client, new AtomicLong());
        }

        @Override
        public long endedClientCpuNanos() {
            return endedCpu.get();
        }

        @Override
        public void createTable(String table) {
            client.createTable(b -> createTableRequest(b, table));
        }

        @Override
        public void deleteTable(String table) {
            client.deleteTable(b -> b.tableName(table));
        }

        @Override
        public void put(String table, int c, int[] written) {
            DynamoDbLoadBench.put(client, table, c, written);
        }

        @Override
        public double phase(Operation op, int clients, Duration duration, String table, int[] written, AtomicLong errors)
                throws InterruptedException {
            return DynamoDbLoadBench.phase(clients, duration, endedCpu, switch (op) {
                case PUT_ITEM -> i -> DynamoDbLoadBench.put(client, table, i, written);
                case GET_ITEM -> i -> get(client, table, written);
                case QUERY -> i -> query(client, table, written);
            }, errors);
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** {@code DynamoDbAsyncClient} on the CRT client: each client a chain of calls. */
    private record AsyncWorkload(DynamoDbAsyncClient client) implements Workload {
        @Override
        public long endedClientCpuNanos() {
            return 0; // the CRT's event-loop threads live as long as the client
        }

        @Override
        public void createTable(String table) {
            client.createTable(b -> createTableRequest(b, table)).join();
        }

        @Override
        public void deleteTable(String table) {
            client.deleteTable(b -> b.tableName(table)).join();
        }

        @Override
        public void put(String table, int c, int[] written) {
            DynamoDbLoadBench.put(client, table, c, written).join();
        }

        @Override
        public double phase(Operation op, int clients, Duration duration, String table, int[] written, AtomicLong errors)
                throws InterruptedException {
            return asyncPhase(clients, duration, switch (op) {
                case PUT_ITEM -> i -> DynamoDbLoadBench.put(client, table, i, written);
                case GET_ITEM -> i -> get(client, table, written);
                case QUERY -> i -> query(client, table, written);
            }, errors);
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** The bench's table: string partition key {@code pk} and sort key {@code sk}, on demand. */
    private static void createTableRequest(software.amazon.awssdk.services.dynamodb.model.CreateTableRequest.Builder b,
                                           String table) {
        b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build());
    }

    private static DynamoDbClient client(DynamoDbTarget t, int clients) {
        return DynamoDbClient.builder()
                .endpointOverride(t.endpoint())
                .region(Region.of(t.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(t.accessKeyId(), t.secretAccessKey())))
                .httpClient(ApacheHttpClient.builder()
                        .maxConnections(clients)
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(60))
                        .build())
                .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(1)))
                .build();
    }

    private static DynamoDbAsyncClient asyncClient(DynamoDbTarget t, int clients) {
        return DynamoDbAsyncClient.builder()
                .endpointOverride(t.endpoint())
                .region(Region.of(t.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(t.accessKeyId(), t.secretAccessKey())))
                .httpClient(AwsCrtAsyncHttpClient.builder()
                        .maxConcurrency(clients)
                        .connectionTimeout(Duration.ofSeconds(5))
                        .build())
                // Completions run where the response arrives (the next call of a chain only
                // enqueues a request), not on a second pool.
                .asyncConfiguration(b -> b.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR,
                        Runnable::run))
                .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(1)))
                .build();
    }

    /** A timed phase returning ops/s. */
    @FunctionalInterface
    private interface TimedPhase {
        double run() throws InterruptedException;
    }

    /**
     * Runs a phase and measures the process's CPU time per operation, and the part of it spent on
     * the SDK clients' threads: the clients and the servers share the machine, so the rest (the
     * server, with the GC and the JIT) is what a target itself costs per operation, a figure far
     * steadier than ops/s on a noisy machine.
     */
    private static Measured cpuReported(Operation op, DynamoDbTarget t, int clients, Duration duration, Workload w,
                                        TimedPhase phase) throws InterruptedException {
        long before = dev.nimbus.bench.EngineInsertBench.processCpuNanos();
        Map<Long, Long> clientBefore = clientThreadCpu();
        long endedBefore = w.endedClientCpuNanos();
        boolean byThread = Boolean.getBoolean("bench.cpu-by-thread");
        Map<String, Long> groupsBefore = byThread ? dev.nimbus.bench.EngineInsertBench.cpuByThreadGroup() : Map.of();
        long started = System.nanoTime();
        double rate = phase.run();
        double ops = rate * Math.max(System.nanoTime() - started, duration.toNanos()) / 1e9;
        long cpu = dev.nimbus.bench.EngineInsertBench.processCpuNanos() - before;
        long client = w.endedClientCpuNanos() - endedBefore;
        for (Map.Entry<Long, Long> e : clientThreadCpu().entrySet()) {
            client += e.getValue() - clientBefore.getOrDefault(e.getKey(), 0L);
        }
        Measured m = new Measured(rate, ops > 0 ? cpu / 1e3 / ops : 0, ops > 0 ? client / 1e3 / ops : 0);
        System.err.printf(Locale.ROOT, "%s, %d clients, %s: %,.0f ops/s; CPU per op: process %.0f us, SDK clients %.0f us%n",
                t.label(), clients, op, rate, m.processCpuMicros(), m.clientCpuMicros());
        if (byThread) {
            dev.nimbus.bench.EngineInsertBench.cpuByThreadGroup().forEach((g, n) -> {
                double perOp = ops > 0 ? (n - groupsBefore.getOrDefault(g, 0L)) / 1e3 / ops : 0;
                if (perOp >= 0.5) {
                    System.err.printf(Locale.ROOT, "  %-40s %6.1f us per op%n", g, perOp);
                }
            });
        }
        return m;
    }

    /**
     * CPU nanoseconds so far of each live SDK client thread, by thread id: the CRT client's event
     * loops ({@code AwsEventLoop ...}, where its calls and their completions run). The blocking
     * mode's caller threads end with their phase and count themselves
     * ({@link Workload#endedClientCpuNanos}).
     */
    private static Map<Long, Long> clientThreadCpu() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new java.util.HashMap<>();
        for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("AwsEventLoop")) {
                long cpu = mx.getThreadCpuTime(info.getThreadId());
                if (cpu > 0) {
                    out.put(info.getThreadId(), cpu);
                }
            }
        }
        return out;
    }

    /** One client's next call; {@code client} is its index. */
    @FunctionalInterface
    private interface AsyncStep {
        CompletableFuture<?> run(int client);
    }

    /**
     * Runs {@code clients} chains of {@code step} for {@code duration}: each chain issues its next
     * call when the previous one completes. Returns successful ops/s.
     */
    private static double asyncPhase(int clients, Duration duration, AsyncStep step, AtomicLong errors)
            throws InterruptedException {
        if (duration.isZero()) {
            return 0;
        }
        AtomicLong ops = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(clients);
        long started = System.nanoTime();
        long deadline = started + duration.toNanos();
        for (int i = 0; i < clients; i++) {
            new AsyncChain(i, step, deadline, ops, failed, finished).next();
        }
        if (!finished.await(duration.toMillis() + 60_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("clients still waiting for answers a minute after the phase ended");
        }
        long elapsed = Math.max(System.nanoTime() - started, duration.toNanos());
        errors.addAndGet(failed.get());
        return ops.get() * 1e9 / elapsed;
    }

    /** One client of {@link #asyncPhase}: a call at a time until the deadline or its cap. */
    private static final class AsyncChain {
        private final int client;
        private final AsyncStep step;
        private final long deadline;
        private final AtomicLong ops;
        private final AtomicLong failed;
        private final CountDownLatch finished;
        private long calls;

        AsyncChain(int client, AsyncStep step, long deadline, AtomicLong ops, AtomicLong failed, CountDownLatch finished) {
            this.client = client;
            this.step = step;
            this.deadline = deadline;
            this.ops = ops;
            this.failed = failed;
            this.finished = finished;
        }

        /** Issues calls until one is still in flight (its completion continues the chain) or the chain ends. */
        void next() {
            while (calls++ < MAX_OPS_PER_THREAD && System.nanoTime() < deadline) {
                CompletableFuture<?> f;
                try {
                    f = step.run(client);
                } catch (RuntimeException e) {
                    record(e);
                    continue;
                }
                if (!f.isDone()) {
                    f.whenComplete((r, e) -> {
                        record(e);
                        next();
                    });
                    return;
                }
                record(f.isCompletedExceptionally() ? f.handle((r, e) -> e).join() : null);
            }
            finished.countDown();
        }

        private void record(Throwable e) {
            if (e == null) {
                ops.incrementAndGet();
            } else if (failed.getAndIncrement() == 0) {
                System.err.println("bench error: " + e);
            }
        }
    }

    /** One client thread's next operation; {@code thread} is its index. */
    @FunctionalInterface
    private interface Step {
        void run(int thread);
    }

    /** Runs {@code step} on {@code clients} threads for {@code duration}; returns successful ops/s. */
    private static double phase(int clients, Duration duration, AtomicLong endedCpu, Step step, AtomicLong errors)
            throws InterruptedException {
        if (duration.isZero()) {
            return 0;
        }
        AtomicLong ops = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        long[] window = new long[2];
        for (int i = 0; i < clients; i++) {
            int thread = i;
            threads.add(Thread.ofPlatform().name("ddb-bench-" + i).start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                long deadline = window[1];
                long done = 0;
                long failed = 0;
                while (done + failed < MAX_OPS_PER_THREAD && System.nanoTime() < deadline) {
                    try {
                        step.run(thread);
                        done++;
                    } catch (RuntimeException e) {
                        if (failed++ == 0) {
                            System.err.println("bench error: " + e);
                        }
                    }
                }
                ops.addAndGet(done);
                errors.addAndGet(failed);
                // Counted before the thread ends: an ended thread's CPU time can no longer be read.
                endedCpu.addAndGet(Math.max(0, java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()));
            }));
        }
        window[0] = System.nanoTime();
        window[1] = window[0] + duration.toNanos();
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = Math.max(System.nanoTime() - window[0], duration.toNanos());
        return ops.get() * 1e9 / elapsed;
    }

    /**
     * Untimed: every client fills its last partition up to {@link #PARTITION_ITEMS} items (and has
     * at least one), so that each Query reads exactly one full partition.
     */
    private static void completePartitions(int clients, Workload w, String table, int[] written)
            throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int thread = i;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int n = 0; n < 2 * PARTITION_ITEMS && (written[thread] == 0 || written[thread] % PARTITION_ITEMS != 0); n++) {
                    w.put(table, thread, written);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private static String pk(int thread, int partition) {
        return "c" + thread + "-p" + partition;
    }

    private static String sk(int index) {
        return String.format(Locale.ROOT, "s%03d", index);
    }

    private static void put(DynamoDbClient c, String table, int thread, int[] written) {
        int i = written[thread];
        c.putItem(b -> b.tableName(table).item(item(thread, i)));
        written[thread] = i + 1;
    }

    /** Client {@code thread}'s item number {@code i}: ~200 bytes, partition i / 10. */
    private static Map<String, AttributeValue> item(int thread, int i) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("pk", AttributeValue.fromS(pk(thread, i / PARTITION_ITEMS)));
        item.put("sk", AttributeValue.fromS(sk(i % PARTITION_ITEMS)));
        item.put("payload", AttributeValue.fromS(PAYLOAD));
        item.put("n", AttributeValue.fromN(Integer.toString(i)));
        item.put("ok", AttributeValue.fromBool(true));
        item.put("tags", AttributeValue.fromSs(List.of("alpha", "beta")));
        return item;
    }

    private static Map<String, AttributeValue> key(int owner, int i) {
        return Map.of("pk", AttributeValue.fromS(pk(owner, i / PARTITION_ITEMS)),
                "sk", AttributeValue.fromS(sk(i % PARTITION_ITEMS)));
    }

    private static void get(DynamoDbClient c, String table, int[] written) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int owner = r.nextInt(written.length);
        if (written[owner] == 0) {
            throw new IllegalStateException("client " + owner + " wrote nothing");
        }
        int i = r.nextInt(written[owner]);
        var resp = c.getItem(b -> b.tableName(table).key(key(owner, i)));
        if (!resp.hasItem()) {
            throw new IllegalStateException("item " + owner + "/" + i + " not found");
        }
    }

    private static CompletableFuture<?> put(DynamoDbAsyncClient c, String table, int thread, int[] written) {
        int i = written[thread];
        return c.putItem(b -> b.tableName(table).item(item(thread, i))).thenRun(() -> written[thread] = i + 1);
    }

    private static CompletableFuture<?> get(DynamoDbAsyncClient c, String table, int[] written) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int owner = r.nextInt(written.length);
        int i = r.nextInt(written[owner]);
        return c.getItem(b -> b.tableName(table).key(key(owner, i))).thenAccept(resp -> {
            if (!resp.hasItem()) {
                throw new IllegalStateException("item " + owner + "/" + i + " not found");
            }
        });
    }

    private static CompletableFuture<?> query(DynamoDbAsyncClient c, String table, int[] written) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int owner = r.nextInt(written.length);
        int p = r.nextInt(written[owner] / PARTITION_ITEMS);
        return c.query(b -> b.tableName(table).keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(pk(owner, p))))).thenAccept(resp -> {
            if (resp.count() != PARTITION_ITEMS) {
                throw new IllegalStateException("partition " + owner + "/" + p + " holds " + resp.count() + " items");
            }
        });
    }

    private static void query(DynamoDbClient c, String table, int[] written) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int owner = r.nextInt(written.length);
        int full = written[owner] / PARTITION_ITEMS;
        if (full == 0) {
            throw new IllegalStateException("client " + owner + " filled no partition");
        }
        int p = r.nextInt(full);
        QueryResponse resp = c.query(b -> b.tableName(table).keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS(pk(owner, p)))));
        if (resp.count() != PARTITION_ITEMS) {
            throw new IllegalStateException("partition " + owner + "/" + p + " holds " + resp.count() + " items");
        }
    }

    private static String markdown(Settings s, List<DynamoDbTarget> targets, Map<String, Double> f, long errors) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "### DynamoDB surface under load: AWS SDK v2, ops/s (median of %d rounds of %s after %s warm-up)%n%n",
                s.rounds(), human(s.duration()), human(s.warmup())));
        sb.append("| operation | clients |");
        targets.forEach(t -> sb.append(' ').append(t.label()).append(" |"));
        String base = targets.get(0).label();
        for (int i = 1; i < targets.size(); i++) {
            sb.append(' ').append(targets.get(i).label()).append(" / ").append(base).append(" |");
        }
        if (targets.size() > 2) {
            for (int i = 2; i < targets.size(); i++) {
                sb.append(' ').append(targets.get(i).label()).append(" / ").append(targets.get(1).label()).append(" |");
            }
        }
        sb.append('\n').append("|---|---:|");
        sb.append("---:|".repeat(targets.size() + (targets.size() - 1) + Math.max(0, targets.size() - 2)));
        sb.append('\n');
        for (Operation op : Operation.values()) {
            for (int clients : s.clients()) {
                sb.append("| ").append(name(op)).append(" | ").append(clients).append(" |");
                for (DynamoDbTarget t : targets) {
                    sb.append(String.format(Locale.ROOT, " %,.0f |", f.getOrDefault(key(op, clients, t.label()), 0.0)));
                }
                double b = f.getOrDefault(key(op, clients, base), 0.0);
                for (int i = 1; i < targets.size(); i++) {
                    sb.append(ratio(f.getOrDefault(key(op, clients, targets.get(i).label()), 0.0), b));
                }
                for (int i = 2; i < targets.size(); i++) {
                    sb.append(ratio(f.getOrDefault(key(op, clients, targets.get(i).label()), 0.0),
                            f.getOrDefault(key(op, clients, targets.get(1).label()), 0.0)));
                }
                sb.append('\n');
            }
        }
        sb.append(String.format(Locale.ROOT, "%nGoals for Nimbus vs %s: PutItem ≥ 10×, GetItem and Query ≥ 3×; above %s on every row. "
                + "Failed operations during the run: %d.%n", base, targets.size() > 1 ? targets.get(1).label() : "-", errors));
        return sb.toString();
    }

    /**
     * CPU per operation of each target: the whole process, the SDK clients' part, and the rest
     * (the server's own work, with the GC and the JIT), with the rest's ratio against the baseline
     * (how many times less CPU the target spends per operation than the baseline does).
     */
    private static String cpuMarkdown(Settings s, List<DynamoDbTarget> targets, Map<String, Double> process,
                                      Map<String, Double> client) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%n### CPU per operation, µs: whole process / SDK clients / the rest (server, GC, JIT) (medians)%n%n"));
        sb.append("| operation | clients |");
        targets.forEach(t -> sb.append(' ').append(t.label()).append(" |"));
        String base = targets.get(0).label();
        for (int i = 1; i < targets.size(); i++) {
            sb.append(" rest: ").append(base).append(" / ").append(targets.get(i).label()).append(" |");
        }
        sb.append('\n').append("|---|---:|").append("---:|".repeat(2 * targets.size() - 1)).append('\n');
        for (Operation op : Operation.values()) {
            for (int clients : s.clients()) {
                sb.append("| ").append(name(op)).append(" | ").append(clients).append(" |");
                for (DynamoDbTarget t : targets) {
                    double p = process.getOrDefault(key(op, clients, t.label()), 0.0);
                    double c = client.getOrDefault(key(op, clients, t.label()), 0.0);
                    sb.append(String.format(Locale.ROOT, " %.0f / %.0f / %.0f |", p, c, p - c));
                }
                String k = key(op, clients, base);
                double baseRest = process.getOrDefault(k, 0.0) - client.getOrDefault(k, 0.0);
                for (int i = 1; i < targets.size(); i++) {
                    String ki = key(op, clients, targets.get(i).label());
                    sb.append(ratio(baseRest, process.getOrDefault(ki, 0.0) - client.getOrDefault(ki, 0.0)));
                }
                sb.append('\n');
            }
        }
        sb.append(String.format(Locale.ROOT, "%nClients: %s.%n", s.mode().description));
        return sb.toString();
    }

    private static String ratio(double a, double b) {
        return b == 0 ? " n/a |" : String.format(Locale.ROOT, " **%.2f×** |", a / b);
    }

    private static String name(Operation op) {
        return switch (op) {
            case PUT_ITEM -> "PutItem (~200 B)";
            case GET_ITEM -> "GetItem";
            case QUERY -> "Query (10 items)";
        };
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    static Duration parseDuration(String v) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
        }
        return Duration.ofSeconds(Long.parseLong(t));
    }

    static Path moduleTarget() {
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.isRegularFile(cwd.resolve("nimbus-bench").resolve("pom.xml"))) {
            return cwd.resolve("nimbus-bench").resolve("target");
        }
        return cwd.resolve("target");
    }

    private static Path ensureDir(Path p) throws IOException {
        Files.createDirectories(p);
        return p;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
