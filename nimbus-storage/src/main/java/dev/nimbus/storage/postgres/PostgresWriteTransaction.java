package dev.nimbus.storage.postgres;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.schema.SchemaJson;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.StorageLimits;
import dev.nimbus.storage.WriteTransaction;
import dev.nimbus.storage.format.DocumentCodec;
import dev.nimbus.storage.format.JournalCodec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The tenant's single writer: one {@code READ COMMITTED} transaction on one pooled connection,
 * holding the tenant's transaction-scoped advisory lock from its first statement to COMMIT or
 * ROLLBACK. Every call runs at once on that connection (so reads here see the transaction's own
 * writes); any failure rolls the whole transaction back and poisons it.
 *
 * <p>Why {@code READ COMMITTED}: each statement reads the latest committed state, so the journal
 * head read right after taking the lock includes the previous writer's commit. (Under
 * {@code REPEATABLE READ} the snapshot would date from before the lock wait.)
 */
final class PostgresWriteTransaction extends PostgresReads implements WriteTransaction {
    private final Runnable onFinish;
    private final Set<String> knownTables = new HashSet<>();
    // Bodies encoded for document rows in this transaction, reused for journal records.
    private final Map<Document, String> encodedBodies = new IdentityHashMap<>();
    private long lastSequence;
    private boolean finished;

    /**
     * Takes ownership of {@code conn} (a fresh pooled connection, auto-commit off) and of
     * {@code onFinish}, which runs exactly once when the transaction ends, including when this
     * constructor fails.
     */
    PostgresWriteTransaction(TenantId tenant, Connection conn, PostgresSchema.TenantTables tables,
                             long writerLockKey, long lockWaitMillis, Runnable onFinish) {
        super(tenant, conn, tables);
        this.onFinish = onFinish;
        try (PreparedStatement ps = conn.prepareStatement(
                // One round trip. lock_timeout bounds this lock wait (and any later one) and turns it
                // into SQLSTATE 55P03; synchronous_commit=on makes COMMIT wait for the WAL flush even
                // if the server's default was relaxed.
                "SELECT set_config('lock_timeout', ?, true), set_config('synchronous_commit', 'on', true);"
                + " SELECT pg_advisory_xact_lock(?)")) {
            ps.setString(1, Math.max(1, lockWaitMillis) + "ms");
            ps.setLong(2, writerLockKey);
            ps.execute();
        } catch (SQLException e) {
            close();
            if ("55P03".equals(e.getSQLState())) {
                throw new NimbusException(ErrorCode.STORAGE_BUSY, "postgres storage error [busy]: the tenant's"
                        + " writer stayed busy (held by another process) for " + lockWaitMillis + " ms",
                        Value.Obj.EMPTY, e);
            }
            throw map("starting a write transaction", e);
        }
        try {
            this.lastSequence = super.lastSequence();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void write(String what, Work<Void> body) {
        checkUsable();
        try {
            body.run();
        } catch (SQLException e) {
            close();
            throw map(what, e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    void checkUsable() {
        if (finished) {
            throw new IllegalStateException("the write transaction is finished");
        }
    }

    @Override
    public void ensureTable(TableName table) {
        if (knownTables.contains(table.value())) {
            return;
        }
        write("adding a table", () -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO " + t.tables() + " (name) VALUES (?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, table.value());
                ps.executeUpdate();
            }
            knownTables.add(table.value());
            return null;
        });
    }

    @Override
    public void dropTable(TableName table) {
        write("dropping a table", () -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "DELETE FROM " + t.documents() + " WHERE tbl = ?;"
                    + " DELETE FROM " + t.indexEntries() + " WHERE tbl = ?;"
                    + " DELETE FROM " + t.schemas() + " WHERE tbl = ?;"
                    + " DELETE FROM " + t.tables() + " WHERE name = ?")) {
                for (int i = 1; i <= 4; i++) {
                    ps.setString(i, table.value());
                }
                ps.execute();
            }
            knownTables.remove(table.value());
            return null;
        });
    }

