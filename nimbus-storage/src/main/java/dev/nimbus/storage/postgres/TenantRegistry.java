package dev.nimbus.storage.postgres;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tenant registry in the metadata schema: which tenants exist and which schema holds each.
 * A row exists exactly when its schema was created in the same transaction, so the provider
 * never adopts or drops a schema it did not create. Callers own the connection and transaction.
 */
final class TenantRegistry {
    private final String metadataSchema;
    private final String registry;
    private final String meta;

    TenantRegistry(String metadataSchema) {
        this.metadataSchema = metadataSchema;
        this.registry = PostgresSchema.registry(metadataSchema);
        this.meta = PostgresSchema.metadataMeta(metadataSchema);
    }

    /**
     * Creates the metadata schema and its tables if absent and checks their format. Concurrent
     * providers serialize on an advisory lock: {@code CREATE ... IF NOT EXISTS} alone can race.
     */
    void bootstrap(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, SchemaNames.metadataLockKey(metadataSchema));
            ps.execute();
        }
        try (Statement s = c.createStatement()) {
            s.execute(PostgresSchema.createMetadata(metadataSchema));
        }
        String version = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM " + meta + " WHERE key = 'format_version'");
             ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                version = rs.getString(1);
            }
        }
        if (!Integer.toString(PostgresSchema.FORMAT_VERSION).equals(version)) {
            throw new NimbusException(ErrorCode.STORAGE_CORRUPTION, "metadata schema " + metadataSchema
                    + " has format version " + version + "; this build reads version " + PostgresSchema.FORMAT_VERSION);
        }
    }

    /** What {@link #register} found. */
    enum Registration {
        REGISTERED, TENANT_EXISTS, SCHEMA_TAKEN
    }

    /**
     * Registers the tenant under {@code schema}. When another transaction is registering the same
     * tenant (or schema), waits for it (bounded by lock_timeout): if it commits, this one is
     * refused; if it rolls back, this one registers. Every unique index is an arbiter of the
     * {@code ON CONFLICT}: with only {@code (tenant_id)}, a racing insert can fail on the
     * {@code schema_name} index instead of waiting.
     */
    Registration register(Connection c, TenantId tenant, String schema, long createdMicros) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + registry
                + " (tenant_id, schema_name, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, tenant.value());
            ps.setString(2, schema);
            ps.setLong(3, createdMicros);
            if (ps.executeUpdate() == 1) {
                return Registration.REGISTERED;
            }
        }
        // READ COMMITTED: this statement sees the row that won the conflict.
        return schemaOf(c, tenant).isPresent() ? Registration.TENANT_EXISTS : Registration.SCHEMA_TAKEN;
    }

    /** Removes the tenant's row, returning the schema it named. */
    Optional<String> unregister(Connection c, TenantId tenant) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM " + registry + " WHERE tenant_id = ? RETURNING schema_name")) {
            ps.setString(1, tenant.value());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(checkedSchema(rs.getString(1))) : Optional.empty();
            }
        }
    }

    Optional<String> schemaOf(Connection c, TenantId tenant) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT schema_name FROM " + registry + " WHERE tenant_id = ?")) {
            ps.setString(1, tenant.value());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(checkedSchema(rs.getString(1))) : Optional.empty();
            }
        }
    }

    /** Every registered tenant in id order ({@code COLLATE "C"}: byte order, as TenantId sorts). */
    List<TenantId> list(Connection c) throws SQLException {
        List<TenantId> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id FROM " + registry + " ORDER BY tenant_id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new TenantId(rs.getString(1)));
            }
        }
        return out;
    }

    // The registry is read back into SQL text (as a quoted identifier): check it is still ours.
    private String checkedSchema(String schema) {
        if (!SchemaNames.isSafe(schema)) {
            throw new NimbusException(ErrorCode.STORAGE_CORRUPTION,
                    "the tenant registry in " + metadataSchema + " holds an invalid schema name");
        }
        return schema;
    }
}
