package dev.nimbus.storage.mysql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.storage.Snapshot;
import dev.nimbus.storage.StorageLimits;
import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.TenantStore;
import dev.nimbus.storage.WriteTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tenants in a MySQL (8+) or MariaDB (10.6+) server: a metadata database holding the tenant
 * registry ({@code nimbus_provider}) and one database per tenant ({@code tenant_<id>}, see
 * {@link MysqlNames}) with the tables of the SQLite format ({@link MysqlSchema}). One HikariCP
 * pool serves every tenant; each write transaction is one InnoDB transaction holding the tenant's
 * writer lock; each snapshot is a consistent-snapshot read-only transaction. Durability is the
 * server's ({@code innodb_flush_log_at_trx_commit=1} for Nimbus's fsync-on-commit promise).
 * Several processes may share a server and registry: creating, dropping and writing a tenant are
 * serialized by server-side locks.
 */
public final class MysqlStorageProvider implements StorageProvider {
    private static final Logger LOG = LoggerFactory.getLogger(MysqlStorageProvider.class);

    /**
     * The server must accept one statement carrying a largest document, and one carrying its
     * journal record (the document plus ids, times and the JSON around them).
     */
    static final long MAX_ALLOWED_PACKET_MIN = StorageLimits.DOCUMENT_BYTES_MAX + 1024L * 1024;

