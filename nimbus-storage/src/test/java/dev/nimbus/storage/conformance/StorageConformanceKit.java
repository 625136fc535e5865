package dev.nimbus.storage.conformance;

import dev.nimbus.core.codec.KeyCodec;
import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.DocumentIdGenerator;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.schema.FieldType;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.testing.RandomValues;
import dev.nimbus.core.value.Value;
import dev.nimbus.storage.DocumentScan;
import dev.nimbus.storage.IndexHit;
import dev.nimbus.storage.IndexPosition;
import dev.nimbus.storage.IndexScan;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.KeyRange;
import dev.nimbus.storage.Snapshot;
import dev.nimbus.storage.StorageLimits;
import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.TenantStore;
import dev.nimbus.storage.WriteTransaction;
import dev.nimbus.storage.checked.CheckedStorageProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The storage conformance kit: one suite every provider runs unchanged (published as the
 * test-jar of nimbus-storage). A provider's test extends this class and says how to make a
 * provider; every call goes through {@link CheckedStorageProvider}, so result-shape violations
 * fail too. Tenants get unique ids per test, so providers backed by a shared server (Postgres,
 * MySQL) can run it without cleanup between tests.
 */
public abstract class StorageConformanceKit {

    /**
     * A fresh provider over {@code dir} (file providers) or the provider's configured server.
     * Called again with the same dir after {@link StorageProvider#close()} to test reopening.
     */
    protected abstract StorageProvider newProvider(Path dir);

    @TempDir
    protected Path dir;

    protected StorageProvider provider;
    private final List<TenantId> created = new ArrayList<>();
    private final DocumentIdGenerator ids = new DocumentIdGenerator();
    protected static final TableName T = TableName.of("things");
    protected static final String IDX = "by_value";

    @BeforeEach
    void openProvider() {
        provider = new CheckedStorageProvider(newProvider(dir));
    }

    @AfterEach
    void closeProvider() {
        if (provider == null) {
            return; // newProvider failed or was skipped
        }
        try {
            for (TenantId t : created) {
                if (provider.exists(t)) {
                    provider.drop(t);
                }
            }
        } finally {
            provider.close();
        }
    }

    protected TenantStore newTenant() {
        TenantId id = new TenantId("t" + UUID.randomUUID().toString().replace("-", "").substring(0, 20));
        created.add(id);
        return provider.create(id);
    }

    protected Document doc(Map<String, Value> fields) {
        long now = System.currentTimeMillis() * 1000;
        return new Document(ids.next(), now, now, new Value.Obj(fields));
    }

    protected static JournalRecord record(long seq, TableName table, Document d) {
        return new JournalRecord(seq, d.updateTimeMicros(),
                List.of(new JournalRecord.Write(table, d.id(), JournalRecord.Op.INSERT, Optional.of(d))),
                Optional.empty());
    }

