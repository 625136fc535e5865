package dev.nimbus.bench.functions;

import dev.nimbus.bench.LoadLoop;

import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.EngineLimits;
import dev.nimbus.runtime.Bundle;
import dev.nimbus.runtime.FunctionKind;
import dev.nimbus.runtime.RuntimeLimits;
import dev.nimbus.server.functions.FunctionService;
import dev.nimbus.server.functions.FunctionSettings;
import dev.nimbus.storage.sqlite.SqliteStorageProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Function mutations that insert one document against native inserts of the same documents
 * ({@code Engine.mutate}, what the HTTP insert route calls), same run, same callers, sides
 * alternating per round on fresh SQLite files. Also the cold latency (first call on a fresh
 * runtime: polyglot engine, context, module load) and the warm latency (sequential calls on warm
 * contexts) of a query and a mutation. Run it once on the plain JVM (GraalJS interpreted) and
 * once with the Graal compiler enabled; the report names which one ran. Goal (issue F5): function
 * mutations ≥ 50 % of native inserts with 64 callers.
 * Arguments {@code --name=value}: duration (5s), rounds (3), callers (64), latency-calls (500),
 * warmup (2000: sequential function calls before each side, outside the clock), warmup-rounds (1:
 * unmeasured rounds of both sides first, so no measured round is the JVM compiling GraalJS's
 * interpreter — a fresh JVM needs some 100,000 calls before its function calls reach full speed),
 * output (nimbus-bench/target/function-insert.md).
 */
public final class FunctionInsertBench {
    static final long MAX_OPERATIONS = LoadLoop.MAX_OPERATIONS;
    static final TenantId TENANT = TenantId.of("bench");
    static final int WARMUP_CALLS_DEFAULT = 2_000;
    static final String APP = """
            import { query, mutation } from "./_generated/server";
            export const insert = mutation(async (ctx, doc) => ctx.db.insert("people", doc));
            export const get = query(async (ctx, { id }) => ctx.db.get("people", id));
            export const touch = mutation(async (ctx, { id }) => ctx.db.patch("people", id, { touched: Date.now() }));
            """;

    public record Result(double functions, double natives, double coldMillis, double warmQueryMicros,
                         double warmMutationMicros, String engineName, String markdown) {
    }

