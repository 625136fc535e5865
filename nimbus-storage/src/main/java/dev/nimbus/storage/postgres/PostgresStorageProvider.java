package dev.nimbus.storage.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.storage.Snapshot;
import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.TenantStore;
import dev.nimbus.storage.WriteTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Tenants in one Postgres database: a metadata schema ({@code nimbus_provider}) holding the
 * tenant registry, and one schema per tenant ({@code tenant_<id>}, see {@link SchemaNames}) with
 * the same tables and bytes as a SQLite tenant file. Connections come from one HikariCP pool.
 *
 * <ul>
 *   <li>One writer per tenant: an in-process fair permit (so waiting writers do not hold
 *       connections), then a transaction-scoped advisory lock (so writers in other processes
 *       wait too), both within {@link PostgresOptions#lockWaitMillis()}, then
 *       {@code service.storage_busy}. COMMIT runs with {@code synchronous_commit=on}.</li>
 *   <li>Snapshots: {@code REPEATABLE READ, READ ONLY} transactions pinned by a first read.</li>
 *   <li>create and drop are single transactions (Postgres DDL is transactional): the registry
 *       row and the schema appear and vanish together; a concurrent create of the same tenant
 *       waits for the first and then gets {@code op.already_exists}.</li>
 * </ul>
 * The data lives in the server: a new provider with the same options sees every tenant.
 */
public final class PostgresStorageProvider implements StorageProvider {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresStorageProvider.class);

    private final PostgresOptions options;
    private final HikariDataSource pool;
    private final TenantRegistry registry;
    // One in-process writer permit per tenant schema; removed when the tenant is dropped.
    private final ConcurrentHashMap<String, Semaphore> writerPermits = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public PostgresStorageProvider(PostgresOptions options) {
        this.options = options;
        this.registry = new TenantRegistry(options.metadataSchema());
        this.pool = openPool(options);
        try {
            inTransaction("preparing the metadata schema", c -> {
                checkEncoding(c);
                registry.bootstrap(c);
                return null;
            });
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        LOG.info("postgres storage ready: metadata schema {}, tenant schema prefix {}, pool {}-{} connections",
                options.metadataSchema(), options.tenantSchemaPrefix(), options.minConnections(),
                options.maxConnections());
    }

    private static HikariDataSource openPool(PostgresOptions options) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("nimbus-postgres-" + options.metadataSchema());
        config.setJdbcUrl(options.jdbcUrl());
        if (options.user() != null) {
            config.setUsername(options.user());
        }
        if (options.password() != null) {
            config.setPassword(options.password());
        }
        config.setMinimumIdle(options.minConnections());
        config.setMaximumPoolSize(options.maxConnections());
        config.setConnectionTimeout(Math.max(250, options.lockWaitMillis())); // the pool's own minimum is 250 ms
        config.setAutoCommit(false);
        // Writers rely on READ COMMITTED (see PostgresWriteTransaction); snapshots raise their own level.
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        // Session defaults: every server lock wait (create, drop, a snapshot behind a drop) is
        // bounded, and commits wait for the WAL flush even if the server's default is relaxed.
        config.setConnectionInitSql("SET lock_timeout = '" + options.lockWaitMillis() + "ms';"
                + " SET synchronous_commit = on");
        // Server "detail" lines quote row values; keep them out of exception messages.
        config.addDataSourceProperty("logServerErrorDetail", "false");
        config.addDataSourceProperty("ApplicationName", "nimbus");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            // The pool fails fast when it cannot make its first connection.
            if (e.getCause() instanceof SQLException se) {
                throw PostgresErrors.map("connecting to the database", se);
            }
            throw new NimbusException(ErrorCode.UNAVAILABLE,
                    "postgres storage error [unavailable] while connecting to the database", Value.Obj.EMPTY, e);
        }
    }

    // Stored text must round-trip every Unicode character.
    private static void checkEncoding(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_encoding")) {
            rs.next();
            if (!"UTF8".equalsIgnoreCase(rs.getString(1))) {
                throw new NimbusException(ErrorCode.STORAGE_OTHER, "postgres storage error [other]: the database"
                        + " encoding is " + rs.getString(1) + "; Nimbus needs a UTF8 database");
            }
        }
    }

    @Override
    public String kind() {
        return "postgres";
    }

    public PostgresOptions options() {
        return options;
    }

    @Override
    public TenantStore create(TenantId tenant) {
        String schema = SchemaNames.tenantSchema(options.tenantSchemaPrefix(), tenant);
        PostgresSchema.TenantTables tables = PostgresSchema.TenantTables.of(schema);
        inTransaction("creating a tenant", c -> {
            switch (registry.register(c, tenant, schema, System.currentTimeMillis() * 1000)) {
                case REGISTERED -> { }
                case TENANT_EXISTS -> throw new NimbusException(ErrorCode.ALREADY_EXISTS,
                        "tenant " + tenant + " already exists", Map.of("tenantId", Value.of(tenant.value())));
                case SCHEMA_TAKEN -> throw new NimbusException(ErrorCode.STORAGE_OTHER, "postgres storage error"
                        + " [other] while creating tenant " + tenant + ": its schema name " + schema
                        + " is taken by another tenant");
            }
            try (Statement s = c.createStatement()) {
                s.execute(PostgresSchema.createTenant(tables));
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + tables.meta() + " (key, value) VALUES ('format_version', ?), ('tenant_id', ?)")) {
                ps.setString(1, Integer.toString(PostgresSchema.FORMAT_VERSION));
                ps.setString(2, tenant.value());
                ps.executeUpdate();
            }
            return null;
        }, e -> createFailure(tenant, schema, e));
        LOG.info("created tenant {} in schema {}", tenant, schema);
        return new Handle(tenant, tables);
    }

    private NimbusException createFailure(TenantId tenant, String schema, SQLException e) {
        String state = e.getSQLState();
        if ("42P06".equals(state)) { // duplicate_schema: exists, but not in our registry
            return new NimbusException(ErrorCode.STORAGE_OTHER, "postgres storage error [other] while creating"
                    + " tenant " + tenant + ": schema " + schema + " already exists but is not registered in "
                    + options.metadataSchema() + "; refusing to adopt it", Value.Obj.EMPTY, e);
        }
        return PostgresErrors.map("creating a tenant", e);
    }

    @Override
    public TenantStore open(TenantId tenant) {
        PostgresSchema.TenantTables tables = inTransaction("opening a tenant", c -> {
            String schema = registry.schemaOf(c, tenant).orElseThrow(() -> PostgresReads.tenantNotFound(tenant));
            PostgresSchema.TenantTables t = PostgresSchema.TenantTables.of(schema);
            checkFormat(c, tenant, t);
            return t;
        });
        return new Handle(tenant, tables);
    }

    private static void checkFormat(Connection c, TenantId tenant, PostgresSchema.TenantTables tables)
            throws SQLException {
        String version = null;
        String owner = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT key, value FROM " + tables.meta());
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                switch (rs.getString(1)) {
                    case "format_version" -> version = rs.getString(2);
                    case "tenant_id" -> owner = rs.getString(2);
                    default -> { }
                }
            }
        } catch (SQLException e) {
            if (PostgresErrors.isTenantMissing(e)) {
                throw new NimbusException(ErrorCode.STORAGE_CORRUPTION, "tenant " + tenant
                        + " is registered but its schema is missing", Value.Obj.EMPTY, e);
            }
            throw e;
        }
        if (!Integer.toString(PostgresSchema.FORMAT_VERSION).equals(version)) {
            throw new NimbusException(ErrorCode.STORAGE_CORRUPTION, "tenant schema format version " + version
                    + " is not supported (this build reads version " + PostgresSchema.FORMAT_VERSION + ")");
        }
        if (!tenant.value().equals(owner)) {
            throw new NimbusException(ErrorCode.STORAGE_CORRUPTION, "tenant schema belongs to a different tenant");
        }
    }

    @Override
    public boolean exists(TenantId tenant) {
        return inTransaction("looking up a tenant", c -> registry.schemaOf(c, tenant)).isPresent();
    }

    @Override
    public List<TenantId> list() {
        return inTransaction("listing tenants", registry::list);
    }

    @Override
    public void drop(TenantId tenant) {
        String dropped = inTransaction("dropping a tenant", c -> {
            String schema = registry.unregister(c, tenant).orElseThrow(() -> PostgresReads.tenantNotFound(tenant));
            try (Statement s = c.createStatement()) {
                // IF EXISTS: a schema removed by hand must not keep its registry row forever.
                s.execute("DROP SCHEMA IF EXISTS " + SchemaNames.quote(schema) + " CASCADE");
            }
            return schema;
        });
        writerPermits.remove(dropped);
        LOG.info("dropped tenant {} (schema {})", tenant, dropped);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.close();
    }

    // ---- connections -----------------------------------------------------------------------

    private Connection connection(String what) {
        if (closed) {
            throw new NimbusException(ErrorCode.UNAVAILABLE, "storage is closed");
        }
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            if (closed) {
                throw new NimbusException(ErrorCode.UNAVAILABLE, "storage is closed");
            }
            throw PostgresErrors.map(what, e);
        }
    }

    private interface InTransaction<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code body} in a short transaction of its own, committed when it returns. */
    private <T> T inTransaction(String what, InTransaction<T> body) {
        return inTransaction(what, body, e -> PostgresErrors.map(what, e));
    }

    /** As above; {@code failure} turns a failed statement into the caller's error. */
    private <T> T inTransaction(String what, InTransaction<T> body, Function<SQLException, NimbusException> failure) {
        try (Connection c = connection(what)) {
            try {
                T result = body.run(c);
                c.commit();
                return result;
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw failure.apply(e);
            } catch (RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) { // returning the connection failed: it is dropped from the pool
            throw failure.apply(e);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the session is gone or the transaction already ended; the pool drops dead sessions
        }
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // returning a connection to the pool only fails if it is dead, and then it is dropped
        }
    }

    /** A tenant handle: cheap; every transaction borrows a pooled connection and gives it back. */
    private final class Handle implements TenantStore {
        private final TenantId tenant;
        private final PostgresSchema.TenantTables tables;

        Handle(TenantId tenant, PostgresSchema.TenantTables tables) {
            this.tenant = tenant;
            this.tables = tables;
        }

        @Override
        public TenantId tenant() {
            return tenant;
        }

        @Override
        public WriteTransaction beginWrite() {
            long waitMillis = options.lockWaitMillis();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            Semaphore permit = writerPermits.computeIfAbsent(tables.schema(), s -> new Semaphore(1, true));
            try {
                if (!permit.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
                    throw new NimbusException(ErrorCode.STORAGE_BUSY, "postgres storage error [busy]: the tenant's"
                            + " writer stayed busy for " + waitMillis + " ms");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NimbusException(ErrorCode.CANCELLED, "interrupted while waiting for the writer");
            }
            Connection c;
            try {
                c = connection("starting a write transaction");
            } catch (RuntimeException e) {
                permit.release();
                throw e;
            }
            long remainingMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            // Owns c and the permit from here, releasing both even if it fails.
            return new PostgresWriteTransaction(tenant, c, tables, SchemaNames.writerLockKey(tables.schema()),
                    remainingMillis, permit::release);
        }

        @Override
        public Snapshot snapshot() {
            return new PostgresSnapshot(tenant, connection("starting a snapshot"), tables); // owns the connection
        }
    }
}
