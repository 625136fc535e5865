package dev.nimbus.bench;

import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The native HTTP API under load (issue F3): single-document inserts and point reads by id from
 * {@code clients} concurrent keep-alive connections against a server on loopback, driven twice:
 * by an event-driven client ({@link EventLoopHttp}: two threads, each connection waiting for its
 * answer, as {@code wrk} does) and by one blocked thread per connection ({@link KeepAliveHttp});
 * in the same run as (a) the one-fsync-per-write rate (one storage transaction per insert from
 * as many threads) and (b) PostgreSQL used as a JSONB store over JDBC with the same number of
 * threads (autocommit {@code INSERT}, {@code SELECT} by primary key). Goals: inserts ≥ 15× (a)
 * and ≥ 2× PostgreSQL's; reads ≥ 1× PostgreSQL's. Every phase of every side runs untimed for
 * the warm-up first. Arguments: {@code --duration=5s}, {@code --warmup=3s} (0s: none),
 * {@code --clients=64}; PostgreSQL at 127.0.0.1:5432 as postgres (skipped when unreachable).
 */
public final class HttpApiBench {
    public static void main(String[] args) throws Exception {
        Duration duration = Duration.ofSeconds(5);
        Duration warmup = Duration.ofSeconds(3);
        int clients = 64;
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "duration" -> duration = CommitThroughputBench.Settings.parseDuration(kv[1]);
                case "clients" -> clients = Integer.parseInt(kv[1]);
                case "warmup" -> warmup = CommitThroughputBench.Settings.parseDuration(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        Path root = Files.createTempDirectory(CommitThroughputBench.Settings.moduleTarget(), "http-bench-");
        try {
            double[] http = httpSide(root.resolve("server"), warmup, duration, clients);
            if (!warmup.isZero()) {
                EngineInsertBench.perWriteSide(root.resolve("per-write-warmup"), warmup, clients);
            }
            double perWrite = EngineInsertBench.perWriteSide(root.resolve("per-write"), duration, clients);
            double[] pg = postgresSide(warmup, duration, clients);
            String pgInserts = pg == null ? "n/a" : String.format(Locale.ROOT, "%,.0f", pg[0]);
            String pgReads = pg == null ? "n/a" : String.format(Locale.ROOT, "%,.0f", pg[1]);
            System.out.printf(Locale.ROOT, """
                    ### Native HTTP API, %d keep-alive clients (ops/s)

                    | | Nimbus HTTP | (a) one fsync per write | (b) PostgreSQL JSONB over JDBC | ratios |
                    |---|---:|---:|---:|---|
                    | inserts, event-driven client | %,.0f | %,.0f | %s | HTTP/(a) = **%.1f×** (goal ≥ 15×); HTTP/(b) = **%s** (goal ≥ 2×) |
                    | point reads by id, event-driven client | %,.0f | — | %s | HTTP/(b) = **%s** (goal ≥ 1×) |
                    | inserts, one blocked thread per client | %,.0f | | | HTTP/(a) = %.1f×; HTTP/(b) = %s |
                    | point reads by id, one blocked thread per client | %,.0f | | | HTTP/(b) = %s |
                    """, clients, http[2], perWrite, pgInserts, http[2] / perWrite, ratio(http[2], pg, 0),
                    http[3], pgReads, ratio(http[3], pg, 1),
                    http[0], http[0] / perWrite, ratio(http[0], pg, 0), http[1], ratio(http[1], pg, 1));
        } finally {
            EngineInsertBench.deleteTree(root);
        }
    }

    private static String ratio(double nimbus, double[] pg, int i) {
        return pg == null ? "n/a" : String.format(Locale.ROOT, "%.2f×", nimbus / pg[i]);
    }

    /** One measured phase: a load of {@code clients} callers for a duration, with connections of its own. */
    @FunctionalInterface
    private interface Phase {
        double run(Duration duration) throws Exception;
    }

    /**
     * Runs {@code phase} untimed for {@code warmup}, then timed for {@code duration}: every side
     * (HTTP, per-write, PostgreSQL) gets the same warm-up, so the JIT has compiled its path in
     * this JVM before it is measured (the HTTP side, first, would otherwise run cold).
     */
    private static double warmThenMeasure(Duration warmup, Duration duration, Phase phase) throws Exception {
        if (!warmup.isZero()) {
            phase.run(warmup);
        }
        return phase.run(duration);
    }

    static double[] httpSide(Path dir, Duration warmup, Duration duration, int clients) throws Exception {
        try (NimbusServer server = NimbusServer.start(ServerConfig.defaults(dir.resolve("data"), dir.resolve("token"))
                .withPort(0))) {
            server.engine().createTenant(TenantId.of("bench"));
            String path = "/api/tenants/bench/documents";
            String auth = "Bearer " + server.token().value();
            int port = server.port();
            List<String> ids = Collections.synchronizedList(new ArrayList<>());
            List<KeepAliveHttp> connections = Collections.synchronizedList(new ArrayList<>());
            ThreadLocal<KeepAliveHttp> mine = new ThreadLocal<>();
            EngineInsertBench.Insert connect = factory -> {
                if (mine.get() == null) {
                    KeepAliveHttp c = new KeepAliveHttp(port);
                    mine.set(c);
                    connections.add(c);
                }
            };
            EngineInsertBench.Insert insert = factory -> {
                connect.run(factory);
                String body = "{\"table\": \"items\", \"fields\": " + ValueJson.write(factory.next().fields()) + "}";
                KeepAliveHttp.Response r = mine.get().send("POST", path, auth, body);
                if (r.status() != 201) {
                    throw new IllegalStateException("insert answered " + r.status() + ": " + r.body());
                }
                if (ids.size() < 100_000) {
                    ids.add(((Value.Str) ((Value.Obj) ValueJson.read(r.body())).get("id")).value());
                }
            };
            double inserts = warmThenMeasure(warmup, duration, d -> {
                try {
                    return EngineInsertBench.callers(clients, d, insert);
                } finally {
                    closeAll(connections);
                }
            });
            ThreadLocal<KeepAliveHttp> readers = new ThreadLocal<>();
            EngineInsertBench.Insert read = factory -> {
                if (readers.get() == null) {
                    KeepAliveHttp c = new KeepAliveHttp(port);
                    readers.set(c);
                    connections.add(c);
                }
                String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                KeepAliveHttp.Response r = readers.get().send("GET", path + "/items/" + id, auth, null);
                if (r.status() != 200) {
                    throw new IllegalStateException("read answered " + r.status());
                }
            };
            double reads = warmThenMeasure(warmup, duration, d -> {
                try {
                    return EngineInsertBench.callers(clients, d, read);
                } finally {
                    closeAll(connections);
                }
            });
            // The same inserts and reads from an event-driven client (wrk's design): as many
            // connections, each waiting for its answer, driven by two threads instead of 64.
            String host = "127.0.0.1:" + port;
            double loopInserts = warmThenMeasure(warmup, duration, d -> EventLoopHttp.run(port, clients, 2, d, () ->
                    new EventLoopHttp.Client() {
                        final CommitThroughputBench.DocumentFactory factory = new CommitThroughputBench.DocumentFactory();

                        @Override
                        public byte[] next() {
                            return EventLoopHttp.request("POST", path, host, auth,
                                    "{\"table\": \"items\", \"fields\": " + ValueJson.write(factory.next().fields()) + "}");
                        }

                        @Override
                        public void answered(int status, byte[] body, int offset, int length) {
                            if (status != 201) {
                                throw new IllegalStateException("insert answered " + status);
                            }
                        }
                    }));
            double loopReads = warmThenMeasure(warmup, duration, d -> EventLoopHttp.run(port, clients, 2, d, () ->
                    new EventLoopHttp.Client() {
                        @Override
                        public byte[] next() {
                            String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                            return EventLoopHttp.request("GET", path + "/items/" + id, host, auth, null);
                        }

                        @Override
                        public void answered(int status, byte[] body, int offset, int length) {
                            if (status != 200) {
                                throw new IllegalStateException("read answered " + status);
                            }
                        }
                    }));
            return new double[] {inserts, reads, loopInserts, loopReads};
        }
    }

    private static void closeAll(List<KeepAliveHttp> connections) {
        for (KeepAliveHttp c : new ArrayList<>(connections)) {
            try {
                c.close();
            } catch (java.io.IOException ignored) {
                // closing
            }
        }
        connections.clear();
    }

    /** One connection per calling thread, all closed together. */
    private static final class Pool implements AutoCloseable {
        private final String url;
        private final List<Connection> all = Collections.synchronizedList(new ArrayList<>());
        private final ThreadLocal<Connection> mine = new ThreadLocal<>();

        Pool(String url) {
            this.url = url;
        }

        Connection get() throws java.sql.SQLException {
            Connection c = mine.get();
            if (c == null) {
                c = DriverManager.getConnection(url, "postgres", null);
                mine.set(c);
                all.add(c);
            }
            return c;
        }

        @Override
        public void close() {
            for (Connection c : new ArrayList<>(all)) {
                try {
                    c.close();
                } catch (java.sql.SQLException ignored) {
                    // closing
                }
            }
        }
    }

    /** PostgreSQL as a JSONB store; null when no server is reachable. */
    static double[] postgresSide(Duration warmup, Duration duration, int clients) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:5432/postgres";
        String table = "nimbus_bench_jsonb_" + Long.toHexString(System.nanoTime());
        try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id TEXT PRIMARY KEY, doc JSONB NOT NULL)");
        } catch (java.sql.SQLException e) {
            System.err.println("no PostgreSQL server: " + e.getMessage());
            return null;
        }
        try {
            List<String> ids = Collections.synchronizedList(new ArrayList<>());
            double inserts = warmThenMeasure(warmup, duration, phase -> {
                try (Pool pool = new Pool(url)) {
                    return EngineInsertBench.callers(clients, phase, factory -> {
                        var d = factory.next();
                        try (PreparedStatement ps = pool.get().prepareStatement("INSERT INTO " + table + " (id, doc) VALUES (?, ?::jsonb)")) {
                            ps.setString(1, d.id().value());
                            ps.setString(2, ValueJson.write(d.fields()));
                            ps.executeUpdate();
                        }
                        if (ids.size() < 100_000) {
                            ids.add(d.id().value());
                        }
                    });
                }
            });
            double reads = warmThenMeasure(warmup, duration, phase -> {
                try (Pool pool = new Pool(url)) {
                    return EngineInsertBench.callers(clients, phase, factory -> {
                        try (PreparedStatement ps = pool.get().prepareStatement("SELECT doc FROM " + table + " WHERE id = ?")) {
                            ps.setString(1, ids.get(ThreadLocalRandom.current().nextInt(ids.size())));
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                rs.getString(1);
                            }
                        }
                    });
                }
            });
            return new double[] {inserts, reads};
        } finally {
            try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }
}
