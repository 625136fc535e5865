package dev.nimbus.storage.mysql;

import dev.nimbus.core.codec.KeyCodec;
import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.DocumentIdGenerator;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.storage.DocumentScan;
import dev.nimbus.storage.IndexHit;
import dev.nimbus.storage.IndexPosition;
import dev.nimbus.storage.IndexScan;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.KeyRange;
import dev.nimbus.storage.Snapshot;
import dev.nimbus.storage.StorageLimits;
import dev.nimbus.storage.TenantStore;
import dev.nimbus.storage.WriteTransaction;
import dev.nimbus.storage.sqlite.SqliteStorageProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What only the MySQL provider promises: safe database names for any tenant id, tenant
 * lifecycle under concurrency and crashes, the writer lock across processes, connection loss,
 * byte-exact ordering in InnoDB, and the same stored bytes as SQLite.
 */
class MysqlStorageProviderTest {
    private static final String RUN = MysqlTestServer.uniqueSuffix();
    private static final String METADATA_DATABASE = "nimbus_provider_p" + RUN;
    private static final String TENANT_PREFIX = "p" + RUN + "_";
    private static final TableName T = TableName.of("things");
    private static final String IDX = "by_value";

    private final DocumentIdGenerator ids = new DocumentIdGenerator();
    private MysqlStorageProvider provider;

    @BeforeAll
    static void requireServer() {
        MysqlTestServer.require();
    }

    @AfterAll
    static void dropDatabases() {
        MysqlTestServer.dropAll(METADATA_DATABASE, TENANT_PREFIX);
    }

    @BeforeEach
    void openProvider() {
        provider = newProvider(MysqlOptions.DEFAULT_LOCK_WAIT_MILLIS);
    }

    @AfterEach
    void closeProvider() {
        for (TenantId t : provider.list()) {
            provider.drop(t);
        }
        provider.close();
    }

    private static MysqlStorageProvider newProvider(long lockWaitMillis) {
        return new MysqlStorageProvider(MysqlTestServer.options(METADATA_DATABASE, TENANT_PREFIX)
                .withLockWaitMillis(lockWaitMillis));
    }

    private Document doc(String v) {
        return new Document(ids.next(), 1, 1, new Value.Obj(Map.of("v", Value.of(v))));
    }

