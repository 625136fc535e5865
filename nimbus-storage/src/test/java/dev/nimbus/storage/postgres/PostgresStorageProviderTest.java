package dev.nimbus.storage.postgres;

import dev.nimbus.core.codec.KeyCodec;
import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentIdGenerator;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.storage.IndexHit;
import dev.nimbus.storage.IndexScan;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.KeyRange;
import dev.nimbus.storage.Snapshot;
import dev.nimbus.storage.TenantStore;
import dev.nimbus.storage.WriteTransaction;
import dev.nimbus.storage.sqlite.SqliteStorageProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What only the Postgres provider promises: schema naming and quoting, injection-proof names,
 * tenant creation under concurrency, the cross-process writer lock, losing the connection in the
 * middle of a transaction, and byte-for-byte the same stored format as SQLite.
 */
@ExtendWith(PostgresTestServer.Required.class)
class PostgresStorageProviderTest {
    private static final TableName T = TableName.of("things");
    private static PostgresOptions options;

    private final DocumentIdGenerator ids = new DocumentIdGenerator();
    private PostgresStorageProvider provider;

    @TempDir
    Path dir;

    @BeforeAll
    static void requireServer() {
        PostgresTestServer.requireServer();
        options = PostgresTestServer.uniqueOptions();
    }

    @AfterAll
    static void dropWhatThisRunCreated() {
        if (options != null) {
            PostgresTestServer.dropEverything(options);
        }
    }

    @BeforeEach
    void open() {
        provider = new PostgresStorageProvider(options);
    }

    @AfterEach
    void close() {
        for (TenantId t : provider.list()) {
            provider.drop(t);
        }
        provider.close();
    }

    private Document doc(String v) {
        return new Document(ids.next(), 1, 2, new Value.Obj(Map.of("v", Value.of(v))));
    }

    private static JournalRecord record(long seq, Document d) {
        return new JournalRecord(seq, 7, List.of(new JournalRecord.Write(T, d.id(), JournalRecord.Op.INSERT,
                Optional.of(d))), Optional.empty());
    }

