package dev.nimbus.bench.dynamodb;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The DynamoDB surface under load (issue F6): one AWS SDK v2 workload — PutItem of ~200-byte
 * items, GetItem by key of an item written before, Query of a partition holding 10 items — from
 * 16 and 64 concurrent client threads (one shared {@link DynamoDbClient}, Apache HTTP client with
 * a connection per thread), each operation for a fixed time after a warm-up, against every target
 * in ONE run: DynamoDB Local file-backed ({@code -dbPath} in a temp dir), DynamoDB Local in memory,
 * and optionally a third endpoint ({@code --endpoint=http://127.0.0.1:8000} with
 * {@code --access-key}, {@code --secret-key}, {@code --region}, {@code --label}; or a
 * {@link DynamoDbTarget.Factory} passed to {@link #run}). Reports ops/s and ratios against
 * DynamoDB Local file-backed. Goals for Nimbus: ≥ 10× its PutItem, ≥ 3× its GetItem and Query,
 * and ahead of the in-memory mode on every operation.
 *
 * <p>Options ({@code --name=value}): {@code duration} (3s per operation, client count and round),
 * {@code warmup} (1s), {@code rounds} (3; figures are medians), {@code clients} (16,64), {@code data-dir} (nimbus-bench/target),
 * {@code output} (nimbus-bench/target/dynamodb-load.md), {@code targets} (local-file,local-memory,nimbus: which of the
 * built-in targets run, in that order; the first is the baseline of the ratio columns, so profile runs may drop the others).
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

    /** Run settings. */
    public record Settings(Duration duration, Duration warmup, int rounds, List<Integer> clients, Path dataDir, Path output) {
        static Settings defaults() {
            Path target = moduleTarget();
            return new Settings(Duration.ofSeconds(3), Duration.ofSeconds(1), 3, List.of(16, 64), target,
                    target.resolve("dynamodb-load.md"));
        }
    }

    /** ops/s per (operation, clients, target label), plus errors seen, and the markdown report. */
    public record Result(Map<String, Double> opsPerSecond, long errors, String markdown) {
        public double get(Operation op, int clients, String label) {
            return opsPerSecond.getOrDefault(key(op, clients, label), 0.0);
        }
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
                case "duration" -> s = new Settings(parseDuration(kv[1]), s.warmup(), s.rounds(), s.clients(), s.dataDir(), s.output());
                case "warmup" -> s = new Settings(s.duration(), parseDuration(kv[1]), s.rounds(), s.clients(), s.dataDir(), s.output());
                case "rounds" -> s = new Settings(s.duration(), s.warmup(), Integer.parseInt(kv[1]), s.clients(), s.dataDir(), s.output());
                case "clients" -> s = new Settings(s.duration(), s.warmup(), s.rounds(),
                        Stream.of(kv[1].split(",")).map(String::trim).map(Integer::parseInt).toList(), s.dataDir(), s.output());
                case "data-dir" -> s = new Settings(s.duration(), s.warmup(), s.rounds(), s.clients(), Path.of(kv[1]), s.output());
                case "output" -> s = new Settings(s.duration(), s.warmup(), s.rounds(), s.clients(), s.dataDir(), Path.of(kv[1]));
                case "endpoint" -> endpoint = kv[1];
                case "label" -> label = kv[1];
                case "access-key" -> accessKey = kv[1];
                case "secret-key" -> secretKey = kv[1];
                case "region" -> region = kv[1];
                case "targets" -> builtIn = Stream.of(kv[1].split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
                default -> throw new IllegalArgumentException("unknown argument " + a
                        + "; known: duration, warmup, rounds, clients, data-dir, output, endpoint, label, access-key, secret-key, "
                        + "region, targets");
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
                        Map<Operation, Double> r = runCell(t, clients, s, "bench_" + clients + "_" + round, errors);
                        r.forEach((op, v) -> samples.computeIfAbsent(key(op, clients, t.label()), k -> new ArrayList<>()).add(v));
                        System.err.printf(Locale.ROOT, "round %d, %s, %d clients: %s%n", round + 1, t.label(), clients, r);
                    }
                }
            }
            Map<String, Double> figures = new LinkedHashMap<>();
            samples.forEach((k, v) -> figures.put(k, median(v)));
            return new Result(figures, errors.get(), markdown(s, targets, figures, errors.get()));
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
    static Map<Operation, Double> runCell(DynamoDbTarget t, int clients, Settings s, String table, AtomicLong errors)
            throws Exception {
        try (DynamoDbClient client = client(t, clients)) {
            client.createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build()));
            int[] written = new int[clients];
            Map<Operation, Double> out = new LinkedHashMap<>();
            // Warm-up puts write items too; the counters continue, so every key below written[i] exists.
            phase(clients, s.warmup(), i -> put(client, table, i, written), errors);
            out.put(Operation.PUT_ITEM, phase(clients, s.duration(), i -> put(client, table, i, written), errors));
            completePartitions(clients, client, table, written);
            phase(clients, s.warmup(), i -> get(client, table, written), errors);
            out.put(Operation.GET_ITEM, phase(clients, s.duration(), i -> get(client, table, written), errors));
            phase(clients, s.warmup(), i -> query(client, table, written), errors);
            out.put(Operation.QUERY, phase(clients, s.duration(), i -> query(client, table, written), errors));
            try {
                client.deleteTable(b -> b.tableName(table));
            } catch (RuntimeException e) {
                System.err.println("could not delete " + table + " on " + t.label() + ": " + e.getMessage());
            }
            return out;
        }
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

    /** One client thread's next operation; {@code thread} is its index. */
    @FunctionalInterface
    private interface Step {
        void run(int thread);
    }

    /** Runs {@code step} on {@code clients} threads for {@code duration}; returns successful ops/s. */
    private static double phase(int clients, Duration duration, Step step, AtomicLong errors) throws InterruptedException {
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
    private static void completePartitions(int clients, DynamoDbClient client, String table, int[] written)
            throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int thread = i;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int n = 0; n < 2 * PARTITION_ITEMS && (written[thread] == 0 || written[thread] % PARTITION_ITEMS != 0); n++) {
                    put(client, table, thread, written);
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
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("pk", AttributeValue.fromS(pk(thread, i / PARTITION_ITEMS)));
        item.put("sk", AttributeValue.fromS(sk(i % PARTITION_ITEMS)));
        item.put("payload", AttributeValue.fromS(PAYLOAD));
        item.put("n", AttributeValue.fromN(Integer.toString(i)));
        item.put("ok", AttributeValue.fromBool(true));
        item.put("tags", AttributeValue.fromSs(List.of("alpha", "beta")));
        c.putItem(b -> b.tableName(table).item(item));
        written[thread] = i + 1;
    }

    private static void get(DynamoDbClient c, String table, int[] written) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int owner = r.nextInt(written.length);
        if (written[owner] == 0) {
            throw new IllegalStateException("client " + owner + " wrote nothing");
        }
        int i = r.nextInt(written[owner]);
        var resp = c.getItem(b -> b.tableName(table).key(Map.of(
                "pk", AttributeValue.fromS(pk(owner, i / PARTITION_ITEMS)),
                "sk", AttributeValue.fromS(sk(i % PARTITION_ITEMS)))));
        if (!resp.hasItem()) {
            throw new IllegalStateException("item " + owner + "/" + i + " not found");
        }
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