    private void requireTable(TableName table) throws SQLException {
        if (knownTables.contains(table.value())) {
            return;
        }
        try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM " + t.tables() + " WHERE name = ?")) {
            ps.setString(1, table.value());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new NimbusException(ErrorCode.INTERNAL,
                            "table " + table + " is not in the catalog; call ensureTable first");
                }
            }
        }
        knownTables.add(table.value());
    }

    @Override
    public void putDocument(TableName table, Document document) {
        write("writing a document", () -> {
            requireTable(table);
            String body = DocumentCodec.encodeBody(document.fields());
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO " + t.documents() + " (tbl, id, created, updated, data_json) VALUES (?, ?, ?, ?, ?)"
                    + " ON CONFLICT (tbl, id) DO UPDATE SET created = EXCLUDED.created,"
                    + " updated = EXCLUDED.updated, data_json = EXCLUDED.data_json")) {
                ps.setString(1, table.value());
                ps.setString(2, document.id().value());
                ps.setLong(3, document.creationTimeMicros());
                ps.setLong(4, document.updateTimeMicros());
                ps.setString(5, body);
                ps.executeUpdate();
            }
            encodedBodies.put(document, body);
            return null;
        });
    }

    @Override
    public boolean deleteDocument(TableName table, DocumentId id) {
        boolean[] deleted = {false};
        write("deleting a document", () -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "DELETE FROM " + t.documents() + " WHERE tbl = ? AND id = ?")) {
                ps.setString(1, table.value());
                ps.setString(2, id.value());
                deleted[0] = ps.executeUpdate() > 0;
            }
            return null;
        });
        return deleted[0];
    }

    @Override
    public void putIndexEntry(TableName table, String index, byte[] key, DocumentId id) {
        write("writing an index entry", () -> {
            checkKey(key);
            requireTable(table);
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO " + t.indexEntries() + " (tbl, idx, key, doc_id) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT (tbl, idx, key, doc_id) DO NOTHING")) {
                ps.setString(1, table.value());
                ps.setString(2, index);
                ps.setBytes(3, key);
                ps.setString(4, id.value());
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static void checkKey(byte[] key) {
        if (key.length > StorageLimits.INDEX_KEY_BYTES_MAX) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "indexed value is " + key.length
                    + " bytes encoded; index keys are limited to " + StorageLimits.INDEX_KEY_BYTES_MAX);
        }
    }

    @Override
    public void deleteIndexEntry(TableName table, String index, byte[] key, DocumentId id) {
        write("deleting an index entry", () -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "DELETE FROM " + t.indexEntries() + " WHERE tbl = ? AND idx = ? AND key = ? AND doc_id = ?")) {
                ps.setString(1, table.value());
                ps.setString(2, index);
                ps.setBytes(3, key);
                ps.setString(4, id.value());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void dropIndex(TableName table, String index) {
        write("dropping an index", () -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "DELETE FROM " + t.indexEntries() + " WHERE tbl = ? AND idx = ?")) {
                ps.setString(1, table.value());
                ps.setString(2, index);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void putSchema(TableSchema schema) {
        write("writing a schema", () -> {
            requireTable(schema.table());
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO " + t.schemas() + " (tbl, schema_json) VALUES (?, ?)"
                    + " ON CONFLICT (tbl) DO UPDATE SET schema_json = EXCLUDED.schema_json")) {
                ps.setString(1, schema.table().value());
                ps.setString(2, SchemaJson.write(schema));
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void deleteSchema(TableName table) {
        write("deleting a schema", () -> {
            try (PreparedStatement ps = conn.prepareStatement("DELETE FROM " + t.schemas() + " WHERE tbl = ?")) {
                ps.setString(1, table.value());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public long lastSequence() {
        checkUsable();
        return lastSequence;
    }

    @Override
    public void appendJournal(JournalRecord record) {
        write("appending to the journal", () -> {
            if (record.sequence() != lastSequence + 1) {
                throw new NimbusException(ErrorCode.INTERNAL, "journal sequence " + record.sequence()
                        + " does not follow " + lastSequence);
            }
            JournalCodec.Encoded encoded = JournalCodec.encode(record, d -> {
                String body = encodedBodies.get(d);
                return body != null ? body : DocumentCodec.encodeBody(d.fields());
            });
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO " + t.journal() + " (seq, ts, record, sha256) VALUES (?, ?, ?, ?)")) {
                ps.setLong(1, record.sequence());
                ps.setLong(2, record.timestampMicros());
                ps.setBytes(3, encoded.bytes());
                ps.setBytes(4, encoded.sha256());
                ps.executeUpdate();
            }
            lastSequence = record.sequence();
            return null;
        });
    }

    @Override
    public void commit() {
        checkUsable();
        try {
            conn.commit();
        } catch (SQLException e) {
            close();
            if (PostgresErrors.isConnectionLost(e)) {
                throw new NimbusException(ErrorCode.UNAVAILABLE, "postgres storage error [unavailable] while"
                        + " committing (SQLSTATE " + e.getSQLState() + "): the connection was lost, so whether"
                        + " the transaction committed is unknown", Value.Obj.EMPTY, e);
            }
            throw map("committing", e);
        }
        finish();
    }

    @Override
    public void close() {
        if (finished) {
            return;
        }
        try {
            conn.rollback();
        } catch (SQLException ignored) {
            // the session may be gone (connection lost): the server rolled back already
        } finally {
            finish();
        }
    }

    private void finish() {
        finished = true;
        encodedBodies.clear();
        try {
            PostgresStorageProvider.closeQuietly(conn); // back to the pool, which drops dead sessions
        } finally {
            onFinish.run();
        }
    }
}
