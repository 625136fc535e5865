package dev.nimbus.storage.sqlite;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.schema.SchemaJson;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.PendingDurability;
import dev.nimbus.storage.StorageLimits;
import dev.nimbus.storage.WriteTransaction;
import dev.nimbus.storage.format.DocumentCodec;
import dev.nimbus.storage.format.JournalCodec;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The tenant's single writer inside {@code BEGIN IMMEDIATE}. Every call runs at once on the
 * writer connection (so reads here see the transaction's own writes); any failure rolls the
 * whole transaction back and poisons it.
 */
final class SqliteWriteTransaction extends SqliteReads implements WriteTransaction {
    private final Runnable releaseWriter;
    private final Runnable releaseLease;
    private final WalSync walSync;
    private final SqliteTenantDatabase.WriterCache cache;
    // The catalog as the writer knows it; copied on first change, so a transaction that adds no
    // table does not copy it, and a rolled-back one leaves the cache as it was.
    private Set<String> knownTables;
    private boolean tablesCopied;
    // Bodies encoded for document rows in this transaction, reused for journal records.
    private final Map<Document, String> encodedBodies = new IdentityHashMap<>();
    private long lastSequence;
    private boolean finished;

    /**
     * {@code releaseWriter} gives the writer connection back when the transaction ends;
     * {@code releaseLease} lets the database close once nothing needs it (after a deferred
     * commit, only when its durability was awaited).
     */
    SqliteWriteTransaction(SqliteConnection writer, SqliteTenantDatabase.WriterCache cache, WalSync walSync,
                           Runnable releaseWriter, Runnable releaseLease) {
        super(writer);
        this.releaseWriter = releaseWriter;
        this.releaseLease = releaseLease;
        this.walSync = walSync;
        this.cache = cache;
        this.knownTables = cache.tables;
        try {
            writer.execute("BEGIN IMMEDIATE");
        } catch (SQLException e) {
            onFinish();
            throw SqliteErrors.map("starting a write transaction", e);
        }
        try {
            this.lastSequence = cache.lastSequence >= 0 ? cache.lastSequence : super.lastSequence();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    interface Write {
        void run() throws SQLException;
    }

    private void write(String what, Write body) {
        buffer(what, () -> {
            flushPending();
            body.run();
        });
    }

    /** Like {@link #write} but for calls that only add to the pending multi-row inserts. */
    private void buffer(String what, Write body) {
        if (finished) {
            throw new IllegalStateException("the write transaction is finished");
        }
        try {
            body.run();
        } catch (SQLException e) {
            close();
            throw SqliteErrors.map(what, e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void ensureTable(TableName table) {
        if (knownTables.contains(table.value())) {
            return;
        }
        write("adding a table", () -> {
            PreparedStatement ps = conn.prepare("INSERT OR IGNORE INTO nimbus_tables (name) VALUES (?)");
            ps.setString(1, table.value());
            ps.executeUpdate();
            changeTables().add(table.value());
        });
    }

    @Override
    public void dropTable(TableName table) {
        write("dropping a table", () -> {
            for (String sql : new String[] {
                "DELETE FROM nimbus_documents WHERE tbl = ?",
                "DELETE FROM nimbus_index_entries WHERE tbl = ?",
                "DELETE FROM nimbus_schemas WHERE tbl = ?",
                "DELETE FROM nimbus_tables WHERE name = ?"}) {
                PreparedStatement ps = conn.prepare(sql);
                ps.setString(1, table.value());
                ps.executeUpdate();
            }
            changeTables().remove(table.value());
        });
    }

    private void requireTable(TableName table) throws SQLException {
        if (knownTables.contains(table.value())) {
            return;
        }
        PreparedStatement ps = conn.prepare("SELECT 1 FROM nimbus_tables WHERE name = ?");
        ps.setString(1, table.value());
        try (var rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new NimbusException(ErrorCode.INTERNAL,
                        "table " + table + " is not in the catalog; call ensureTable first");
            }
        }
        changeTables().add(table.value());
    }

    private Set<String> changeTables() {
        if (!tablesCopied) {
            knownTables = new HashSet<>(knownTables);
            tablesCopied = true;
        }
        return knownTables;
    }

    @Override
    public void putDocument(TableName table, Document document) {
        putDocument(table, document, null);
    }

    @Override
    public void putDocument(TableName table, Document document, String encodedFields) {
        writeDocument(table, document, encodedFields,
                "INSERT INTO nimbus_documents (tbl, id, created, updated, data_json) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (tbl, id) DO UPDATE SET created = excluded.created,"
                + " updated = excluded.updated, data_json = excluded.data_json");
    }

    /**
     * A plain INSERT, cheaper than the upsert of {@link #putDocument}, and buffered: consecutive
     * inserts go to SQLite as multi-row statements (one JNI round trip per chunk instead of per
     * row). Any other call, read or write, flushes the buffer first, so reads see these rows.
     */
    @Override
    public void insertDocument(TableName table, Document document) {
        insertDocument(table, document, null);
    }

    @Override
    public void insertDocument(TableName table, Document document, String encodedFields) {
        buffer("writing a document", () -> {
            requireTable(table);
            String body = encodedFields != null ? encodedFields : DocumentCodec.encodeBody(document.fields());
            pendingDocuments.add(new Object[] {table.value(), document.id().value(),
                document.creationTimeMicros(), document.updateTimeMicros(), body});
            encodedBodies.put(document, body);
        });
    }

    private static final int ROWS_PER_STATEMENT_MAX = 64;
    private final java.util.List<Object[]> pendingDocuments = new java.util.ArrayList<>();
    private final java.util.List<Object[]> pendingJournal = new java.util.ArrayList<>();

    /** Writes buffered document and journal rows with multi-row INSERTs. */
    private void flushPending() throws SQLException {
        flushRows(pendingDocuments, DOCUMENT_INSERTS);
        flushRows(pendingJournal, JOURNAL_INSERTS);
    }

    /** The multi-row INSERT statements of one table, by row count (index n: n rows). */
    private static String[] multiRowInserts(String head, String tuple) {
        String[] out = new String[ROWS_PER_STATEMENT_MAX + 1];
        StringBuilder sql = new StringBuilder(head);
        for (int n = 1; n <= ROWS_PER_STATEMENT_MAX; n++) {
            sql.append(n == 1 ? "" : ", ").append(tuple);
            out[n] = sql.toString();
        }
        return out;
    }

    private static final String[] DOCUMENT_INSERTS = multiRowInserts(
            "INSERT INTO nimbus_documents (tbl, id, created, updated, data_json) VALUES ", "(?, ?, ?, ?, ?)");
    private static final String[] JOURNAL_INSERTS = multiRowInserts(
            "INSERT INTO nimbus_journal (seq, ts, record, sha256) VALUES ", "(?, ?, ?, ?)");

    private void flushRows(java.util.List<Object[]> rows, String[] statements) throws SQLException {
        int at = 0;
        while (at < rows.size()) {
            int n = Math.min(ROWS_PER_STATEMENT_MAX, rows.size() - at);
            PreparedStatement ps = conn.prepare(statements[n]);
            int p = 1;
            for (int i = 0; i < n; i++) {
                for (Object v : rows.get(at + i)) {
                    switch (v) {
                        case String str -> ps.setString(p++, str);
                        case Long l -> ps.setLong(p++, l);
                        case byte[] b -> ps.setBytes(p++, b);
                        default -> throw new IllegalStateException("unexpected column value");
                    }
                }
            }
            ps.executeUpdate();
            at += n;
        }
        rows.clear();
    }

    // Reads inside the transaction see the buffered rows.

    @Override
    public java.util.Optional<Document> get(TableName table, DocumentId id) {
        flushForRead();
        return super.get(table, id);
    }

    @Override
    public java.util.List<Document> scanDocuments(TableName table, dev.nimbus.storage.DocumentScan scan) {
        flushForRead();
        return super.scanDocuments(table, scan);
    }

    @Override
    public java.util.List<dev.nimbus.storage.IndexHit> scanIndex(TableName table, String index,
                                                                dev.nimbus.storage.IndexScan scan) {
        flushForRead();
        return super.scanIndex(table, index, scan);
    }

    @Override
    public java.util.List<JournalRecord> readJournal(long afterSequence, int limit) {
        flushForRead();
        return super.readJournal(afterSequence, limit);
    }

    @Override
    public void flush() {
        flushForRead();
    }

    private void flushForRead() {
        if (!pendingDocuments.isEmpty() || !pendingJournal.isEmpty()) {
            write("writing buffered rows", () -> { });
        }
    }

    private void writeDocument(TableName table, Document document, String encodedFields, String sql) {
        write("writing a document", () -> {
            requireTable(table);
            String body = encodedFields != null ? encodedFields : DocumentCodec.encodeBody(document.fields());
            PreparedStatement ps = conn.prepare(sql);
            ps.setString(1, table.value());
            ps.setString(2, document.id().value());
            ps.setLong(3, document.creationTimeMicros());
            ps.setLong(4, document.updateTimeMicros());
            ps.setString(5, body);
            ps.executeUpdate();
            encodedBodies.put(document, body);
        });
    }

    @Override
    public boolean deleteDocument(TableName table, DocumentId id) {
        boolean[] deleted = {false};
        write("deleting a document", () -> {
            PreparedStatement ps = conn.prepare("DELETE FROM nimbus_documents WHERE tbl = ? AND id = ?");
            ps.setString(1, table.value());
            ps.setString(2, id.value());
            deleted[0] = ps.executeUpdate() > 0;
        });
        return deleted[0];
    }

    @Override
    public void putIndexEntry(TableName table, String index, byte[] key, DocumentId id) {
        write("writing an index entry", () -> {
            checkKey(key);
            requireTable(table);
            PreparedStatement ps = conn.prepare(
                    "INSERT OR IGNORE INTO nimbus_index_entries (tbl, idx, key, doc_id) VALUES (?, ?, ?, ?)");
            ps.setString(1, table.value());
            ps.setString(2, index);
            ps.setBytes(3, key);
            ps.setString(4, id.value());
            ps.executeUpdate();
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
            PreparedStatement ps = conn.prepare(
                    "DELETE FROM nimbus_index_entries WHERE tbl = ? AND idx = ? AND key = ? AND doc_id = ?");
            ps.setString(1, table.value());
            ps.setString(2, index);
            ps.setBytes(3, key);
            ps.setString(4, id.value());
            ps.executeUpdate();
        });
    }

    @Override
    public void dropIndex(TableName table, String index) {
        write("dropping an index", () -> {
            PreparedStatement ps = conn.prepare("DELETE FROM nimbus_index_entries WHERE tbl = ? AND idx = ?");
            ps.setString(1, table.value());
            ps.setString(2, index);
            ps.executeUpdate();
        });
    }

    @Override
    public void putSchema(TableSchema schema) {
        write("writing a schema", () -> {
            requireTable(schema.table());
            PreparedStatement ps = conn.prepare(
                    "INSERT INTO nimbus_schemas (tbl, schema_json) VALUES (?, ?)"
                    + " ON CONFLICT (tbl) DO UPDATE SET schema_json = excluded.schema_json");
            ps.setString(1, schema.table().value());
            ps.setString(2, SchemaJson.write(schema));
            ps.executeUpdate();
        });
    }

    @Override
    public void deleteSchema(TableName table) {
        write("deleting a schema", () -> {
            PreparedStatement ps = conn.prepare("DELETE FROM nimbus_schemas WHERE tbl = ?");
            ps.setString(1, table.value());
            ps.executeUpdate();
        });
    }

    @Override
    public long lastSequence() {
        return lastSequence;
    }

    @Override
    public void appendJournal(JournalRecord record) {
        buffer("appending to the journal", () -> {
            if (record.sequence() != lastSequence + 1) {
                throw new NimbusException(ErrorCode.INTERNAL, "journal sequence " + record.sequence()
                        + " does not follow " + lastSequence);
            }
            JournalCodec.Encoded encoded = JournalCodec.encode(record,
                    d -> {
                        String body = encodedBodies.get(d);
                        return body != null ? body : DocumentCodec.encodeBody(d.fields());
                    });
            pendingJournal.add(new Object[] {record.sequence(), record.timestampMicros(), encoded.bytes(),
                encoded.sha256()});
            lastSequence = record.sequence();
        });
    }

    @Override
    public void commit() {
        commitDeferred().await();
    }

    @Override
    public PendingDurability commitDeferred() {
        if (finished) {
            throw new IllegalStateException("the write transaction is finished");
        }
        try {
            flushPending();
            conn.execute("COMMIT");
        } catch (SQLException e) {
            close();
            throw SqliteErrors.map("committing", e);
        }
        long commit = walSync.committed();
        finished = true;
        encodedBodies.clear();
        cache.lastSequence = lastSequence;
        cache.tables = knownTables;
        releaseWriter.run(); // the next transaction may start while this one syncs
        AtomicBoolean awaited = new AtomicBoolean();
        return () -> {
            if (!awaited.compareAndSet(false, true)) {
                throw new IllegalStateException("durability of a commit awaited twice");
            }
            try {
                walSync.syncThrough(commit);
            } finally {
                releaseLease.run();
            }
        };
    }

    private void onFinish() {
        releaseWriter.run();
        releaseLease.run();
    }

    @Override
    public void close() {
        if (finished) {
            return;
        }
        finished = true;
        encodedBodies.clear();
        pendingDocuments.clear();
        pendingJournal.clear();
        try {
            conn.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // SQLite may already have rolled back (e.g. after an I/O error)
        } finally {
            onFinish();
        }
    }
}