    private Document insert(TenantStore store, String v) {
        Document d = doc(v);
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(T);
            tx.putDocument(T, d);
            tx.appendJournal(record(tx.lastSequence() + 1, d));
            tx.commit();
        }
        return d;
    }

    private static List<String> tenantSchemas() throws SQLException {
        return PostgresTestServer.schemasStartingWith(options.tenantSchemaPrefix());
    }

    // ---- names -------------------------------------------------------------------------------

    @Test
    void caseAndHyphensInTenantIdsGiveDistinctQuotedSchemas() throws Exception {
        List<String> ids = List.of("a-b_C", "a-b_c", "ABC", "abc", "1-");
        for (String id : ids) {
            insert(provider.create(TenantId.of(id)), "data of " + id);
        }
        // Schemas named exactly <prefix><id>, case and '-' kept: only possible with quoted identifiers.
        assertThat(tenantSchemas()).containsExactlyInAnyOrderElementsOf(
                ids.stream().map(id -> options.tenantSchemaPrefix() + id).toList());
        for (String id : ids) {
            try (Snapshot s = provider.open(TenantId.of(id)).snapshot()) {
                assertThat(s.scanDocuments(T, dev.nimbus.storage.DocumentScan.first(10)))
                        .extracting(d -> d.fields().get("v")).containsExactly(Value.of("data of " + id));
            }
        }
        assertThat(provider.list()).extracting(TenantId::value).containsExactly("1-", "ABC", "a-b_C", "a-b_c", "abc");
    }

    @Test
    void longTenantIdsMapToDistinctSchemasWithinPostgresLimit() throws Exception {
        String common = "x".repeat(127);
        TenantId a = TenantId.of(common + "a");
        TenantId b = TenantId.of(common + "b");
        TenantId c = TenantId.of("Y-" + "z".repeat(126));
        Document da = insert(provider.create(a), "a");
        Document db = insert(provider.create(b), "b");
        insert(provider.create(c), "c");

        List<String> schemas = tenantSchemas();
        assertThat(schemas).hasSize(3).doesNotHaveDuplicates()
                .allSatisfy(s -> assertThat(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(63));
        assertThat(provider.list()).containsExactly(c, a, b);
        try (Snapshot s = provider.open(a).snapshot()) {
            assertThat(s.get(T, da.id())).contains(da);
            assertThat(s.get(T, db.id())).isEmpty();
        }
        provider.drop(a);
        assertThat(tenantSchemas()).hasSize(2);
        try (Snapshot s = provider.open(b).snapshot()) {
            assertThat(s.get(T, db.id())).contains(db);
        }
    }

    @Test
    void hostileTableAndIndexNamesAreOnlyData() throws Exception {
        TenantStore store = provider.create(TenantId.of("victim"));
        TableName table = TableName.of("x.y-z");
        String index = "i'); DROP SCHEMA public CASCADE; --\"";
        Document d = doc("\"; DROP TABLE nimbus_documents; --");
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(table);
            tx.putDocument(table, d);
            tx.putIndexEntry(table, index, KeyCodec.encode(Value.of("k")), d.id());
            tx.commit();
        }
        try (Snapshot s = store.snapshot()) {
            assertThat(s.tables()).containsExactly(table);
            assertThat(s.get(table, d.id())).contains(d);
            List<IndexHit> hits = s.scanIndex(table, index, IndexScan.of(KeyRange.ALL, 10));
            assertThat(hits).extracting(IndexHit::id).containsExactly(d.id());
        }
        try (Connection c = PostgresTestServer.connect();
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = 'public'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void idTableIndexAndKeyColumnsCompareBytewise() throws Exception {
        provider.create(TenantId.of("collation"));
        String schema = SchemaNames.tenantSchema(options.tenantSchemaPrefix(), TenantId.of("collation"));
        List<String> columns = new ArrayList<>();
        try (Connection c = PostgresTestServer.connect();
             PreparedStatement ps = c.prepareStatement("SELECT table_name || '.' || column_name || ' ' || data_type"
                     + " || ' ' || coalesce(collation_name, '-') FROM information_schema.columns"
                     + " WHERE table_schema IN (?, ?) AND column_name IN"
                     + " ('key', 'name', 'tbl', 'id', 'idx', 'doc_id', 'tenant_id', 'schema_name')"
                     + " ORDER BY 1")) {
            ps.setString(1, schema);
            ps.setString(2, options.metadataSchema());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        // Text compares in "C" (byte) order whatever the database's default collation; keys are bytea.
        assertThat(columns).containsExactly(
                "nimbus_documents.id text C", "nimbus_documents.tbl text C",
                "nimbus_index_entries.doc_id text C", "nimbus_index_entries.idx text C",
                "nimbus_index_entries.key bytea -", "nimbus_index_entries.tbl text C",
                "nimbus_meta.key text C", "nimbus_meta.key text C",
                "nimbus_schemas.tbl text C", "nimbus_tables.name text C",
                "nimbus_tenants.schema_name text C", "nimbus_tenants.tenant_id text C");
    }

    @Test
    void createRefusesToAdoptAnUnregisteredSchemaOfTheSameName() throws Exception {
        String squatted = options.tenantSchemaPrefix() + "squatter";
        try (Connection c = PostgresTestServer.connect()) {
            c.createStatement().execute("CREATE SCHEMA " + SchemaNames.quote(squatted));
            c.createStatement().execute("CREATE TABLE " + SchemaNames.quote(squatted) + ".keep (x int)");
        }
        assertThatThrownBy(() -> provider.create(TenantId.of("squatter")))
                .isInstanceOfSatisfying(NimbusException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_OTHER);
                    assertThat(e.getMessage()).contains("not registered");
                });
        assertThat(provider.exists(TenantId.of("squatter"))).isFalse();
        assertThat(tenantSchemas()).containsExactly(squatted); // untouched, still there with its table
        try (Connection c = PostgresTestServer.connect()) {
            c.createStatement().execute("SELECT x FROM " + SchemaNames.quote(squatted) + ".keep");
            c.createStatement().execute("DROP SCHEMA " + SchemaNames.quote(squatted) + " CASCADE");
        }
    }

    // ---- tenant lifecycle --------------------------------------------------------------------

    @Test
    void concurrentCreatesOfOneTenantHaveOneWinnerAndOneWholeSchema() throws Exception {
        int threads = 8;
        int rounds = 6; // races are timing-dependent: several rounds make a lost one likely to show
        List<TenantId> tenants = new ArrayList<>();
        // A second provider stands in for a second process racing this one.
        try (PostgresStorageProvider other = new PostgresStorageProvider(options)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            for (int round = 0; round < rounds; round++) {
                TenantId tenant = TenantId.of("contended" + round);
                tenants.add(tenant);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    PostgresStorageProvider p = i % 2 == 0 ? provider : other;
                    results.add(pool.submit(() -> {
                        start.await();
                        try {
                            p.create(tenant);
                            return "created";
                        } catch (NimbusException e) {
                            return e.code() + ": " + e.getMessage();
                        }
                    }));
                }
                start.countDown();
                List<String> outcomes = new ArrayList<>();
                for (Future<String> f : results) {
                    outcomes.add(f.get(30, TimeUnit.SECONDS));
                }
                assertThat(outcomes).as("round %d", round).containsOnlyOnce("created")
                        .filteredOn(o -> !o.equals("created")).hasSize(threads - 1)
                        .allSatisfy(o -> assertThat(o).startsWith(ErrorCode.ALREADY_EXISTS + ": "));
            }
            pool.shutdown();
        }
        assertThat(tenantSchemas()).containsExactlyElementsOf(
                tenants.stream().map(t -> options.tenantSchemaPrefix() + t.value()).toList());
        assertThat(provider.list()).containsExactlyElementsOf(tenants);
        for (TenantId tenant : tenants) {
            Document d = insert(provider.open(tenant), "works");
            try (Snapshot s = provider.open(tenant).snapshot()) {
                assertThat(s.get(T, d.id())).contains(d);
                assertThat(s.lastSequence()).isEqualTo(1);
            }
        }
    }

    @Test
    void dropRemovesTheSchemaAndRegistryRowAndStopsOldHandles() throws Exception {
        TenantId tenant = TenantId.of("doomed");
        TenantStore store = provider.create(tenant);
        insert(store, "x");
        provider.drop(tenant);
        assertThat(tenantSchemas()).isEmpty();
        assertThat(provider.exists(tenant)).isFalse();
        assertThatThrownBy(store::snapshot).isInstanceOfSatisfying(NimbusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
        assertThatThrownBy(store::beginWrite).isInstanceOfSatisfying(NimbusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND));
    }

    @Test
    void dropWaitsForOpenSnapshotsOnlyUpToTheLockWait() {
        TenantId tenant = TenantId.of("watched");
        insert(provider.create(tenant), "x");
        try (PostgresStorageProvider quick = new PostgresStorageProvider(options.withLockWaitMillis(300));
             Snapshot open = provider.open(tenant).snapshot()) {
            assertThat(open.tables()).containsExactly(T);
            assertThatThrownBy(() -> quick.drop(tenant)).isInstanceOfSatisfying(NimbusException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_BUSY));
            assertThat(open.tables()).containsExactly(T);
        }
        assertThat(provider.exists(tenant)).isTrue(); // the failed drop removed nothing
        provider.drop(tenant);
        assertThat(provider.exists(tenant)).isFalse();
    }

    @Test
    void twoProvidersBootstrappingOneMetadataSchemaAtOnceBothSucceed() throws Exception {
        PostgresOptions fresh = PostgresTestServer.uniqueOptions();
        try {
            List<CompletableFuture<PostgresStorageProvider>> starts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                starts.add(CompletableFuture.supplyAsync(() -> new PostgresStorageProvider(fresh)));
            }
            for (CompletableFuture<PostgresStorageProvider> f : starts) {
                try (PostgresStorageProvider p = f.get(30, TimeUnit.SECONDS)) {
                    assertThat(p.list()).isEmpty();
                }
            }
        } finally {
            PostgresTestServer.dropEverything(fresh);
        }
    }

    // ---- the writer --------------------------------------------------------------------------

    @Test
    void aWriterInAnotherProcessHoldsTheTenantUntilItCommits() throws Exception {
        TenantId tenant = TenantId.of("shared");
        provider.create(tenant);
        PostgresOptions quick = options.withLockWaitMillis(300);
        try (PostgresStorageProvider other = new PostgresStorageProvider(quick)) {
            WriteTransaction first = provider.open(tenant).beginWrite();
            first.ensureTable(T);
            long started = System.nanoTime();
            assertThatThrownBy(() -> other.open(tenant).beginWrite()).isInstanceOfSatisfying(NimbusException.class,
                    e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_BUSY);
                        assertThat(e.retryable()).isTrue();
                    });
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(250L, 3_000L);
            Document d = doc("first");
            first.putDocument(T, d);
            first.appendJournal(record(1, d));
            first.commit();
            try (WriteTransaction second = other.open(tenant).beginWrite()) {
                assertThat(second.lastSequence()).isEqualTo(1); // sees the other process's commit
                assertThat(second.get(T, d.id())).contains(d);
            }
        }
    }

    @Test
    void aSecondWriterInTheSameProcessWaitsWithoutAConnectionThenIsBusy() {
        try (PostgresStorageProvider quick = new PostgresStorageProvider(
                options.withLockWaitMillis(300).withConnections(0, 2))) {
            TenantStore store = quick.create(TenantId.of("solo"));
            try (WriteTransaction held = store.beginWrite()) {
                held.ensureTable(T);
                assertThatThrownBy(store::beginWrite).isInstanceOfSatisfying(NimbusException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_BUSY));
                // The waiting writer held no connection: a snapshot still gets the pool's second one.
                try (Snapshot s = store.snapshot()) {
                    assertThat(s.tables()).isEmpty();
                }
            }
            try (WriteTransaction again = store.beginWrite()) {
                assertThat(again.lastSequence()).isZero();
            }
        }
    }

    @Test
    void losingTheConnectionMidTransactionFailsClearlyAndLeavesNothing() throws Exception {
        TenantStore store = provider.create(TenantId.of("fragile"));
        String schema = SchemaNames.tenantSchema(options.tenantSchemaPrefix(), store.tenant());
        Document d = doc("lost");
        WriteTransaction tx = store.beginWrite();
        tx.ensureTable(T);
        tx.putDocument(T, d);
        tx.appendJournal(record(1, d));
        assertThat(terminateWriterOf(schema)).isTrue();

        assertThatThrownBy(() -> tx.putDocument(T, doc("after"))).isInstanceOfSatisfying(NimbusException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage()).startsWith("postgres storage error [unavailable] while writing a document")
                    .doesNotContain("INSERT").doesNotContain("after").doesNotContain(d.id().value());
        });
        assertThatThrownBy(tx::commit).isInstanceOf(IllegalStateException.class); // poisoned
        tx.close();

        try (Snapshot s = store.snapshot()) {
            assertThat(s.tables()).isEmpty();
            assertThat(s.get(T, d.id())).isEmpty();
            assertThat(s.lastSequence()).isZero();
        }
        Document again = insert(store, "again"); // the writer is free and the pool healthy
        try (Snapshot s = store.snapshot()) {
            assertThat(s.get(T, again.id())).contains(again);
            assertThat(s.lastSequence()).isEqualTo(1);
        }
    }

    /** Ends the server session holding the tenant's writer lock, as a crash or failover would. */
    private static boolean terminateWriterOf(String schema) throws SQLException {
        long key = SchemaNames.writerLockKey(schema);
        try (Connection c = PostgresTestServer.connect();
             PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(pid, 5000) FROM pg_locks"
                     + " WHERE locktype = 'advisory' AND objsubid = 1 AND classid::bigint = ? AND objid::bigint = ?")) {
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xFFFF_FFFFL);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1) && !rs.next();
            }
        }
    }

    // ---- format ------------------------------------------------------------------------------

    @Test
    void storedBytesEqualSqlites() throws Exception {
        Map<String, Value> fields = new java.util.LinkedHashMap<>();
        fields.put("z", Value.of("\uD83C\uDF0D \u00e9 \u0000 \"q\""));
        fields.put("a", Value.of(2.5));
        fields.put("n", Value.of(new java.math.BigDecimal("1e-40")));
        Document d = new Document(ids.next(), 11, 12, new Value.Obj(fields));
        JournalRecord r = new JournalRecord(1, 13, List.of(new JournalRecord.Write(T, d.id(), JournalRecord.Op.INSERT,
                Optional.of(d))), Optional.of("job:1"));
        TenantId tenant = TenantId.of("same-bytes");
        for (var p : List.of(provider, new SqliteStorageProvider(dir))) {
            try (WriteTransaction tx = p.create(tenant).beginWrite()) {
                tx.ensureTable(T);
                tx.putDocument(T, d);
                tx.appendJournal(r);
                tx.commit();
            }
            if (p != provider) {
                p.close();
            }
        }
        String pgSchema = SchemaNames.quote(SchemaNames.tenantSchema(options.tenantSchemaPrefix(), tenant));
        try (Connection pg = PostgresTestServer.connect();
             Connection lite = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("same-bytes.sqlite3"))) {
            for (String sql : List.of("SELECT tbl, id, created, updated, data_json FROM %s.nimbus_documents",
                    "SELECT seq, ts, record, sha256 FROM %s.nimbus_journal",
                    "SELECT key, value FROM %s.nimbus_meta ORDER BY key")) {
                assertThat(rows(pg, sql.formatted(pgSchema))).as(sql)
                        .isEqualTo(rows(lite, sql.formatted("main"))).isNotEmpty();
            }
        }
    }

    private static List<List<Object>> rows(Connection c, String sql) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    Object v = rs.getObject(i);
                    row.add(v instanceof byte[] b ? java.util.HexFormat.of().formatHex(b)
                            : v instanceof Number num ? num.longValue() : v);
                }
                out.add(row);
            }
        }
        return out;
    }
}