    public static void main(String[] args) throws Exception {
        Duration duration = Duration.ofSeconds(5);
        int rounds = 3;
        int callers = 64;
        int latencyCalls = 500;
        int warmup = WARMUP_CALLS_DEFAULT;
        int warmupRounds = 1;
        Path output = moduleTarget().resolve("function-insert.md");
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "duration" -> duration = Duration.ofMillis((long) (Double.parseDouble(kv[1].replaceAll("s$", "")) * 1000));
                case "rounds" -> rounds = Integer.parseInt(kv[1]);
                case "callers" -> callers = Integer.parseInt(kv[1]);
                case "latency-calls" -> latencyCalls = Integer.parseInt(kv[1]);
                case "warmup" -> warmup = Integer.parseInt(kv[1]);
                case "warmup-rounds" -> warmupRounds = Integer.parseInt(kv[1]);
                case "output" -> output = Path.of(kv[1]);
                case "caller-threads" -> LoadLoop.setThreadKind(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        Result r = run(duration, rounds, callers, latencyCalls, warmup, warmupRounds);
        Files.writeString(output, r.markdown());
        System.out.println(r.markdown());
        System.exit(0);
    }

    public static Result run(Duration duration, int rounds, int callers, int latencyCalls, int warmup,
                             int warmupRounds) throws Exception {
        Path root = Files.createTempDirectory(moduleTarget(), "function-insert-");
        List<Double> functions = new ArrayList<>();
        List<Double> natives = new ArrayList<>();
        List<Double> cold = new ArrayList<>();
        double[] warm;
        String engineName;
        try {
            for (int round = 0; round < warmupRounds; round++) {
                side(root.resolve("warmup-fn-" + round), duration, callers, warmup, true);
                side(root.resolve("warmup-native-" + round), duration, callers, warmup, false);
            }
            for (int round = 0; round < rounds; round++) {
                functions.add(side(root.resolve("fn-" + round), duration, callers, warmup, true));
                natives.add(side(root.resolve("native-" + round), duration, callers, warmup, false));
            }
            for (int i = 0; i < Math.max(1, Math.min(3, rounds)); i++) {
                cold.add(coldMillis(root.resolve("cold-" + i)));
            }
            Object[] w = warmMicros(root.resolve("warm"), latencyCalls);
            warm = (double[]) w[0];
            engineName = (String) w[1];
        } finally {
            deleteTree(root);
        }
        double f = median(functions);
        double n = median(natives);
        double c = median(cold);
        String md = String.format(Locale.ROOT, """
                ### Function mutations vs native inserts, %d concurrent callers (inserts/s) — GraalJS: %s

                | side | median | rounds | ratio | goal |
                |---|---:|---|---:|---|
                | function mutation `ctx.db.insert`, %d callers | %,.0f | %s | functions / native = **%.2f** | ≥ 0.50 |
                | native insert (`Engine.mutate`), %d callers | %,.0f | %s | — | — |

                | latency | median |
                |---|---:|
                | cold: first call on a fresh runtime (engine + context + module load + run) | %,.0f ms (%s) |
                | warm query (`ctx.db.get`), sequential | %,.0f µs |
                | warm mutation (`ctx.db.patch`, durable commit), sequential | %,.0f µs |

                Median of %d round(s) of %d s per side (each after %d sequential warm-up function calls), after
                %d unmeasured round(s) of both sides; sides alternate; fresh files each time; %d sequential calls
                for warm latency after %d warm-up calls. Callers run on %s. %d CPUs, %s %s, %s.
                """, callers, engineName, callers, f, list(functions), f / n, callers, n, list(natives), c, list(cold),
                warm[0], warm[1], rounds, duration.toSeconds(), warmup, warmupRounds, latencyCalls, latencyCalls,
                LoadLoop.threadKind().label(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.version"));
        return new Result(f, n, c, warm[0], warm[1], engineName, md);
    }

    private static FunctionService deploy(Engine engine) {
        FunctionService service = new FunctionService(engine, new FunctionSettings(RuntimeLimits.fromEnvironment(),
                Optional.empty()));
        Bundle bundle = new Bundle(Map.of("bench.js", APP));
        service.deployments().activate(TENANT, bundle, service.runtime().analyze(bundle), Map.of());
        return service;
    }

    private static double side(Path dir, Duration duration, int callers, int warmupCalls, boolean viaFunctions)
            throws Exception {
        try (SqliteStorageProvider storage = new SqliteStorageProvider(dir);
             Engine engine = new Engine(storage, EngineLimits.DEFAULTS)) {
            engine.createTenant(TENANT);
            try (FunctionService service = deploy(engine)) {
                // Warm the contexts outside the clock (both sides: same state of the JVM).
                People warmup = new People();
                for (int i = 0; i < warmupCalls; i++) {
                    service.call(TENANT, Principal.ADMIN, "bench:insert", FunctionKind.MUTATION, warmup.next());
                }
                return callers(callers, duration, factory -> {
                    Value.Obj d = factory.next();
                    if (viaFunctions) {
                        service.call(TENANT, Principal.ADMIN, "bench:insert", FunctionKind.MUTATION, d);
                    } else {
                        engine.mutate(TENANT, Principal.ADMIN, new Mutation.Insert(People.TABLE, Optional.empty(), d));
                    }
                });
            }
        }
    }

    private static double coldMillis(Path dir) throws Exception {
        try (SqliteStorageProvider storage = new SqliteStorageProvider(dir);
             Engine engine = new Engine(storage, EngineLimits.DEFAULTS)) {
            engine.createTenant(TENANT);
            long start = System.nanoTime();
            try (FunctionService service = deploy(engine)) {
                service.call(TENANT, Principal.ADMIN, "bench:insert", FunctionKind.MUTATION,
                        new People().next());
                return (System.nanoTime() - start) / 1e6;
            }
        }
    }

    /** {query µs, mutation µs} and the polyglot engine's name. */
    private static Object[] warmMicros(Path dir, int calls) throws Exception {
        try (SqliteStorageProvider storage = new SqliteStorageProvider(dir);
             Engine engine = new Engine(storage, EngineLimits.DEFAULTS)) {
            engine.createTenant(TENANT);
            try (FunctionService service = deploy(engine)) {
                Value id = service.call(TENANT, Principal.ADMIN, "bench:insert", FunctionKind.MUTATION,
                        new People().next()).value();
                Value.Obj args = new Value.Obj(Map.of("id", id));
                List<Double> q = new ArrayList<>();
                List<Double> m = new ArrayList<>();
                for (int i = 0; i < calls * 2; i++) {
                    long t0 = System.nanoTime();
                    service.call(TENANT, Principal.ADMIN, "bench:get", FunctionKind.QUERY, args);
                    long t1 = System.nanoTime();
                    service.call(TENANT, Principal.ADMIN, "bench:touch", FunctionKind.MUTATION, args);
                    long t2 = System.nanoTime();
                    if (i >= calls) {
                        q.add((t1 - t0) / 1e3);
                        m.add((t2 - t1) / 1e3);
                    }
                }
                return new Object[] {new double[] {median(q), median(m)}, service.runtime().engineName()};
            }
        }
    }

    interface Insert {
        void run(People factory) throws Exception;
    }

    static double callers(int callers, Duration duration, Insert insert) throws Exception {
        return LoadLoop.callers(callers, duration, People::new, insert::run);
    }

    static double median(List<Double> xs) {
        return LoadLoop.median(xs);
    }

    static String list(List<Double> xs) {
        return LoadLoop.list(xs);
    }

    static Path moduleTarget() throws java.io.IOException {
        Path target = Files.isDirectory(Path.of("nimbus-bench")) ? Path.of("nimbus-bench", "target") : Path.of("target");
        Files.createDirectories(target);
        return target;
    }

    /** Small, varied person documents (deterministic sequence per instance). */
    static final class People {
        static final dev.nimbus.core.model.TableName TABLE = dev.nimbus.core.model.TableName.of("people");
        private static final String[] CITIES = {"Amsterdam", "Lisbon", "Montreal", "Nairobi", "Osaka", "Tallinn"};
        private long n;

        Value.Obj next() {
            n++;
            Map<String, Value> m = new java.util.LinkedHashMap<>();
            m.put("name", Value.of("person " + n));
            m.put("age", Value.of(n % 90));
            m.put("city", Value.of(CITIES[(int) (n % CITIES.length)]));
            m.put("active", Value.of(n % 3 == 0));
            m.put("tags", Value.array(Value.of("t" + (n % 7)), Value.of("t" + (n % 11))));
            return new Value.Obj(m);
        }
    }

    static void deleteTree(Path root) throws java.io.IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
