package dev.nimbus.bench;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.EngineLimits;
import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.format.DocumentCodec;
import dev.nimbus.storage.format.JournalCodec;
import dev.nimbus.storage.mysql.MysqlOptions;
import dev.nimbus.storage.mysql.MysqlStorageProvider;
import dev.nimbus.storage.postgres.PostgresOptions;
import dev.nimbus.storage.postgres.PostgresStorageProvider;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine insert benchmark on an external provider (PostgreSQL or MySQL/MariaDB), side by
 * side in the same run with plain JDBC to the same server: {@code callers} threads, each insert
 * one transaction holding the document row and a journal row of the same bytes (encoded before
 * the clock) — what an application writing straight to the database does per durable insert.
 * Everything lives in a schema / database made for the run and dropped afterwards.
 *
 * <p>Arguments as {@code --name=value}: {@code provider} (postgres | mysql), {@code duration}
 * (5s), {@code rounds} (3), {@code callers} (64).
 */
public final class ExternalProviderInsertBench {
    static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
    static final String MYSQL_URL = "jdbc:mysql://127.0.0.1:3306/";

    public static void main(String[] args) throws Exception {
        String provider = "postgres";
        Duration duration = Duration.ofSeconds(5);
        int rounds = 3;
        int callers = 64;
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "provider" -> provider = kv[1];
                case "duration" -> duration = CommitThroughputBench.Settings.parseDuration(kv[1]);
                case "rounds" -> rounds = Integer.parseInt(kv[1]);
                case "callers" -> callers = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        List<Double> engine = new ArrayList<>();
        List<Double> jdbc = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            String tag = "nb" + Long.toHexString(System.nanoTime()).substring(4);
            engine.add(engineSide(provider, tag, duration, callers));
            jdbc.add(jdbcSide(provider, tag, duration, callers));
        }
        double e = median(engine);
        double j = median(jdbc);
        System.out.printf(Locale.ROOT, """
                ### Durable inserts on %s: Engine (%d callers, group commit) vs plain JDBC (%d threads, one transaction per insert)

                | side | median inserts/s | rounds |
                |---|---:|---|
                | Engine on the %s provider | %,.0f | %s |
                | plain JDBC to the same server | %,.0f | %s |

                engine / plain JDBC = **%.2f×**. Median of %d round(s) of %d s per side.
                """, provider, callers, callers, provider, e, list(engine), j, list(jdbc), e / j, rounds, duration.toSeconds());
    }

    private static StorageProvider open(String provider, String tag) {
        return switch (provider) {
            case "postgres" -> new PostgresStorageProvider(PostgresOptions.of(PG_URL, "postgres", null)
                    .withMetadataSchema(tag + "_meta").withTenantSchemaPrefix(tag + "_t_").withConnections(2, 16));
            case "mysql" -> new MysqlStorageProvider(MysqlOptions.of(MYSQL_URL, "root", "")
                    .withDatabases(tag + "_meta", tag + "_t_").withConnections(2, 16));
            default -> throw new IllegalArgumentException("provider is postgres or mysql");
        };
    }

    private static double engineSide(String provider, String tag, Duration duration, int callers) throws Exception {
        TenantId tenant = TenantId.of("bench");
        try {
            try (StorageProvider storage = open(provider, tag); Engine engine = new Engine(storage, EngineLimits.DEFAULTS)) {
                engine.createTenant(tenant);
                return run(callers, duration, factory -> {
                    Document d = factory.next();
                    engine.mutate(tenant, Principal.ADMIN,
                            new Mutation.Insert(CommitThroughputBench.TABLE, Optional.empty(), d.fields()));
                });
            }
        } finally {
            drop(provider, tag + "_meta", tag + "_t_bench");
        }
    }

    private static Connection connect(String provider) throws SQLException {
        return provider.equals("postgres") ? DriverManager.getConnection(PG_URL, "postgres", null)
                : DriverManager.getConnection(MYSQL_URL, "root", "");
    }

    private static double jdbcSide(String provider, String tag, Duration duration, int callers) throws Exception {
        String schema = tag + "_jdbc";
        String q = provider.equals("postgres") ? "\"" : "`";
        String docs = q + schema + q + ".docs";
        String journal = q + schema + q + ".journal";
        try (Connection c = connect(provider); Statement s = c.createStatement()) {
            s.execute((provider.equals("postgres") ? "CREATE SCHEMA " : "CREATE DATABASE ") + q + schema + q);
            if (provider.equals("postgres")) {
                s.execute("CREATE TABLE " + docs + " (tbl TEXT COLLATE \"C\" NOT NULL, id TEXT COLLATE \"C\" NOT NULL,"
                        + " created BIGINT NOT NULL, updated BIGINT NOT NULL, data_json TEXT NOT NULL, PRIMARY KEY (tbl, id))");
                s.execute("CREATE TABLE " + journal + " (seq BIGSERIAL PRIMARY KEY, ts BIGINT NOT NULL,"
                        + " record BYTEA NOT NULL, sha256 BYTEA NOT NULL)");
            } else {
                s.execute("CREATE TABLE " + docs + " (tbl VARBINARY(255) NOT NULL, id VARBINARY(1024) NOT NULL,"
                        + " created BIGINT NOT NULL, updated BIGINT NOT NULL, data_json LONGTEXT NOT NULL,"
                        + " PRIMARY KEY (tbl, id(255))) ENGINE=InnoDB");
                s.execute("CREATE TABLE " + journal + " (seq BIGINT AUTO_INCREMENT PRIMARY KEY, ts BIGINT NOT NULL,"
                        + " record LONGBLOB NOT NULL, sha256 BINARY(32) NOT NULL) ENGINE=InnoDB");
            }
        }
        try {
            return run(callers, duration, new ThreadLocal<PreparedStatement[]>() {
                @Override
                protected PreparedStatement[] initialValue() {
                    try {
                        Connection c = connect(provider);
                        c.setAutoCommit(false);
                        return new PreparedStatement[] {
                            c.prepareStatement("INSERT INTO " + docs + " (tbl, id, created, updated, data_json) VALUES (?, ?, ?, ?, ?)"),
                            c.prepareStatement("INSERT INTO " + journal + " (ts, record, sha256) VALUES (?, ?, ?)")};
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, provider);
        } finally {
            try (Connection c = connect(provider); Statement s = c.createStatement()) {
                s.execute((provider.equals("postgres") ? "DROP SCHEMA " : "DROP DATABASE ") + q + schema + q
                        + (provider.equals("postgres") ? " CASCADE" : ""));
            }
        }
    }

    interface Insert {
        void run(CommitThroughputBench.DocumentFactory factory) throws Exception;
    }

    private static double run(int callers, Duration duration, ThreadLocal<PreparedStatement[]> statements, String provider)
            throws Exception {
        return run(callers, duration, factory -> {
            Document d = factory.next();
            String body = DocumentCodec.encodeBody(d.fields());
            JournalCodec.Encoded rec = JournalCodec.encode(CommitThroughputBench.journalRecord(1, d), x -> body);
            PreparedStatement[] ps = statements.get();
            ps[0].setString(1, CommitThroughputBench.TABLE.value());
            ps[0].setString(2, d.id().value());
            ps[0].setLong(3, d.creationTimeMicros());
            ps[0].setLong(4, d.updateTimeMicros());
            ps[0].setString(5, body);
            ps[0].executeUpdate();
            ps[1].setLong(1, d.updateTimeMicros());
            ps[1].setBytes(2, rec.bytes());
            ps[1].setBytes(3, rec.sha256());
            ps[1].executeUpdate();
            ps[0].getConnection().commit();
        });
    }

    private static double run(int callers, Duration duration, Insert insert) throws Exception {
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < callers; i++) {
            CommitThroughputBench.DocumentFactory factory = new CommitThroughputBench.DocumentFactory();
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    while (System.nanoTime() < deadline && done.get() < EngineInsertBench.MAX_OPERATIONS) {
                        insert.run(factory);
                        done.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a caller failed", failures.get(0));
        }
        return done.get() * 1e9 / (System.nanoTime() - start);
    }

    private static void drop(String provider, String meta, String tenantUnit) {
        String q = provider.equals("postgres") ? "\"" : "`";
        try (Connection c = connect(provider); Statement s = c.createStatement()) {
            for (String name : new String[] {tenantUnit, meta}) {
                s.execute((provider.equals("postgres") ? "DROP SCHEMA IF EXISTS " : "DROP DATABASE IF EXISTS ")
                        + q + name + q + (provider.equals("postgres") ? " CASCADE" : ""));
            }
        } catch (SQLException e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }

    private static double median(List<Double> xs) {
        return LoadLoop.median(xs);
    }

    private static String list(List<Double> xs) {
        return LoadLoop.list(xs);
    }
}
