package dev.nimbus.storage.checked;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.storage.DocumentScan;
import dev.nimbus.storage.IndexHit;
import dev.nimbus.storage.IndexScan;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.Snapshot;
import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.StoreReader;
import dev.nimbus.storage.TenantStore;
import dev.nimbus.storage.WriteTransaction;

import java.util.List;
import java.util.Optional;

/**
 * Wraps any provider and checks, on every call, what the contract promises about results:
 * scans come back in order, inside their range and limit, after their resume point; journal
 * reads are contiguous and ascending; a get returns the id asked for. A violation is an
 * {@link AssertionError} naming the provider. The conformance kit runs every provider through
 * this; it is cheap enough to enable in debug builds of the server too.
 */
public final class CheckedStorageProvider implements StorageProvider {
    private final StorageProvider delegate;

    public CheckedStorageProvider(StorageProvider delegate) {
        this.delegate = delegate;
    }

    @Override
    public String kind() {
        return delegate.kind();
    }

    @Override
    public TenantStore create(TenantId tenant) {
        return new CheckedStore(delegate.create(tenant), delegate.kind());
    }

    @Override
    public TenantStore open(TenantId tenant) {
        return new CheckedStore(delegate.open(tenant), delegate.kind());
    }

    @Override
    public boolean exists(TenantId tenant) {
        return delegate.exists(tenant);
    }

    @Override
    public List<TenantId> list() {
        List<TenantId> out = delegate.list();
        for (int i = 1; i < out.size(); i++) {
            check(out.get(i - 1).compareTo(out.get(i)) < 0, delegate.kind(), "list() is not sorted and unique");
        }
        return out;
    }

    @Override
    public void drop(TenantId tenant) {
        delegate.drop(tenant);
    }

    @Override
    public void close() {
        delegate.close();
    }

    static void check(boolean ok, String kind, String what) {
        if (!ok) {
            throw new AssertionError("storage provider '" + kind + "' broke its contract: " + what);
        }
    }

    private record CheckedStore(TenantStore delegate, String kind) implements TenantStore {
        @Override
        public TenantId tenant() {
            return delegate.tenant();
        }

        @Override
        public WriteTransaction beginWrite() {
            return new CheckedWrite(delegate.beginWrite(), kind);
        }

        @Override
        public Snapshot snapshot() {
            return new CheckedSnapshot(delegate.snapshot(), kind);
        }
    }

    /** The read checks, shared by snapshots and write transactions. */
    private abstract static class CheckedReads implements StoreReader {
        final StoreReader reads;
        final String kind;

        CheckedReads(StoreReader reads, String kind) {
            this.reads = reads;
            this.kind = kind;
        }

        @Override
        public Optional<Document> get(TableName table, DocumentId id) {
            Optional<Document> d = reads.get(table, id);
            check(d.isEmpty() || d.get().id().equals(id), kind, "get returned another document");
            return d;
        }

        @Override
        public List<Document> scanDocuments(TableName table, DocumentScan scan) {
            List<Document> out = reads.scanDocuments(table, scan);
            check(out.size() <= scan.limit(), kind, "scanDocuments exceeded its limit");
            for (int i = 0; i < out.size(); i++) {
                DocumentId id = out.get(i).id();
                if (i > 0) {
                    int c = out.get(i - 1).id().compareTo(id);
                    check(scan.descending() ? c > 0 : c < 0, kind, "scanDocuments out of order");
                }
                if (scan.after().isPresent()) {
                    int c = id.compareTo(scan.after().get());
                    check(scan.descending() ? c < 0 : c > 0, kind, "scanDocuments returned the resume point or before");
                }
            }
            return out;
        }

        @Override
        public List<IndexHit> scanIndex(TableName table, String index, IndexScan scan) {
            List<IndexHit> out = reads.scanIndex(table, index, scan);
            check(out.size() <= scan.limit(), kind, "scanIndex exceeded its limit");
            for (int i = 0; i < out.size(); i++) {
                IndexHit hit = out.get(i);
                check(scan.range().contains(hit.key()), kind, "scanIndex returned a key outside its range");
                if (i > 0) {
                    int c = out.get(i - 1).position().compareTo(hit.key(), hit.id());
                    check(scan.descending() ? c > 0 : c < 0, kind, "scanIndex out of (key, id) order");
                }
                if (scan.after().isPresent()) {
                    int c = scan.after().get().compareTo(hit.key(), hit.id());
                    check(scan.descending() ? c > 0 : c < 0, kind, "scanIndex returned the resume point or before");
                }
                check(scan.withDocuments() || hit.document().isEmpty(), kind, "scanIndex loaded unrequested documents");
                check(hit.document().isEmpty() || hit.document().get().id().equals(hit.id()), kind,
                        "scanIndex joined the wrong document");
            }
            return out;
        }

