package dev.nimbus.storage.mysql;

import com.zaxxer.hikari.HikariDataSource;
import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The tenant registry in the metadata database, and the create / drop protocol around it.
 * MySQL DDL commits on its own, so a tenant is built in steps: a {@code creating} row, its
 * database and tables, its owner record, then the row turns {@code ready}; only ready tenants
 * exist. Creating and dropping one tenant are serialized across processes by a server-side
 * named lock ({@code GET_LOCK}), which the server releases if the holder's connection dies, so a
 * holder finding a {@code creating} or {@code dropping} row knows its writer crashed and cleans
 * up. Concurrent creators of one tenant: the first builds it, the rest then see it ready and get
 * {@code op.already_exists}.
 */
final class MysqlTenantRegistry {
    static final String CREATING = "creating";
    static final String READY = "ready";
    static final String DROPPING = "dropping";

    private final HikariDataSource pool;
    private final MysqlOptions options;
    private final String tenants;

    /** A registry row. */
    record Entry(TenantId tenant, String databaseName, String state) {
    }

    MysqlTenantRegistry(HikariDataSource pool, MysqlOptions options) {
        this.pool = pool;
        this.options = options;
        this.tenants = MysqlNames.quote(options.metadataDatabase()) + ".nimbus_tenants";
    }

