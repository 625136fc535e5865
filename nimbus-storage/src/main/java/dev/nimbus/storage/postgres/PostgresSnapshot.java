package dev.nimbus.storage.postgres;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.storage.Snapshot;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A {@code REPEATABLE READ, READ ONLY} transaction on a pooled connection. Postgres fixes the
 * transaction's snapshot at its first query, which the constructor runs (reading the tenant's
 * format version), so later commits stay invisible. Owns the connection until {@link #close()}.
 */
final class PostgresSnapshot extends PostgresReads implements Snapshot {
    private boolean closed;

    PostgresSnapshot(TenantId tenant, Connection conn, PostgresSchema.TenantTables tables) {
        super(tenant, conn, tables);
        try (Statement s = conn.createStatement()) {
            // One round trip: the driver sends BEGIN, then both statements.
            s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;"
                    + " SELECT value FROM " + t.meta() + " WHERE key = 'format_version'");
            if (!s.getMoreResults()) {
                throw new SQLException("the snapshot's first read returned no rows");
            }
            try (ResultSet rs = s.getResultSet()) {
                String version = rs.next() ? rs.getString(1) : null;
                if (!Integer.toString(PostgresSchema.FORMAT_VERSION).equals(version)) {
                    throw new NimbusException(ErrorCode.STORAGE_CORRUPTION, "tenant schema format version "
                            + version + " is not supported (this build reads version "
                            + PostgresSchema.FORMAT_VERSION + ")");
                }
            }
        } catch (SQLException e) {
            close();
            throw map("starting a snapshot", e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    void checkUsable() {
        if (closed) {
            throw new IllegalStateException("the snapshot is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            conn.rollback();
        } catch (SQLException ignored) {
            // the read transaction ends with the session either way; the pool drops dead sessions
        } finally {
            PostgresStorageProvider.closeQuietly(conn);
        }
    }
}