        @Override
        public List<TableName> tables() {
            List<TableName> out = reads.tables();
            for (int i = 1; i < out.size(); i++) {
                check(out.get(i - 1).compareTo(out.get(i)) < 0, kind, "tables() is not sorted and unique");
            }
            return out;
        }

        @Override
        public Optional<TableSchema> schema(TableName table) {
            Optional<TableSchema> s = reads.schema(table);
            check(s.isEmpty() || s.get().table().equals(table), kind, "schema() returned another table's schema");
            return s;
        }

        @Override
        public long lastSequence() {
            long s = reads.lastSequence();
            check(s >= 0, kind, "negative journal head");
            return s;
        }

        @Override
        public List<JournalRecord> readJournal(long afterSequence, int limit) {
            List<JournalRecord> out = reads.readJournal(afterSequence, limit);
            check(out.size() <= Math.max(1, limit), kind, "readJournal exceeded its limit");
            long expected = afterSequence + 1;
            for (JournalRecord r : out) {
                check(r.sequence() == expected, kind, "readJournal skipped or reordered sequence " + expected);
                expected++;
            }
            return out;
        }
    }

    private static final class CheckedSnapshot extends CheckedReads implements Snapshot {
        private final Snapshot snapshot;

        CheckedSnapshot(Snapshot snapshot, String kind) {
            super(snapshot, kind);
            this.snapshot = snapshot;
        }

        @Override
        public void close() {
            snapshot.close();
        }
    }

    private static final class CheckedWrite extends CheckedReads implements WriteTransaction {
        private final WriteTransaction tx;

        CheckedWrite(WriteTransaction tx, String kind) {
            super(tx, kind);
            this.tx = tx;
        }

        @Override
        public void ensureTable(TableName table) {
            tx.ensureTable(table);
        }

        @Override
        public void dropTable(TableName table) {
            tx.dropTable(table);
        }

        @Override
        public void putDocument(TableName table, Document document) {
            tx.putDocument(table, document);
        }

        @Override
        public void insertDocument(TableName table, Document document) {
            tx.insertDocument(table, document);
        }

        @Override
        public void flush() {
            tx.flush();
        }

        @Override
        public void putDocument(TableName table, Document document, String encodedFields) {
            tx.putDocument(table, document, encodedFields);
        }

        @Override
        public void insertDocument(TableName table, Document document, String encodedFields) {
            tx.insertDocument(table, document, encodedFields);
        }

        @Override
        public boolean deleteDocument(TableName table, DocumentId id) {
            return tx.deleteDocument(table, id);
        }

        @Override
        public void putIndexEntry(TableName table, String index, byte[] key, DocumentId id) {
            tx.putIndexEntry(table, index, key, id);
        }

        @Override
        public void deleteIndexEntry(TableName table, String index, byte[] key, DocumentId id) {
            tx.deleteIndexEntry(table, index, key, id);
        }

        @Override
        public void dropIndex(TableName table, String index) {
            tx.dropIndex(table, index);
        }

        @Override
        public void putSchema(TableSchema schema) {
            tx.putSchema(schema);
        }

        @Override
        public void deleteSchema(TableName table) {
            tx.deleteSchema(table);
        }

        @Override
        public void appendJournal(JournalRecord record) {
            long before = tx.lastSequence();
            tx.appendJournal(record);
            check(tx.lastSequence() == before + 1, kind, "appendJournal did not advance the head by one");
        }

        @Override
        public void commit() {
            tx.commit();
        }

        @Override
        public dev.nimbus.storage.PendingDurability commitDeferred() {
            return tx.commitDeferred();
        }

        @Override
        public void close() {
            tx.close();
        }
    }
}
