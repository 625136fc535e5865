package dev.nimbus.storage.mysql;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.schema.SchemaJson;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.StorageLimits;
import dev.nimbus.storage.WriteTransaction;
import dev.nimbus.storage.format.DocumentCodec;
import dev.nimbus.storage.format.JournalCodec;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The tenant's single writer: an InnoDB transaction that first locks the tenant's owner row in
 * {@code nimbus_meta} ({@code SELECT ... FOR UPDATE}), the writer lock shared by every process
 * using the server, released by COMMIT or ROLLBACK (or by the server when the connection dies).
 * Its consistent reads start after that lock is held, so they see every earlier writer's commit.
 * Every call runs at once on the connection; any failure, of a write or a read, rolls the whole
 * transaction back and poisons it (InnoDB itself rolls back a whole transaction on deadlock).
 */
final class MysqlWriteTransaction extends MysqlReads implements WriteTransaction, MysqlTenantDatabase.Session {
    /** Room for everything in a journal insert but the record: statement, seq, ts, digest. */
    static final int JOURNAL_PACKET_OVERHEAD_BYTES = 16 * 1024;

    private final MysqlTenantDatabase db;
    private final Connection connection;
    private final Runnable onFinish;
    private final Set<String> knownTables = new HashSet<>();
    private final Map<String, Long> indexNumbers = new HashMap<>();
    // Bodies encoded for document rows in this transaction, reused for journal records.
    private final Map<Document, String> encodedBodies = new IdentityHashMap<>();
    private long lastSequence;
    private volatile boolean finished;

    MysqlWriteTransaction(MysqlTenantDatabase db, Connection connection, Runnable onFinish) {
        super(db.tenant, db.sql);
        this.db = db;
        this.connection = connection;
        this.onFinish = onFinish;
        db.register(this);
        try (Statement s = connection.createStatement()) {
            s.execute("START TRANSACTION");
            checkMeta(connection, true);
            this.lastSequence = super.lastSequence();
        } catch (SQLException | RuntimeException e) {
            RuntimeException mapped = e instanceof SQLException se && se.getErrorCode() == MysqlErrors.ER_LOCK_WAIT_TIMEOUT
                    ? new NimbusException(ErrorCode.STORAGE_BUSY, "mysql storage error [busy]: another process held"
                        + " the tenant's writer lock for longer than the lock wait", Value.Obj.EMPTY, e)
                    : db.map("starting a write transaction", e);
            close();
            throw mapped;
        }
    }