    /** Writes documents with one index entry each (key = encoded value of field "v"), journaled. */
    protected List<Document> insert(TenantStore store, List<Value> values) {
        List<Document> out = new ArrayList<>();
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(T);
            long seq = tx.lastSequence();
            for (Value v : values) {
                Document d = doc(Map.of("v", v));
                tx.insertDocument(T, d);
                tx.putIndexEntry(T, IDX, KeyCodec.encodeTuple(List.of(v)), d.id());
                tx.appendJournal(record(++seq, T, d));
                out.add(d);
            }
            tx.commit();
        }
        return out;
    }

    // ---- tenants -----------------------------------------------------------------------------

    @Test
    void tenantsAreCreatedListedOpenedAndDropped() {
        TenantStore store = newTenant();
        TenantId id = store.tenant();
        assertThat(provider.exists(id)).isTrue();
        assertThat(provider.list()).contains(id);
        assertThatThrownBy(() -> provider.create(id)).isInstanceOfSatisfying(NimbusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS));
        insert(store, List.of(Value.of(1L)));
        provider.drop(id);
        assertThat(provider.exists(id)).isFalse();
        assertThat(provider.list()).doesNotContain(id);
        assertThatThrownBy(() -> provider.open(id)).isInstanceOfSatisfying(NimbusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
        assertThatThrownBy(() -> provider.drop(id)).isInstanceOfSatisfying(NimbusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
        // Re-creating a dropped tenant starts empty.
        TenantStore again = provider.create(id);
        try (Snapshot s = again.snapshot()) {
            assertThat(s.tables()).isEmpty();
            assertThat(s.lastSequence()).isZero();
        }
    }

    // ---- atomicity ---------------------------------------------------------------------------

    @Test
    void aTransactionClosedWithoutCommitLeavesNothing() {
        TenantStore store = newTenant();
        Document d = doc(Map.of("a", Value.of(1L)));
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(T);
            tx.putDocument(T, d);
            tx.putIndexEntry(T, IDX, KeyCodec.encode(Value.of(1L)), d.id());
            tx.putSchema(new TableSchema(T, List.of(), List.of(), Optional.empty()));
            tx.appendJournal(record(1, T, d));
            assertThat(tx.get(T, d.id())).contains(d); // the transaction sees its own writes
        }
        assertEmpty(store);
    }

    @Test
    void aFailureInTheMiddleOfATransactionLeavesNothingVisible() {
        TenantStore store = newTenant();
        Document d = doc(Map.of("a", Value.of(1L)));
        WriteTransaction tx = store.beginWrite();
        tx.ensureTable(T);
        tx.putDocument(T, d);
        tx.putIndexEntry(T, IDX, KeyCodec.encode(Value.of(1L)), d.id());
        tx.appendJournal(record(1, T, d));
        // A record out of sequence is refused, and the refusal rolls back the whole transaction.
        assertThatThrownBy(() -> tx.appendJournal(record(5, T, d))).isInstanceOf(NimbusException.class);
        assertThatThrownBy(tx::commit).isInstanceOf(RuntimeException.class);
        tx.close();
        assertEmpty(store);
        // The writer is free again and works.
        insert(store, List.of(Value.of(2L)));
        try (Snapshot s = store.snapshot()) {
            assertThat(s.lastSequence()).isEqualTo(1);
        }
    }

    @Test
    void anOversizedDocumentIsRefusedAndRollsBackItsTransaction() {
        TenantStore store = newTenant();
        Document small = doc(Map.of("a", Value.of(1L)));
        Document huge = doc(Map.of("blob", Value.of("x".repeat(StorageLimits.DOCUMENT_BYTES_MAX + 1))));
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(T);
            tx.putDocument(T, small);
            assertThatThrownBy(() -> tx.putDocument(T, huge)).isInstanceOfSatisfying(NimbusException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT));
        }
        assertEmpty(store);
    }

    private void assertEmpty(TenantStore store) {
        try (Snapshot s = store.snapshot()) {
            assertThat(s.tables()).isEmpty();
            assertThat(s.lastSequence()).isZero();
            assertThat(s.readJournal(0, 10)).isEmpty();
            assertThat(s.scanDocuments(T, DocumentScan.first(10))).isEmpty();
            assertThat(s.scanIndex(T, IDX, IndexScan.of(KeyRange.ALL, 10))).isEmpty();
            assertThat(s.schema(T)).isEmpty();
        }
    }

    // ---- index range scans -------------------------------------------------------------------

    /**
     * Random values, random ranges (inclusive/exclusive/unbounded/prefix), both directions,
     * random limits and pagination: the provider's answer equals brute-force filtering of the
     * same entries sorted by (key, id).
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void indexRangeScansEqualBruteForceFiltering(long seed) {
        Random random = new Random(seed);
        RandomValues values = new RandomValues(random, 2);
        TenantStore store = newTenant();
        List<Value> inserted = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            // Duplicates on purpose: equal keys are ordered by document id.
            inserted.add(i > 0 && random.nextInt(5) == 0 ? inserted.get(random.nextInt(i)) : values.value());
        }
        List<Document> docs = insert(store, inserted);
        List<IndexPosition> all = new ArrayList<>();
        for (Document d : docs) {
            all.add(new IndexPosition(KeyCodec.encodeTuple(List.of(d.fields().get("v"))), d.id()));
        }
        Comparator<IndexPosition> order = (a, b) -> a.compareTo(b.key(), b.id());
        all.sort(order);

        try (Snapshot s = store.snapshot()) {
            for (int round = 0; round < 150; round++) {
                KeyRange range = randomRange(random, values, inserted);
                boolean descending = random.nextBoolean();
                int limit = 1 + random.nextInt(40);
                List<IndexPosition> expected = all.stream().filter(p -> range.contains(p.key()))
                        .sorted(descending ? order.reversed() : order).toList();
                // Page through with `after` and compare the concatenation.
                List<IndexPosition> got = new ArrayList<>();
                Optional<IndexPosition> after = Optional.empty();
                for (int page = 0; page < 400; page++) {
                    List<IndexHit> hits = s.scanIndex(T, IDX, new IndexScan(range, descending, limit, after, page % 2 == 0));
                    for (IndexHit h : hits) {
                        got.add(h.position());
                        if (page % 2 == 0) {
                            assertThat(h.document()).isPresent();
                            assertThat(KeyCodec.encodeTuple(List.of(h.document().get().fields().get("v"))))
                                    .isEqualTo(h.key());
                        }
                    }
                    if (hits.size() < limit) {
                        break;
                    }
                    after = Optional.of(hits.get(hits.size() - 1).position());
                }
                assertThat(got).as("range %s desc=%s limit=%d", range, descending, limit).isEqualTo(expected);
            }
        }
    }

    private static KeyRange randomRange(Random random, RandomValues values, List<Value> inserted) {
        switch (random.nextInt(5)) {
            case 0:
                return KeyRange.ALL;
            case 1: {
                // An equality prefix, like "field == value" on an index.
                Value v = inserted.get(random.nextInt(inserted.size()));
                return KeyRange.prefix(KeyCodec.encode(v));
            }
            default: {
                Value a = random.nextBoolean() ? inserted.get(random.nextInt(inserted.size())) : values.value();
                Value b = random.nextBoolean() ? inserted.get(random.nextInt(inserted.size())) : values.value();
                if (a.compareTo(b) > 0) {
                    Value t = a;
                    a = b;
                    b = t;
                }
                byte[] lower = random.nextInt(6) == 0 ? null : KeyCodec.encode(a);
                byte[] upper = random.nextInt(6) == 0 ? null : KeyCodec.encode(b);
                return new KeyRange(lower, random.nextBoolean(), upper, random.nextBoolean());
            }
        }
    }

    @Test
    void documentScansPageInIdOrderBothWays() {
        TenantStore store = newTenant();
        List<Value> vs = new ArrayList<>();
        for (int i = 0; i < 57; i++) {
            vs.add(Value.of((long) i));
        }
        List<DocumentId> expected = insert(store, vs).stream().map(Document::id).sorted().toList();
        try (Snapshot s = store.snapshot()) {
            for (boolean descending : new boolean[] {false, true}) {
                List<DocumentId> got = new ArrayList<>();
                Optional<DocumentId> after = Optional.empty();
                for (int page = 0; page < 100; page++) {
                    List<Document> docs = s.scanDocuments(T, new DocumentScan(after, descending, 10));
                    docs.forEach(d -> got.add(d.id()));
                    if (docs.size() < 10) {
                        break;
                    }
                    after = Optional.of(docs.get(docs.size() - 1).id());
                }
                List<DocumentId> want = new ArrayList<>(expected);
                if (descending) {
                    java.util.Collections.reverse(want);
                }
                assertThat(got).isEqualTo(want);
            }
        }
    }

    // ---- snapshots ---------------------------------------------------------------------------

    @Test
    void aSnapshotIsUnaffectedByLaterCommits() {
        TenantStore store = newTenant();
        Document first = insert(store, List.of(Value.of("before"))).get(0);
        try (Snapshot old = store.snapshot()) {
            Document added;
            try (WriteTransaction tx = store.beginWrite()) {
                Document changed = new Document(first.id(), first.creationTimeMicros(),
                        first.updateTimeMicros() + 1, new Value.Obj(Map.of("v", Value.of("after"))));
                tx.putDocument(T, changed);
                added = doc(Map.of("v", Value.of("new")));
                tx.putDocument(T, added);
                tx.putIndexEntry(T, IDX, KeyCodec.encode(Value.of("new")), added.id());
                tx.appendJournal(record(2, T, added));
                tx.commit();
            }
            try (WriteTransaction tx = store.beginWrite()) {
                tx.deleteDocument(T, first.id());
                tx.commit();
            }
            assertThat(old.get(T, first.id())).contains(first);
            assertThat(old.get(T, added.id())).isEmpty();
            assertThat(old.scanDocuments(T, DocumentScan.first(10))).containsExactly(first);
            assertThat(old.scanIndex(T, IDX, IndexScan.of(KeyRange.ALL, 10))).hasSize(1);
            assertThat(old.lastSequence()).isEqualTo(1);
            try (Snapshot fresh = store.snapshot()) {
                assertThat(fresh.get(T, first.id())).isEmpty();
                assertThat(fresh.get(T, added.id())).contains(added);
                assertThat(fresh.lastSequence()).isEqualTo(2);
            }
        }
    }

    @Test
    void snapshotsReadWhileTheWriterIsBusy() {
        TenantStore store = newTenant();
        Document d = insert(store, List.of(Value.of(1L))).get(0);
        try (WriteTransaction tx = store.beginWrite()) {
            tx.deleteDocument(T, d.id());
            try (Snapshot s = store.snapshot()) {
                assertThat(s.get(T, d.id())).contains(d); // uncommitted writes are invisible
            }
        }
        try (Snapshot s = store.snapshot()) {
            assertThat(s.get(T, d.id())).contains(d); // and rolled back
        }
    }

    // ---- journal -----------------------------------------------------------------------------

    @Test
    void theJournalIsContiguousOrderedAndComplete() {
        TenantStore store = newTenant();
        List<DocumentId> written = new ArrayList<>();
        for (int batch = 0; batch < 12; batch++) {
            List<Value> vs = new ArrayList<>();
            for (int i = 0; i <= batch; i++) {
                vs.add(Value.of((long) batch * 100 + i));
            }
            insert(store, vs).forEach(d -> written.add(d.id()));
        }
        try (Snapshot s = store.snapshot()) {
            assertThat(s.lastSequence()).isEqualTo(written.size());
            List<JournalRecord> all = new ArrayList<>();
            long after = 0;
            for (int page = 0; page < 100; page++) {
                List<JournalRecord> records = s.readJournal(after, 7);
                all.addAll(records);
                if (records.isEmpty()) {
                    break;
                }
                after = records.get(records.size() - 1).sequence();
            }
            assertThat(all).hasSize(written.size());
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).sequence()).isEqualTo(i + 1);
                assertThat(all.get(i).writes().get(0).id()).isEqualTo(written.get(i));
                Document journaled = all.get(i).writes().get(0).after().orElseThrow();
                assertThat(s.get(T, journaled.id())).contains(journaled);
            }
        }
    }

    @Test
    void journalRecordsKeepDeletesUpdatesAndExecutionIds() {
        TenantStore store = newTenant();
        Document d = insert(store, List.of(Value.of(1L))).get(0);
        try (WriteTransaction tx = store.beginWrite()) {
            tx.deleteDocument(T, d.id());
            tx.appendJournal(new JournalRecord(2, 5, List.of(
                    new JournalRecord.Write(T, d.id(), JournalRecord.Op.DELETE, Optional.empty())),
                    Optional.of("job-1:run-1")));
            tx.commit();
        }
        try (Snapshot s = store.snapshot()) {
            JournalRecord r = s.readJournal(1, 10).get(0);
            assertThat(r.scheduledExecutionId()).contains("job-1:run-1");
            assertThat(r.writes().get(0).op()).isEqualTo(JournalRecord.Op.DELETE);
            assertThat(r.timestampMicros()).isEqualTo(5);
        }
    }

    // ---- tenants are separate ----------------------------------------------------------------

    @Test
    void noCallOnOneTenantObservesAnother() {
        TenantStore a = newTenant();
        TenantStore b = newTenant();
        Document da = insert(a, List.of(Value.of("only-in-a"))).get(0);
        try (WriteTransaction tx = a.beginWrite()) {
            tx.putSchema(new TableSchema(T, List.of(new TableSchema.FieldSpec("v", FieldType.ANY, true)),
                    List.of(), Optional.empty()));
            tx.commit();
        }
        try (Snapshot s = b.snapshot()) {
            assertThat(s.get(T, da.id())).isEmpty();
            assertThat(s.tables()).isEmpty();
            assertThat(s.schema(T)).isEmpty();
            assertThat(s.lastSequence()).isZero();
            assertThat(s.readJournal(0, 100)).isEmpty();
            assertThat(s.scanDocuments(T, DocumentScan.first(100))).isEmpty();
            assertThat(s.scanIndex(T, IDX, IndexScan.of(KeyRange.ALL, 100))).isEmpty();
        }
        // The same table and id in b hold b's own data, and dropping b leaves a intact.
        try (WriteTransaction tx = b.beginWrite()) {
            tx.ensureTable(T);
            tx.putDocument(T, new Document(da.id(), 1, 1, new Value.Obj(Map.of("v", Value.of("b's")))));
            tx.commit();
        }
        try (Snapshot s = a.snapshot()) {
            assertThat(s.get(T, da.id())).contains(da);
        }
        provider.drop(b.tenant());
        try (Snapshot s = a.snapshot()) {
            assertThat(s.get(T, da.id())).contains(da);
            assertThat(s.lastSequence()).isEqualTo(1);
        }
    }

    // ---- content -----------------------------------------------------------------------------

    @Test
    void unicodeAndEveryValueKindRoundTrip() {
        TenantStore store = newTenant();
        RandomValues values = new RandomValues(new Random(42), 4);
        Map<String, Value> fields = new LinkedHashMap<>();
        fields.put("emoji \uD83D\uDE00 \u0000 \uFFFF", Value.of("\uD83C\uDF0D\u00e9\u4e2d\u0000\uFFFD"));
        for (int i = 0; i < 200; i++) {
            fields.put("f" + i + values.string(), values.value());
        }
        Document d = doc(fields);
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(T);
            tx.putDocument(T, d);
            tx.appendJournal(record(1, T, d));
            tx.commit();
        }
        try (Snapshot s = store.snapshot()) {
            Document back = s.get(T, d.id()).orElseThrow();
            assertThat(back).isEqualTo(d);
            assertThat(List.copyOf(back.fields().fields().keySet()))
                    .as("field order is kept").isEqualTo(List.copyOf(fields.keySet()));
            assertThat(s.readJournal(0, 1).get(0).writes().get(0).after()).contains(d);
        }
    }

    @Test
    void documentsUpToTheSizeLimitAreStored() {
        TenantStore store = newTenant();
        // Canonical JSON: {"blob":"..."} adds 11 bytes around the string.
        Document big = doc(Map.of("blob", Value.of("\u00e9".repeat((StorageLimits.DOCUMENT_BYTES_MAX - 11) / 2))));
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(T);
            tx.putDocument(T, big);
            tx.commit();
        }
        try (Snapshot s = store.snapshot()) {
            assertThat(s.get(T, big.id())).contains(big);
        }
    }

    @Test
    void indexKeysBeyondTheLimitAreRefused() {
        TenantStore store = newTenant();
        Document d = doc(Map.of());
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(T);
            assertThatThrownBy(() -> tx.putIndexEntry(T, IDX, new byte[StorageLimits.INDEX_KEY_BYTES_MAX + 1], d.id()))
                    .isInstanceOfSatisfying(NimbusException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT));
        }
    }

    // ---- catalog and schemas -----------------------------------------------------------------

    @Test
    void catalogSchemasAndIndexesCanBeReplacedAndDropped() {
        TenantStore store = newTenant();
        TableName other = TableName.of("other");
        TableSchema schema = new TableSchema(T, List.of(new TableSchema.FieldSpec("v", FieldType.NUMBER, true)),
                List.of(new TableSchema.IndexDefinition(IDX, List.of(FieldPath.parse("v")),
                        TableSchema.IndexState.ENABLED)), Optional.of(new TableSchema.AccessPolicy(
                        Optional.of("true"), Optional.empty())));
        List<Document> docs = insert(store, List.of(Value.of(1L), Value.of(2L)));
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(other);
            tx.ensureTable(other); // idempotent
            tx.putSchema(schema);
            tx.commit();
        }
        try (Snapshot s = store.snapshot()) {
            assertThat(s.tables()).containsExactly(other, T);
            assertThat(s.schema(T)).contains(schema);
        }
        try (WriteTransaction tx = store.beginWrite()) {
            tx.dropIndex(T, IDX);
            tx.deleteIndexEntry(T, IDX, KeyCodec.encode(Value.of(1L)), docs.get(0).id()); // already gone: no-op
            tx.deleteSchema(T);
            tx.dropTable(other);
            tx.commit();
        }
        try (Snapshot s = store.snapshot()) {
            assertThat(s.tables()).containsExactly(T);
            assertThat(s.schema(T)).isEmpty();
            assertThat(s.scanIndex(T, IDX, IndexScan.of(KeyRange.ALL, 10))).isEmpty();
            assertThat(s.scanDocuments(T, DocumentScan.first(10))).hasSize(2);
        }
        try (WriteTransaction tx = store.beginWrite()) {
            tx.dropTable(T);
            tx.commit();
        }
        try (Snapshot s = store.snapshot()) {
            assertThat(s.tables()).isEmpty();
            assertThat(s.scanDocuments(T, DocumentScan.first(10))).isEmpty();
        }
    }

    @Test
    void writingToATableMissingFromTheCatalogIsRefused() {
        TenantStore store = newTenant();
        try (WriteTransaction tx = store.beginWrite()) {
            assertThatThrownBy(() -> tx.putDocument(T, doc(Map.of()))).isInstanceOf(NimbusException.class);
        }
    }

    // ---- durability --------------------------------------------------------------------------

    @Test
    void reopeningAfterCloseKeepsEverything() {
        TenantStore store = newTenant();
        TenantId id = store.tenant();
        List<Value> vs = List.of(Value.of("a"), Value.of(2.5), Value.of(new java.math.BigDecimal("1e-40")));
        List<Document> docs = insert(store, vs);
        TableSchema schema = new TableSchema(T, List.of(), List.of(), Optional.empty());
        try (WriteTransaction tx = store.beginWrite()) {
            tx.putSchema(schema);
            tx.commit();
        }
        provider.close();
        provider = new CheckedStorageProvider(newProvider(dir));
        assertThat(provider.list()).contains(id);
        TenantStore reopened = provider.open(id);
        try (Snapshot s = reopened.snapshot()) {
            for (Document d : docs) {
                assertThat(s.get(T, d.id())).contains(d);
            }
            assertThat(s.schema(T)).contains(schema);
            assertThat(s.tables()).containsExactly(T);
            assertThat(s.lastSequence()).isEqualTo(3);
            assertThat(s.readJournal(0, 10)).hasSize(3);
            assertThat(s.scanIndex(T, IDX, IndexScan.of(KeyRange.ALL, 10)).stream()
                    .map(h -> h.document().orElseThrow().fields().get("v")).toList())
                    .containsExactlyInAnyOrderElementsOf(vs);
        }
        // And it keeps accepting writes where it left off.
        insert(reopened, List.of(Value.of(9L)));
        try (Snapshot s = reopened.snapshot()) {
            assertThat(s.lastSequence()).isEqualTo(4);
        }
    }

    @Test
    void theWriterIsExclusive() throws Exception {
        TenantStore store = newTenant();
        WriteTransaction first = store.beginWrite();
        first.ensureTable(T);
        var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (WriteTransaction tx = store.beginWrite()) {
                long seen = tx.lastSequence();
                tx.commit();
                return seen;
            }
        });
        Thread.sleep(100);
        assertThat(second).isNotDone();
        Document d = doc(Map.of());
        first.putDocument(T, d);
        first.appendJournal(record(1, T, d));
        first.commit();
        first.close();
        assertThat(second.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
    }
}