    /** Creates the metadata database and tables if missing, and checks their format version. */
    void install(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String ddl : MysqlSchema.createMetadata(options.metadataDatabase())) {
                s.execute(ddl);
            }
        }
        String meta = MysqlNames.quote(options.metadataDatabase()) + ".nimbus_meta";
        try (PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO " + meta + " (`key`, value) VALUES (?, ?)")) {
            ps.setBytes(1, MysqlReads.ascii("format_version"));
            ps.setBytes(2, MysqlReads.ascii(Integer.toString(MysqlSchema.FORMAT_VERSION)));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM " + meta + " WHERE `key` = ?")) {
            ps.setBytes(1, MysqlReads.ascii("format_version"));
            try (ResultSet rs = ps.executeQuery()) {
                String version = rs.next() ? MysqlReads.ascii(rs.getBytes(1)) : null;
                if (!Integer.toString(MysqlSchema.FORMAT_VERSION).equals(version)) {
                    throw new NimbusException(ErrorCode.STORAGE_CORRUPTION, "the MySQL metadata database "
                            + options.metadataDatabase() + " has format version " + version
                            + "; this build reads version " + MysqlSchema.FORMAT_VERSION);
                }
            }
        }
    }

    Optional<Entry> lookup(TenantId tenant) {
        try (Connection c = pool.getConnection()) {
            return lookup(c, tenant);
        } catch (SQLException e) {
            throw MysqlErrors.map("looking up a tenant", e);
        }
    }

    private Optional<Entry> lookup(Connection c, TenantId tenant) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT database_name, state FROM " + tenants
                + " WHERE tenant_id = ?")) {
            ps.setBytes(1, MysqlReads.ascii(tenant.value()));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Entry(tenant, MysqlReads.ascii(rs.getBytes(1)), MysqlReads.ascii(rs.getBytes(2))));
            }
        }
    }

    /** Ready tenants in id order (ids are ASCII, so byte order is {@link TenantId#compareTo}). */
    List<TenantId> listReady() {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT tenant_id FROM " + tenants
                     + " WHERE state = ? ORDER BY tenant_id")) {
            ps.setBytes(1, MysqlReads.ascii(READY));
            List<TenantId> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TenantId(MysqlReads.ascii(rs.getBytes(1))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw MysqlErrors.map("listing tenants", e);
        }
    }

    /** Builds the tenant's database; {@code op.already_exists} if it is ready. Returns its database name. */
    String create(TenantId tenant) {
        return underLifecycleLock(tenant, "creating a tenant", c -> {
            Optional<Entry> existing = lookup(c, tenant);
            if (existing.isPresent() && existing.get().state().equals(READY)) {
                throw new NimbusException(ErrorCode.ALREADY_EXISTS, "tenant " + tenant + " already exists",
                        Map.of("tenantId", Value.of(tenant.value())));
            }
            if (existing.isPresent()) {
                cleanUp(c, existing.get());
            }
            String database = MysqlNames.tenantDatabase(options.tenantDatabasePrefix(), tenant);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + tenants
                    + " (tenant_id, database_name, state, updated_micros) VALUES (?, ?, ?, ?)")) {
                ps.setBytes(1, MysqlReads.ascii(tenant.value()));
                ps.setBytes(2, MysqlReads.ascii(database));
                ps.setBytes(3, MysqlReads.ascii(CREATING));
                ps.setLong(4, nowMicros());
                ps.executeUpdate();
            } catch (SQLException e) {
                if (e.getErrorCode() == 1062) { // duplicate key: the name, since the id was free
                    throw new NimbusException(ErrorCode.STORAGE_OTHER, "mysql storage error [other]: database "
                            + database + " is registered to another tenant", Value.Obj.EMPTY, e);
                }
                throw e;
            }
            try (Statement s = c.createStatement()) {
                s.execute(MysqlSchema.createDatabase(database));
            } catch (SQLException e) {
                setState(c, tenant, null); // not ours: forget the row, never drop that database
                if (e.getErrorCode() == 1007) { // ER_DB_CREATE_EXISTS
                    throw new NimbusException(ErrorCode.STORAGE_OTHER, "mysql storage error [other]: database "
                            + database + " exists but no tenant owns it; refusing to use it", Value.Obj.EMPTY, e);
                }
                throw e;
            }
            try (Statement s = c.createStatement()) {
                for (String ddl : MysqlSchema.createTenantTables(database)) {
                    s.execute(ddl);
                }
            }
            MysqlStatements sql = new MysqlStatements(database);
            try (PreparedStatement ps = c.prepareStatement(sql.insertMeta)) {
                ps.setBytes(1, MysqlReads.ascii("format_version"));
                ps.setBytes(2, MysqlReads.ascii(Integer.toString(MysqlSchema.FORMAT_VERSION)));
                ps.executeUpdate();
                ps.setBytes(1, MysqlReads.ascii("tenant_id"));
                ps.setBytes(2, MysqlReads.ascii(tenant.value()));
                ps.executeUpdate();
            }
            setState(c, tenant, READY);
            return database;
        });
    }

    /**
     * Drops the tenant's database; {@code session.tenant_not_found} unless it is ready.
     * {@code beforeDrop} runs once the tenant stopped existing and before its database goes.
     */
    void drop(TenantId tenant, Consumer<String> beforeDrop) {
        underLifecycleLock(tenant, "dropping a tenant", c -> {
            Optional<Entry> existing = lookup(c, tenant);
            if (existing.isEmpty()) {
                throw MysqlErrors.notFound(tenant);
            }
            if (!existing.get().state().equals(READY)) {
                cleanUp(c, existing.get());
                throw MysqlErrors.notFound(tenant);
            }
            setState(c, tenant, DROPPING);
            beforeDrop.accept(existing.get().databaseName());
            try (Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + MysqlNames.quote(existing.get().databaseName()));
            } catch (SQLException e) {
                if (e.getErrorCode() == MysqlErrors.ER_LOCK_WAIT_TIMEOUT) {
                    // Another process's open transactions kept their metadata locks; the server
                    // takes them all before dropping anything, so the tenant is still whole.
                    setState(c, tenant, READY);
                    throw new NimbusException(ErrorCode.STORAGE_BUSY, "mysql storage error [busy]: tenant " + tenant
                            + " stayed in use by another process beyond the lock wait; it was not dropped",
                            Value.Obj.EMPTY, e);
                }
                throw e; // left 'dropping': invisible, and finished by the next create or drop
            }
            setState(c, tenant, null);
            return null;
        });
    }

    /** Finishes what a crashed create or drop left: drops the half-built database and the row. */
    private void cleanUp(Connection c, Entry leftover) throws SQLException {
        // Drop only what Nimbus built: a database holding other tables is not ours to remove.
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME NOT IN ('nimbus_meta', 'nimbus_tables', 'nimbus_schemas',"
                + " 'nimbus_documents', 'nimbus_indexes', 'nimbus_index_entries', 'nimbus_journal')")) {
            ps.setString(1, leftover.databaseName());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    throw new NimbusException(ErrorCode.STORAGE_OTHER, "mysql storage error [other]: tenant "
                            + leftover.tenant() + " was left " + leftover.state() + " and its database "
                            + leftover.databaseName() + " holds tables Nimbus did not create; resolve by hand");
                }
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + MysqlNames.quote(leftover.databaseName()));
        }
        setState(c, leftover.tenant(), null);
    }

    /** Sets the row's state, or deletes the row for {@code null}. */
    private void setState(Connection c, TenantId tenant, String state) throws SQLException {
        String statement = state == null ? "DELETE FROM " + tenants + " WHERE tenant_id = ?"
                : "UPDATE " + tenants + " SET state = ?, updated_micros = ? WHERE tenant_id = ?";
        try (PreparedStatement ps = c.prepareStatement(statement)) {
            int i = 1;
            if (state != null) {
                ps.setBytes(i++, MysqlReads.ascii(state));
                ps.setLong(i++, nowMicros());
            }
            ps.setBytes(i, MysqlReads.ascii(tenant.value()));
            ps.executeUpdate();
        }
    }

    interface Step<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T underLifecycleLock(TenantId tenant, String what, Step<T> body) {
        String lock = MysqlNames.tenantLifecycleLock(options.metadataDatabase(), tenant);
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            throw MysqlErrors.map(what, e);
        }
        boolean clean = false;
        try {
            try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(?, ?)")) {
                ps.setString(1, lock);
                ps.setInt(2, options.serverLockWaitSeconds());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    int got = rs.getInt(1);
                    if (rs.wasNull() || got != 1) {
                        throw new NimbusException(ErrorCode.STORAGE_BUSY, "mysql storage error [busy]: another"
                                + " process kept creating or dropping tenant " + tenant + " beyond the lock wait");
                    }
                }
            }
            try {
                return body.run(c);
            } finally {
                clean = release(c, lock);
            }
        } catch (SQLException e) {
            throw MysqlErrors.map(what, e);
        } finally {
            // Closing the session releases any lock it still holds.
            MysqlTenantDatabase.evictUnlessClosed(pool, c, clean);
            try {
                c.close();
            } catch (SQLException ignored) {
                // the pool replaces it
            }
        }
    }

    private static boolean release(Connection c, String lock) {
        try (PreparedStatement ps = c.prepareStatement("SELECT RELEASE_LOCK(?)")) {
            ps.setString(1, lock);
            ps.executeQuery().close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static long nowMicros() {
        return System.currentTimeMillis() * 1000;
    }
}