    /** The server's id for this transaction's connection (for tests that cut it). */
    long connectionId() {
        return run("reading the connection id", c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    Connection connection() {
        if (finished) {
            throw new IllegalStateException("the write transaction is finished");
        }
        return connection;
    }

    @Override
    RuntimeException failed(String what, Exception e) {
        RuntimeException mapped = db.map(what, e);
        close();
        return mapped;
    }

    interface Write {
        void run(Connection c) throws SQLException;
    }

    private void write(String what, Write body) {
        run(what, c -> {
            body.run(c);
            return null;
        });
    }

    @Override
    public void ensureTable(TableName table) {
        if (knownTables.contains(table.value())) {
            return;
        }
        write("adding a table", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.ensureTable)) {
                ps.setBytes(1, ascii(table.value()));
                ps.executeUpdate();
            }
            knownTables.add(table.value());
        });
    }

    @Override
    public void dropTable(TableName table) {
        write("dropping a table", c -> {
            for (String statement : sql.dropTable) {
                try (PreparedStatement ps = c.prepareStatement(statement)) {
                    ps.setBytes(1, ascii(table.value()));
                    ps.executeUpdate();
                }
            }
            knownTables.remove(table.value());
            indexNumbers.keySet().removeIf(k -> k.startsWith(table.value() + "\0"));
        });
    }

    private void requireTable(Connection c, TableName table) throws SQLException {
        if (knownTables.contains(table.value())) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql.requireTable)) {
            ps.setBytes(1, ascii(table.value()));
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
        write("writing a document", c -> {
            requireTable(c, table);
            String body = DocumentCodec.encodeBody(document.fields());
            try (PreparedStatement ps = c.prepareStatement(sql.putDocument)) {
                ps.setBytes(1, ascii(table.value()));
                ps.setBytes(2, ascii(document.id().value()));
                ps.setLong(3, document.creationTimeMicros());
                ps.setLong(4, document.updateTimeMicros());
                ps.setString(5, body);
                ps.executeUpdate();
            }
            encodedBodies.put(document, body);
        });
    }

    @Override
    public boolean deleteDocument(TableName table, DocumentId id) {
        boolean[] deleted = {false};
        write("deleting a document", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.deleteDocument)) {
                ps.setBytes(1, ascii(table.value()));
                ps.setBytes(2, ascii(id.value()));
                deleted[0] = ps.executeUpdate() > 0;
            }
        });
        return deleted[0];
    }

    /** The index's number from {@code nimbus_indexes}, adding it when {@code add}; -1 if absent. */
    private long indexNumber(Connection c, TableName table, String index, boolean add) throws SQLException {
        String cacheKey = table.value() + "\0" + index;
        Long cached = indexNumbers.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        byte[] name = index.getBytes(StandardCharsets.UTF_8);
        if (name.length > MysqlSchema.INDEX_NAME_BYTES_MAX) {
            if (!add) {
                return -1; // cannot exist
            }
            throw new NimbusException(ErrorCode.INVALID_INPUT, "index names are limited to "
                    + MysqlSchema.INDEX_NAME_BYTES_MAX + " bytes");
        }
        long ix = selectIndexNumber(c, table, name);
        if (ix < 0 && add) {
            try (PreparedStatement ps = c.prepareStatement(sql.addIndex)) {
                ps.setBytes(1, ascii(table.value()));
                ps.setBytes(2, name);
                ps.executeUpdate();
            }
            ix = selectIndexNumber(c, table, name);
        }
        if (ix >= 0) {
            indexNumbers.put(cacheKey, ix);
        }
        return ix;
    }

    private long selectIndexNumber(Connection c, TableName table, byte[] name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.indexNumber)) {
            ps.setBytes(1, ascii(table.value()));
            ps.setBytes(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    @Override
    public void putIndexEntry(TableName table, String index, byte[] key, DocumentId id) {
        write("writing an index entry", c -> {
            checkKey(key);
            requireTable(c, table);
            long ix = indexNumber(c, table, index, true);
            try (PreparedStatement ps = c.prepareStatement(sql.putIndexEntry)) {
                ps.setLong(1, ix);
                ps.setBytes(2, key);
                ps.setBytes(3, PackedDocumentId.pack(id));
                ps.setBytes(4, ascii(id.value()));
                ps.executeUpdate();
            }
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
        write("deleting an index entry", c -> {
            long ix = indexNumber(c, table, index, false);
            if (ix < 0 || key.length > StorageLimits.INDEX_KEY_BYTES_MAX) {
                return; // no such entry
            }
            try (PreparedStatement ps = c.prepareStatement(sql.deleteIndexEntry)) {
                ps.setLong(1, ix);
                ps.setBytes(2, key);
                ps.setBytes(3, PackedDocumentId.pack(id));
                ps.executeUpdate();
            }
        });
    }

    @Override
    public void dropIndex(TableName table, String index) {
        write("dropping an index", c -> {
            long ix = indexNumber(c, table, index, false);
            if (ix < 0) {
                return;
            }
            for (String statement : sql.dropIndex) {
                try (PreparedStatement ps = c.prepareStatement(statement)) {
                    ps.setLong(1, ix);
                    ps.executeUpdate();
                }
            }
            indexNumbers.remove(table.value() + "\0" + index);
        });
    }

    @Override
    public void putSchema(TableSchema schema) {
        write("writing a schema", c -> {
            requireTable(c, schema.table());
            try (PreparedStatement ps = c.prepareStatement(sql.putSchema)) {
                ps.setBytes(1, ascii(schema.table().value()));
                ps.setString(2, SchemaJson.write(schema));
                ps.executeUpdate();
            }
        });
    }

    @Override
    public void deleteSchema(TableName table) {
        write("deleting a schema", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.deleteSchema)) {
                ps.setBytes(1, ascii(table.value()));
                ps.executeUpdate();
            }
        });
    }

    @Override
    public long lastSequence() {
        return lastSequence;
    }

    @Override
    public void appendJournal(JournalRecord record) {
        write("appending to the journal", c -> {
            if (record.sequence() != lastSequence + 1) {
                throw new NimbusException(ErrorCode.INTERNAL, "journal sequence " + record.sequence()
                        + " does not follow " + lastSequence);
            }
            JournalCodec.Encoded encoded = JournalCodec.encode(record, d -> {
                String body = encodedBodies.get(d);
                return body != null ? body : DocumentCodec.encodeBody(d.fields());
            });
            // One statement carries the whole record; the server refuses (and drops the
            // connection for) anything over max_allowed_packet, so refuse it here, clearly.
            long packetMax = db.maxAllowedPacketBytes();
            if ((long) encoded.bytes().length + JOURNAL_PACKET_OVERHEAD_BYTES > packetMax) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "journal record is " + encoded.bytes().length
                        + " bytes; the MySQL server's max_allowed_packet (" + packetMax + " bytes) cannot carry it."
                        + " Split the mutation or raise max_allowed_packet");
            }
            try (PreparedStatement ps = c.prepareStatement(sql.appendJournal)) {
                ps.setLong(1, record.sequence());
                ps.setLong(2, record.timestampMicros());
                ps.setBytes(3, encoded.bytes());
                ps.setBytes(4, encoded.sha256());
                ps.executeUpdate();
            }
            lastSequence = record.sequence();
        });
    }

    @Override
    public void commit() {
        if (finished) {
            throw new IllegalStateException("the write transaction is finished");
        }
        try (Statement s = connection.createStatement()) {
            s.execute("COMMIT");
        } catch (SQLException e) {
            RuntimeException mapped = db.map("committing", e);
            close();
            if (mapped instanceof NimbusException ne && ne.code() == ErrorCode.UNAVAILABLE) {
                // The COMMIT may have reached the server before the connection broke.
                throw new NimbusException(ErrorCode.UNAVAILABLE, "mysql storage error [unavailable]: the connection"
                        + " broke during COMMIT, so the transaction may or may not have committed; compare the"
                        + " journal head (lastSequence) before retrying", Value.Obj.EMPTY, e);
            }
            throw mapped;
        }
        finish(true);
    }

    @Override
    public void close() {
        if (finished) {
            return;
        }
        boolean clean = true;
        try (Statement s = connection.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException | RuntimeException e) {
            clean = false; // the server rolls back when it drops the connection
        }
        finish(clean);
    }

    private void finish(boolean clean) {
        if (finished) {
            return;
        }
        finished = true;
        encodedBodies.clear();
        try {
            db.unregister(this);
            db.giveBack(connection, clean);
        } finally {
            onFinish.run();
        }
    }

    @Override
    public void abort() {
        db.abortConnection(connection);
    }
}