    private void write(TenantStore store, Document d) {
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(T);
            tx.putDocument(T, d);
            tx.appendJournal(new JournalRecord(tx.lastSequence() + 1, 1, List.of(
                    new JournalRecord.Write(T, d.id(), JournalRecord.Op.INSERT, Optional.of(d))), Optional.empty()));
            tx.commit();
        }
    }

    // ---- names -------------------------------------------------------------------------------

    @Test
    void hostileTenantIdsGetSeparateSafelyNamedDatabases() throws Exception {
        List<TenantId> tenants = List.of(new TenantId("a-b_C"), new TenantId("a_b_c"), new TenantId("a-b-c"),
                new TenantId("Acme"), new TenantId("acme"), new TenantId("ACME"), new TenantId("-"),
                new TenantId("select"), new TenantId("information_schema"), TenantId.SYSTEM,
                new TenantId("Zz-9".repeat(32)), new TenantId("Zz-9".repeat(31) + "Zz-8"),
                new TenantId("x".repeat(128)));
        Map<TenantId, Document> written = new HashMap<>();
        for (TenantId t : tenants) {
            Document d = doc(t.value());
            write(provider.create(t), d);
            written.put(t, d);
        }
        assertThat(provider.list()).containsExactlyElementsOf(tenants.stream().sorted().toList());
        for (TenantId t : tenants) {
            try (Snapshot s = provider.open(t).snapshot()) {
                assertThat(s.scanDocuments(T, DocumentScan.first(10)))
                        .as("tenant %s sees exactly its own document", t).containsExactly(written.get(t));
            }
        }
        List<String> names = MysqlTestServer.databases(TENANT_PREFIX);
        assertThat(names).hasSize(tenants.size());
        assertThat(names).allSatisfy(n -> {
            assertThat(n.length()).isLessThanOrEqualTo(64);
            assertThat(n).matches("[a-z0-9_-]+");
        });
        // Distinct even where the server folds case (lower_case_table_names = 1 or 2).
        assertThat(names.stream().map(n -> n.toLowerCase(Locale.ROOT)).distinct()).hasSize(tenants.size());
        // Dropping one leaves its case-twins alone.
        provider.drop(new TenantId("acme"));
        try (Snapshot s = provider.open(new TenantId("Acme")).snapshot()) {
            assertThat(s.get(T, written.get(new TenantId("Acme")).id())).isPresent();
        }
        assertThat(provider.exists(new TenantId("ACME"))).isTrue();
        assertThat(provider.exists(new TenantId("acme"))).isFalse();
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    @Test
    void concurrentCreationOfOneTenantHasOneWinner() throws Exception {
        TenantId tenant = new TenantId("contended");
        try (MysqlStorageProvider other = newProvider(MysqlOptions.DEFAULT_LOCK_WAIT_MILLIS)) {
            int threads = 8;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<TenantStore>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                MysqlStorageProvider p = i % 2 == 0 ? provider : other; // two "processes"
                results.add(pool.submit((Callable<TenantStore>) () -> {
                    start.await();
                    return p.create(tenant);
                }));
            }
            start.countDown();
            int won = 0;
            int alreadyExists = 0;
            for (Future<TenantStore> f : results) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                    won++;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOfSatisfying(NimbusException.class,
                            n -> assertThat(n.code()).isEqualTo(ErrorCode.ALREADY_EXISTS));
                    alreadyExists++;
                }
            }
            pool.shutdown();
            assertThat(won).isEqualTo(1);
            assertThat(alreadyExists).isEqualTo(threads - 1);
            assertThat(provider.list()).containsExactly(tenant);
            write(other.open(tenant), doc("works"));
            try (Snapshot s = provider.open(tenant).snapshot()) {
                assertThat(s.lastSequence()).isEqualTo(1);
            }
        }
    }

    @Test
    void aCreationInterruptedByACrashIsInvisibleAndCleanedUpByTheNextCreate() throws Exception {
        TenantId tenant = new TenantId("crashed");
        String database = MysqlNames.tenantDatabase(TENANT_PREFIX, tenant);
        // What a process that died after the first DDL statements leaves behind.
        try (Connection c = MysqlTestServer.connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + MysqlNames.quote(METADATA_DATABASE) + ".nimbus_tenants"
                    + " (tenant_id, database_name, state, updated_micros) VALUES ('crashed', '" + database
                    + "', 'creating', 0)");
            s.execute(MysqlSchema.createDatabase(database));
            s.execute(MysqlSchema.createTenantTables(database)[0]);
        }
        assertThat(provider.exists(tenant)).isFalse();
        assertThat(provider.list()).doesNotContain(tenant);
        assertThatThrownBy(() -> provider.open(tenant)).isInstanceOfSatisfying(NimbusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));

        TenantStore store = provider.create(tenant);
        try (Snapshot s = store.snapshot()) {
            assertThat(s.tables()).isEmpty();
            assertThat(s.lastSequence()).isZero();
        }
        write(store, doc("after recovery"));
        assertThat(provider.list()).containsExactly(tenant);
    }

    @Test
    void aDropInterruptedByACrashIsFinishedByTheNextDrop() throws Exception {
        TenantId tenant = new TenantId("half-dropped");
        provider.create(tenant);
        try (Connection c = MysqlTestServer.connect(); Statement s = c.createStatement()) {
            s.execute("UPDATE " + MysqlNames.quote(METADATA_DATABASE) + ".nimbus_tenants SET state = 'dropping'"
                    + " WHERE tenant_id = 'half-dropped'");
        }
        assertThat(provider.exists(tenant)).isFalse();
        assertThatThrownBy(() -> provider.drop(tenant)).isInstanceOfSatisfying(NimbusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
        assertThat(MysqlTestServer.databases(MysqlNames.tenantDatabase(TENANT_PREFIX, tenant))).isEmpty();
        provider.create(tenant); // and the id is free again
    }

    @Test
    void droppingATenantEndsItsOpenSessionsAtOnce() {
        TenantId tenant = new TenantId("dropped-while-open");
        TenantStore store = provider.create(tenant);
        Document d = doc("x");
        write(store, d);
        Snapshot open = store.snapshot();
        assertThat(open.get(T, d.id())).contains(d);
        long started = System.nanoTime();
        provider.drop(tenant); // does not wait for the snapshot's metadata locks
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(3_000);
        assertThatThrownBy(() -> open.get(T, d.id())).isInstanceOfSatisfying(NimbusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
        open.close();
        assertThatThrownBy(store::beginWrite).isInstanceOfSatisfying(NimbusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
    }

    @Test
    void aTenantDroppedByAnotherProcessIsNotFoundThroughOldHandles() {
        TenantId tenant = new TenantId("dropped-elsewhere");
        TenantStore store = provider.create(tenant);
        try (MysqlStorageProvider other = newProvider(MysqlOptions.DEFAULT_LOCK_WAIT_MILLIS)) {
            other.drop(tenant);
        }
        assertThatThrownBy(store::snapshot).isInstanceOfSatisfying(NimbusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
        assertThatThrownBy(store::beginWrite).isInstanceOfSatisfying(NimbusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
    }

    // ---- the writer --------------------------------------------------------------------------

    @Test
    void losingTheConnectionMidTransactionRollsBackAndTheNextWriterWorks() throws Exception {
        TenantStore store = provider.create(new TenantId("cut"));
        MysqlWriteTransaction tx = (MysqlWriteTransaction) store.beginWrite();
        tx.ensureTable(T);
        tx.putDocument(T, doc("lost"));
        kill(tx.connectionId());
        assertThatThrownBy(() -> tx.putDocument(T, doc("also lost"))).isInstanceOfSatisfying(NimbusException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.getMessage()).startsWith("mysql storage error [unavailable] while writing a document");
        });
        assertThatThrownBy(tx::commit).isInstanceOf(IllegalStateException.class); // poisoned
        tx.close();
        try (Snapshot s = store.snapshot()) {
            assertThat(s.tables()).isEmpty();
            assertThat(s.lastSequence()).isZero();
        }
        Document kept = doc("kept");
        write(store, kept);
        try (Snapshot s = store.snapshot()) {
            assertThat(s.get(T, kept.id())).contains(kept);
        }
    }

    @Test
    void aCommitOnALostConnectionSaysItsOutcomeIsUnknown() throws Exception {
        TenantStore store = provider.create(new TenantId("cut-at-commit"));
        MysqlWriteTransaction tx = (MysqlWriteTransaction) store.beginWrite();
        tx.ensureTable(T);
        tx.putDocument(T, doc("lost"));
        kill(tx.connectionId());
        assertThatThrownBy(tx::commit).isInstanceOfSatisfying(NimbusException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.getMessage()).contains("may or may not have committed");
        });
        tx.close();
        try (Snapshot s = store.snapshot()) {
            assertThat(s.tables()).isEmpty(); // here it had not: the server never saw the COMMIT
        }
        write(store, doc("next"));
    }

    private static void kill(long connectionId) throws Exception {
        try (Connection c = MysqlTestServer.connect(); Statement s = c.createStatement()) {
            s.execute("KILL " + connectionId);
        }
    }

    @Test
    void anotherProcessWaitsForTheWriterLockThenGetsBusy() throws Exception {
        TenantId tenant = new TenantId("shared");
        TenantStore here = provider.create(tenant);
        try (MysqlStorageProvider other = newProvider(1_000)) {
            TenantStore there = other.open(tenant);
            try (WriteTransaction tx = here.beginWrite()) {
                tx.ensureTable(T);
                long started = System.nanoTime();
                assertThatThrownBy(there::beginWrite).isInstanceOfSatisfying(NimbusException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_BUSY));
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(900L, 4_000L);
                Document d = doc("first");
                tx.putDocument(T, d);
                tx.appendJournal(new JournalRecord(1, 1, List.of(
                        new JournalRecord.Write(T, d.id(), JournalRecord.Op.INSERT, Optional.of(d))), Optional.empty()));
                tx.commit();
            }
            try (WriteTransaction tx = there.beginWrite()) {
                assertThat(tx.lastSequence()).isEqualTo(1); // sees the other writer's commit
                tx.commit();
            }
        }
    }

    // ---- ordering and content ----------------------------------------------------------------

    @Test
    void indexEntriesOrderAsUnsignedBytesThenDocumentIds() {
        TenantStore store = provider.create(new TenantId("bytes"));
        List<byte[]> keys = List.of(new byte[] {0x50, 'a'}, new byte[] {0x50, 'a', 0x00}, new byte[] {0x50, 'a', 0x20},
                new byte[] {0x50, 'a', 0x01}, new byte[] {0x50, 'a', 0x7F}, new byte[] {0x50, 'a', (byte) 0x80},
                new byte[] {0x50, 'a', (byte) 0xFF}, new byte[] {0x50, 'A'}, new byte[] {0x00}, new byte[] {(byte) 0xFF},
                new byte[] {0x50, 'a', 0x20, 0x20});
        // Ids of different lengths and kinds under one key: ordered as strings.
        List<DocumentId> docIds = List.of(ids.next(), ids.next(), DocumentId.derivedFrom(Value.of("a")),
                DocumentId.derivedFrom(Value.of("aa")), DocumentId.derivedFrom(Value.of("a".repeat(600))),
                DocumentId.derivedFrom(Value.of(7L)));
        List<IndexPosition> expected = new ArrayList<>();
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(T);
            for (byte[] key : keys) {
                for (DocumentId id : docIds) {
                    tx.putIndexEntry(T, IDX, key, id);
                    expected.add(new IndexPosition(key, id));
                }
            }
            byte[] longest = new byte[StorageLimits.INDEX_KEY_BYTES_MAX];
            Arrays.fill(longest, (byte) 0xEE);
            DocumentId longestId = DocumentId.derivedFrom(Value.of("z".repeat(635)));
            tx.putIndexEntry(T, IDX, longest, longestId); // the widest primary key fits
            expected.add(new IndexPosition(longest, longestId));
            expected.sort((a, b) -> a.compareTo(b.key(), b.id()));
            assertThat(tx.scanIndex(T, IDX, new IndexScan(KeyRange.ALL, false, 1000, Optional.empty(), false))
                    .stream().map(IndexHit::position).toList()).as("the writer sees its own entries").isEqualTo(expected);
            tx.commit();
        }
        try (Snapshot s = store.snapshot()) {
            List<IndexPosition> got = s.scanIndex(T, IDX, new IndexScan(KeyRange.ALL, false, 1000, Optional.empty(), false))
                    .stream().map(IndexHit::position).toList();
            assertThat(got).isEqualTo(expected);
            List<IndexPosition> reversed = s.scanIndex(T, IDX, new IndexScan(KeyRange.ALL, true, 1000, Optional.empty(), false))
                    .stream().map(IndexHit::position).toList();
            List<IndexPosition> want = new ArrayList<>(expected);
            Collections.reverse(want);
            assertThat(reversed).isEqualTo(want);
            // A trailing space or NUL is significant (no PAD SPACE, no trimming).
            assertThat(s.scanIndex(T, IDX, IndexScan.of(new KeyRange(new byte[] {0x50, 'a'}, true,
                    new byte[] {0x50, 'a'}, true), 100))).hasSize(docIds.size());
        }
    }

    @Test
    void indexScansWalkThePrimaryKeyWithoutSorting() throws Exception {
        TenantStore store = provider.create(new TenantId("plan"));
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(T);
            for (int i = 0; i < 200; i++) {
                Document d = doc("v" + i);
                tx.putDocument(T, d);
                tx.putIndexEntry(T, IDX, KeyCodec.encode(Value.of((long) (i % 10))), d.id());
                tx.putIndexEntry(T, "other", KeyCodec.encode(Value.of((long) i)), d.id());
            }
            tx.commit();
        }
        MysqlStatements sql = new MysqlStatements(MysqlNames.tenantDatabase(TENANT_PREFIX, new TenantId("plan")));
        KeyRange range = new KeyRange(KeyCodec.encode(Value.of(2L)), true, KeyCodec.encode(Value.of(8L)), false);
        for (boolean descending : new boolean[] {false, true}) {
            try (Connection c = MysqlTestServer.connect();
                 PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql.scanIndex(range, true, descending, true))) {
                int i = 1;
                ps.setBytes(i++, T.value().getBytes());
                ps.setBytes(i++, IDX.getBytes());
                ps.setBytes(i++, range.lower());
                ps.setBytes(i++, range.upper());
                ps.setBytes(i++, KeyCodec.encode(Value.of(3L)));
                ps.setBytes(i++, KeyCodec.encode(Value.of(3L)));
                ps.setBytes(i++, PackedDocumentId.pack(ids.next()));
                ps.setInt(i, 10);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String extra = String.valueOf(rs.getString("Extra"));
                        assertThat(extra).as("plan of %s", rs.getString("table"))
                                .doesNotContain("filesort").doesNotContain("temporary");
                        if ("e".equals(rs.getString("table"))) {
                            assertThat(rs.getString("key")).isEqualTo("PRIMARY");
                        }
                    }
                }
            }
        }
    }

    @Test
    void aLargestDocumentAndItsJournalRecordCommitTogether() {
        TenantStore store = provider.create(new TenantId("big"));
        // Canonical JSON {"v":"..."} adds 8 bytes around the string.
        Document big = new Document(ids.next(), 1, 2,
                new Value.Obj(Map.of("v", Value.of("\"".repeat((StorageLimits.DOCUMENT_BYTES_MAX - 8) / 2)))));
        write(store, big);
        try (Snapshot s = store.snapshot()) {
            assertThat(s.get(T, big.id())).contains(big);
            assertThat(s.readJournal(0, 1).get(0).writes().get(0).after()).contains(big);
        }
    }

    @Test
    void storesTheSameBytesAsTheSqliteProvider(@TempDir Path dir) throws Exception {
        TenantId tenant = new TenantId("same-bytes");
        Map<String, Value> fields = new LinkedHashMap<>();
        fields.put("name", Value.of("Ada \uD83D\uDE00 \u00e9\u4e2d"));
        fields.put("n", Value.of(new BigDecimal("1e-40")));
        fields.put("bytes", Value.of(new byte[] {0, 1, (byte) 0xFF}));
        Document d = new Document(ids.next(), 11, 12, new Value.Obj(fields));
        write(provider.create(tenant), d);
        try (SqliteStorageProvider sqlite = new SqliteStorageProvider(dir)) {
            write(sqlite.create(tenant), d);
        }
        String documentRow = "SELECT data_json FROM %s WHERE id = ?";
        String journalRow = "SELECT record, sha256 FROM %s WHERE seq = 1";
        byte[][] mysql = rows(MysqlTestServer.connect(),
                MysqlNames.quote(MysqlNames.tenantDatabase(TENANT_PREFIX, tenant)) + ".", documentRow, journalRow, d.id());
        byte[][] sqliteRows = rows(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("same-bytes.sqlite3")),
                "", documentRow, journalRow, d.id());
        for (int i = 0; i < mysql.length; i++) {
            assertThat(mysql[i]).as("column %d", i).isEqualTo(sqliteRows[i]);
        }
    }

    private static byte[][] rows(Connection c, String qualifier, String documentRow, String journalRow,
                                 DocumentId id) throws Exception {
        try (c) {
            byte[][] out = new byte[3][];
            try (PreparedStatement ps = c.prepareStatement(documentRow.formatted(qualifier + "nimbus_documents"))) {
                ps.setString(1, id.value());
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    out[0] = rs.getString(1).getBytes(StandardCharsets.UTF_8);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(journalRow.formatted(qualifier + "nimbus_journal"));
                 ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                out[1] = rs.getBytes(1);
                out[2] = rs.getBytes(2);
            }
            return out;
        }
    }
}