    private final MysqlOptions options;
    private final HikariDataSource pool;
    private final MysqlTenantRegistry registry;
    private final long maxAllowedPacketBytes;
    private final ConcurrentHashMap<TenantId, MysqlTenantDatabase> databases = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public MysqlStorageProvider(MysqlOptions options) {
        this.options = options;
        try {
            this.pool = new HikariDataSource(poolConfig(options));
        } catch (HikariPool.PoolInitializationException e) {
            throw new NimbusException(ErrorCode.UNAVAILABLE, "mysql storage error [unavailable]: cannot connect to "
                    + options.jdbcUrl().replaceAll("[?;].*", "") + " as '" + options.user() + "'", Value.Obj.EMPTY, e);
        }
        try (Connection c = pool.getConnection()) {
            this.maxAllowedPacketBytes = checkServer(c);
            this.registry = new MysqlTenantRegistry(pool, options);
            registry.install(c);
        } catch (SQLException e) {
            pool.close();
            throw MysqlErrors.map("preparing the metadata database", e);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static HikariConfig poolConfig(MysqlOptions options) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("nimbus-mysql");
        config.setJdbcUrl(options.jdbcUrl());
        if (!options.user().isEmpty()) {
            config.setUsername(options.user());
            config.setPassword(options.password());
        }
        config.setMinimumIdle(options.minConnections());
        config.setMaximumPoolSize(options.maxConnections());
        config.setConnectionTimeout(Math.max(250, options.lockWaitMillis()));
        config.setAutoCommit(true); // transactions are explicit: START TRANSACTION ... COMMIT / ROLLBACK
        config.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
        int lockWait = options.serverLockWaitSeconds();
        // Bounded lock waits (row locks and metadata locks), and strict mode so that nothing is
        // silently truncated.
        config.setConnectionInitSql("SET SESSION innodb_lock_wait_timeout = " + lockWait
                + ", SESSION lock_wait_timeout = " + lockWait
                + ", SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'");
        // Server-side prepared statements: values travel in binary, unescaped, so a statement's
        // size is known (max_allowed_packet), and each connection caches its prepared statements.
        config.addDataSourceProperty("useServerPrepStmts", "true");
        config.addDataSourceProperty("cachePrepStmts", "true");
        config.addDataSourceProperty("prepStmtCacheSize", "512");
        config.addDataSourceProperty("prepStmtCacheSqlLimit", "4096");
        config.addDataSourceProperty("characterEncoding", "UTF-8");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1_000, options.lockWaitMillis())));
        return config;
    }

    /** Checks what the provider relies on and returns the server's max_allowed_packet. */
    private long checkServer(Connection c) throws SQLException {
        long packet;
        String version;
        int lowerCaseNames;
        int flushAtCommit;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@max_allowed_packet, VERSION(), @@lower_case_table_names,"
                     + " @@innodb_flush_log_at_trx_commit")) {
            rs.next();
            packet = rs.getLong(1);
            version = rs.getString(2);
            lowerCaseNames = rs.getInt(3);
            flushAtCommit = rs.getInt(4);
        }
        if (flushAtCommit != 1) {
            LOG.warn("the MySQL server runs with innodb_flush_log_at_trx_commit={}: a commit may be acknowledged"
                    + " before it is durable (Nimbus promises fsync on commit; set it to 1)", flushAtCommit);
        }
        if (packet < MAX_ALLOWED_PACKET_MIN) {
            throw new NimbusException(ErrorCode.STORAGE_OTHER, "mysql storage error [other]: the server's"
                    + " max_allowed_packet is " + packet + " bytes; Nimbus needs at least " + MAX_ALLOWED_PACKET_MIN
                    + " to store a " + StorageLimits.DOCUMENT_BYTES_MAX + "-byte document and its journal record."
                    + " Set max_allowed_packet=64M in the server's configuration (or SET GLOBAL max_allowed_packet"
                    + " = 67108864) and reconnect");
        }
        LOG.info("mysql storage on {} (max_allowed_packet={}, lower_case_table_names={}), registry {}, tenant"
                + " databases {}*", version, packet, lowerCaseNames, options.metadataDatabase(),
                options.tenantDatabasePrefix());
        return packet;
    }

    @Override
    public String kind() {
        return "mysql";
    }

    public MysqlOptions options() {
        return options;
    }

    @Override
    public TenantStore create(TenantId tenant) {
        ensureOpen();
        String database = registry.create(tenant);
        LOG.info("created tenant {} in database {}", tenant, database);
        return new Handle(database(tenant, database));
    }

    @Override
    public TenantStore open(TenantId tenant) {
        ensureOpen();
        Optional<MysqlTenantRegistry.Entry> entry = registry.lookup(tenant);
        if (entry.isEmpty() || !entry.get().state().equals(MysqlTenantRegistry.READY)) {
            throw MysqlErrors.notFound(tenant);
        }
        return new Handle(database(tenant, entry.get().databaseName()));
    }

    @Override
    public boolean exists(TenantId tenant) {
        ensureOpen();
        return registry.lookup(tenant).map(e -> e.state().equals(MysqlTenantRegistry.READY)).orElse(false);
    }

    @Override
    public List<TenantId> list() {
        ensureOpen();
        return registry.listReady();
    }

    @Override
    public void drop(TenantId tenant) {
        ensureOpen();
        registry.drop(tenant, database -> {
            MysqlTenantDatabase db = databases.remove(tenant);
            if (db != null) {
                db.markDropped();
            }
        });
        LOG.info("dropped tenant {}", tenant);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (MysqlTenantDatabase db : databases.values()) {
            db.markClosed(); // ends open sessions; handles now fail
        }
        databases.clear();
        pool.close();
    }

    /** This process's view of the tenant's database, reused while its name stays the same. */
    private MysqlTenantDatabase database(TenantId tenant, String databaseName) {
        return databases.compute(tenant, (t, current) ->
                current != null && !current.ended() && current.databaseName().equals(databaseName) ? current
                        : new MysqlTenantDatabase(t, databaseName, pool, options, maxAllowedPacketBytes));
    }

    private void ensureOpen() {
        if (closed) {
            throw new NimbusException(ErrorCode.UNAVAILABLE, "storage is closed");
        }
    }

    /** A tenant handle. It stops working when the tenant is dropped or the provider closes. */
    private final class Handle implements TenantStore {
        private final MysqlTenantDatabase db;

        Handle(MysqlTenantDatabase db) {
            this.db = db;
        }

        @Override
        public TenantId tenant() {
            return db.tenant;
        }

        @Override
        public WriteTransaction beginWrite() {
            ensureOpen();
            return db.beginWrite();
        }

        @Override
        public Snapshot snapshot() {
            ensureOpen();
            return db.snapshot();
        }
    }
}
