package dev.nimbus.bench;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentIdGenerator;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.Snapshot;
import dev.nimbus.storage.TenantStore;
import dev.nimbus.storage.WriteTransaction;
import dev.nimbus.storage.format.DocumentCodec;
import dev.nimbus.storage.format.JournalCodec;
import dev.nimbus.storage.sqlite.SqliteOptions;
import dev.nimbus.storage.sqlite.SqliteStorageProvider;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Commit throughput of the SQLite storage provider, in mutations per second, at several
 * mutations per write transaction, measured side by side with a baseline of plain JDBC inserts
 * of the same bytes into a file with the same pragmas and schema.
 *
 * <p>One <b>mutation</b> is what the engine does per insert: in one {@link WriteTransaction}
 * (with {@code ensureTable} once per transaction) an {@code insertDocument} and an
 * {@code appendJournal} of a one-write {@link JournalRecord}; the transaction commits once. The
 * <b>baseline</b> opens its own file with the settings of {@code SqliteConnection.open} and the
 * DDL of {@code SqliteSchema.CREATE} and, per mutation, inserts the document row and the journal
 * row with prepared statements inside {@code BEGIN IMMEDIATE ... COMMIT}. Its bodies, journal
 * records and digests are encoded with {@link DocumentCodec} and {@link JournalCodec} before the
 * clock starts, so it does only raw JDBC work while the provider also encodes.
 *
 * <p>Only transactions are timed: the documents (and the baseline's encodings) of the next
 * transaction are built with the clock stopped. For each batch size there are warm-up rounds
 * (discarded) and counted rounds. In a round both sides start on fresh, empty files and take turns
 * in short slices (ABBA order) until each has done {@code duration} of timed work or
 * {@code max-transactions}, whichever comes first; a wall-clock limit ends the round in any case.
 * Interleaving makes a change in machine load (other builds on a shared machine, fsync latency
 * drifting) hit both sides alike. The report gives the median of the counted rounds per side and
 * the ratio provider / baseline of the medians.
 *
 * <p>Settings, as {@code --name=value} arguments or {@code -Dbench.name=value} properties:
 * {@code duration} of timed work per side and round ({@code 3s}; also {@code ms}), {@code slice}
 * ({@code 100ms}), {@code rounds} (3), {@code warmup-rounds} (1), {@code batch-sizes}
 * ({@code 1,10,100,1000}), {@code max-transactions} per side and round (1000000),
 * {@code data-dir} (a fresh directory is made inside it and deleted afterwards; default
 * {@code nimbus-bench/target}), {@code output} (the markdown report; default
 * {@code nimbus-bench/target/commit-throughput.md}) and {@code breakdown} ({@code false};
 * {@code true} adds one round per batch size that times every call, to see where the time goes).
 */
public final class CommitThroughputBench {
    /** The share of the baseline the provider should reach at every batch size. */
    public static final double TARGET_RATIO = 0.80;

    static final TableName TABLE = TableName.of("bench_items");

    private final Settings settings;
    private final DocumentFactory documents = new DocumentFactory();
    private long roundCounter;

    private CommitThroughputBench(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        // The provider logs every tenant it creates and drops; the bench makes many.
        if (System.getProperty("org.slf4j.simpleLogger.log.dev.nimbus.storage") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.dev.nimbus.storage", "warn");
        }
        Settings settings = Settings.parse(args);
        Result result = run(settings);
        System.out.println(result.markdown());
        System.err.println("report written to " + settings.output());
    }

    /** Runs the whole benchmark, writes the report to {@link Settings#output()} and returns it. */
    public static Result run(Settings settings) throws IOException, SQLException {
        Files.createDirectories(settings.dataDir());
        Path runDir = Files.createTempDirectory(settings.dataDir(), "commit-throughput-");
        try {
            Result result = new CommitThroughputBench(settings).runIn(runDir);
            Path parent = settings.output().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(settings.output(), result.markdown(), StandardCharsets.UTF_8);
            return result;
        } finally {
            deleteRecursively(runDir);
        }
    }

    private Result runIn(Path runDir) throws SQLException, IOException {
        Path providerDir = runDir.resolve("provider");
        Path baselineDir = Files.createDirectories(runDir.resolve("baseline"));
        List<Row> rows = new ArrayList<>();
        List<Breakdown> breakdowns = new ArrayList<>();
        String sqliteVersion;
        try (SqliteStorageProvider provider = new SqliteStorageProvider(providerDir)) {
            sqliteVersion = Baseline.sqliteVersion(baselineDir.resolve("version.sqlite3"));
            for (int batch : settings.batchSizes()) {
                List<Measurement> providerRuns = new ArrayList<>();
                List<Measurement> baselineRuns = new ArrayList<>();
                int total = settings.warmupRounds() + settings.rounds();
                for (int round = 0; round < total; round++) {
                    boolean warmup = round < settings.warmupRounds();
                    Measurement[] m = measureRound(provider, baselineDir, batch, round % 2 == 0, null, null);
                    progress(batch, warmup ? "warm-up" : "round " + (round - settings.warmupRounds() + 1), m);
                    if (!warmup) {
                        providerRuns.add(m[0]);
                        baselineRuns.add(m[1]);
                    }
                }
                rows.add(new Row(batch, providerRuns, baselineRuns));
                if (settings.breakdown()) {
                    long[] providerPhases = new long[Breakdown.PHASES.size()];
                    long[] baselinePhases = new long[Breakdown.PHASES.size()];
                    Measurement[] m = measureRound(provider, baselineDir, batch, true, providerPhases, baselinePhases);
                    progress(batch, "breakdown", m);
                    breakdowns.add(new Breakdown(batch, m[0], providerPhases, m[1], baselinePhases));
                }
            }
        }
        return new Result(settings, Environment.current(sqliteVersion), rows, breakdowns,
                documents.averageBodyBytes(), documents.averageJournalBytes());
    }

    private static void progress(int batch, String what, Measurement[] m) {
        System.err.printf(Locale.ROOT, "batch %4d %-9s provider %,10.0f mut/s (%,d txns)   baseline %,10.0f mut/s"
                        + " (%,d txns)   ratio %.2f%n", batch, what, m[0].mutationsPerSecond(), m[0].transactions(),
                m[1].mutationsPerSecond(), m[1].transactions(), m[0].mutationsPerSecond() / m[1].mutationsPerSecond());
    }

    /**
     * One round: both sides on fresh, empty files take turns (ABBA order) in slices of about
     * {@link Settings#slice()} of timed work until each has {@link Settings#duration()} or
     * {@link Settings#maxTransactions()}, so that a change in machine load during the round hits
     * both alike. A wall-clock limit stops the round in any case. Returns provider, baseline.
     */
    private Measurement[] measureRound(SqliteStorageProvider provider, Path baselineDir, int batch,
                                       boolean providerFirst, long[] providerPhases, long[] baselinePhases)
            throws SQLException, IOException {
        long wallDeadline = System.nanoTime() + 8 * settings.duration().toNanos() + 2_000_000_000L;
        String name = "bench-" + batch + "-" + (++roundCounter);
        try (ProviderSide p = new ProviderSide(provider, new TenantId(name), batch, providerPhases);
             BaselineSide b = new BaselineSide(baselineDir.resolve(name + ".sqlite3"), batch, baselinePhases)) {
            Side<?> first = providerFirst ? p : b;
            Side<?> second = providerFirst ? b : p;
            while ((first.more() || second.more()) && System.nanoTime() - wallDeadline < 0) {
                first.runSlice(wallDeadline);
                second.runSlice(wallDeadline);
                Side<?> swap = first;
                first = second;
                second = swap;
            }
            p.verify();
            b.verify();
            return new Measurement[] {p.measurement(), b.measurement()};
        }
    }

    /** One side of a round; {@code P} is a transaction's input, prepared with the clock stopped. */
    private abstract class Side<P> implements AutoCloseable {
        final int batch;
        /** When not null, per-call times are added here (see {@link Breakdown}). */
        final long[] phases;
        long timed;
        long transactions;

        Side(int batch, long[] phases) {
            this.batch = batch;
            this.phases = phases;
        }

        boolean more() {
            return timed < settings.duration().toNanos() && transactions < settings.maxTransactions();
        }

        void runSlice(long wallDeadline) throws SQLException {
            long sliceEnd = timed + settings.slice().toNanos();
            while (more() && timed < sliceEnd && System.nanoTime() - wallDeadline < 0) {
                P input = prepare(documents.next(batch));
                long start = System.nanoTime();
                transaction(input);
                timed += System.nanoTime() - start;
                transactions++;
            }
        }

        Measurement measurement() {
            return new Measurement(transactions, transactions * batch, timed);
        }

        void verify() throws SQLException {
            long stored = storedRecords();
            if (stored != transactions * batch) {
                throw new IllegalStateException(getClass().getSimpleName() + ": the journal holds " + stored
                        + " records, expected " + transactions * batch);
            }
        }

        abstract P prepare(List<Document> docs);

        abstract void transaction(P input) throws SQLException;

        abstract long storedRecords() throws SQLException;

        @Override
        public abstract void close() throws SQLException, IOException;
    }

    // ---- the provider ------------------------------------------------------------------------

    private final class ProviderSide extends Side<List<Document>> {
        private final SqliteStorageProvider provider;
        private final TenantId tenant;
        private final TenantStore store;

        ProviderSide(SqliteStorageProvider provider, TenantId tenant, int batch, long[] phases) {
            super(batch, phases);
            this.provider = provider;
            this.tenant = tenant;
            this.store = provider.create(tenant);
        }

        @Override
        List<Document> prepare(List<Document> docs) {
            return docs;
        }

        @Override
        void transaction(List<Document> docs) {
            if (phases == null) {
                providerTransaction(store, docs);
            } else {
                providerTransactionTimed(store, docs, phases);
            }
        }

        @Override
        long storedRecords() {
            try (Snapshot s = store.snapshot()) {
                return s.lastSequence();
            }
        }

        @Override
        public void close() {
            provider.drop(tenant);
        }
    }

    /** Exactly what the engine does per transaction of inserts. */
    static void providerTransaction(TenantStore store, List<Document> docs) {
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(TABLE);
            long seq = tx.lastSequence();
            for (Document d : docs) {
                tx.insertDocument(TABLE, d);
                tx.appendJournal(journalRecord(++seq, d));
            }
            tx.commit();
        }
    }

    /** {@link #providerTransaction} with every call timed into {@code phases}. */
    static void providerTransactionTimed(TenantStore store, List<Document> docs, long[] phases) {
        long t0 = System.nanoTime();
        WriteTransaction tx = store.beginWrite();
        try {
            long t1 = System.nanoTime();
            phases[0] += t1 - t0;
            tx.ensureTable(TABLE);
            long seq = tx.lastSequence();
            long t2 = System.nanoTime();
            phases[1] += t2 - t1;
            for (Document d : docs) {
                long a = System.nanoTime();
                tx.insertDocument(TABLE, d);
                long b = System.nanoTime();
                tx.appendJournal(journalRecord(++seq, d));
                long c = System.nanoTime();
                phases[2] += b - a;
                phases[3] += c - b;
            }
            long t3 = System.nanoTime();
            tx.commit();
            phases[4] += System.nanoTime() - t3;
        } finally {
            tx.close();
        }
    }

    static JournalRecord journalRecord(long sequence, Document d) {
        return new JournalRecord(sequence, d.updateTimeMicros(),
                List.of(new JournalRecord.Write(TABLE, d.id(), JournalRecord.Op.INSERT, Optional.of(d))),
                Optional.empty());
    }

    // ---- the baseline ------------------------------------------------------------------------

    private final class BaselineSide extends Side<Encoded> {
        private final Path file;
        private final Baseline baseline;
        private long sequence;

        BaselineSide(Path file, int batch, long[] phases) throws SQLException {
            super(batch, phases);
            this.file = file;
            this.baseline = Baseline.open(file);
        }

        @Override
        Encoded prepare(List<Document> docs) {
            Encoded e = Encoded.of(docs, sequence);
            sequence += docs.size();
            documents.recordSizes(e);
            return e;
        }

        @Override
        void transaction(Encoded input) throws SQLException {
            if (phases == null) {
                baseline.transaction(input);
            } else {
                baseline.transactionTimed(input, phases);
            }
        }

        @Override
        long storedRecords() throws SQLException {
            return baseline.lastSequence();
        }

        @Override
        public void close() throws SQLException, IOException {
            try {
                baseline.close();
            } finally {
                for (String suffix : new String[] {"-wal", "-shm", ""}) {
                    Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
                }
            }
        }
    }

    /** One transaction's rows, encoded before the clock starts. */
    record Encoded(String[] ids, long[] created, long[] updated, String[] bodies, long[] sequences,
                   byte[][] records, byte[][] digests) {
        static Encoded of(List<Document> docs, long lastSequence) {
            int n = docs.size();
            Encoded e = new Encoded(new String[n], new long[n], new long[n], new String[n], new long[n],
                    new byte[n][], new byte[n][]);
            for (int i = 0; i < n; i++) {
                Document d = docs.get(i);
                String body = DocumentCodec.encodeBody(d.fields());
                JournalCodec.Encoded record = JournalCodec.encode(journalRecord(lastSequence + 1 + i, d), x -> body);
                e.ids[i] = d.id().value();
                e.created[i] = d.creationTimeMicros();
                e.updated[i] = d.updateTimeMicros();
                e.bodies[i] = body;
                e.sequences[i] = lastSequence + 1 + i;
                e.records[i] = record.bytes();
                e.digests[i] = record.sha256();
            }
            return e;
        }
    }

    /**
     * A plain JDBC connection set up like the provider's writer: the pragmas of
     * {@code SqliteConnection.open}, the tables of {@code SqliteSchema.CREATE}, autocommit on with
     * explicit {@code BEGIN IMMEDIATE} / {@code COMMIT}.
     */
    static final class Baseline implements AutoCloseable {
        /** Exactly the provider's tables. */
        static final java.util.List<String> DDL = dev.nimbus.storage.sqlite.SqliteSchema.statements();

        private final Connection connection;
        private final Statement control;
        private final PreparedStatement insertDocument;
        private final PreparedStatement insertJournal;

        private Baseline(Connection connection) throws SQLException {
            this.connection = connection;
            this.control = connection.createStatement();
            this.insertDocument = connection.prepareStatement(
                    "INSERT INTO nimbus_documents (tbl, id, created, updated, data_json) VALUES (?, ?, ?, ?, ?)");
            this.insertJournal = connection.prepareStatement(
                    "INSERT INTO nimbus_journal (seq, ts, record, sha256) VALUES (?, ?, ?, ?)");
        }

        /**
         * The pragmas of {@code SqliteConnection.open(file, false, lockWaitMillis)}, except that
         * this connection lets SQLite fsync the WAL at every COMMIT ({@code synchronous=FULL})
         * where the provider's writer commits with {@code NORMAL} and syncs the WAL itself: the
         * same durability at the point each side calls committed. When that method changes,
         * change this with it, or the ratio compares different things.
         */
        static Connection connect(Path file) throws SQLException {
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            config.setBusyTimeout((int) SqliteOptions.DEFAULTS.lockWaitMillis());
            config.setTempStore(SQLiteConfig.TempStore.MEMORY);
            config.enforceForeignKeys(false);
            config.setGetGeneratedKeys(false);
            Connection c = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            c.setAutoCommit(true);
            return c;
        }

        static Baseline open(Path file) throws SQLException {
            Connection c = connect(file);
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                for (String ddl : DDL) {
                    s.execute(ddl);
                }
                s.execute("INSERT INTO nimbus_meta (key, value) VALUES ('format_version', '1'), ('tenant_id', 'bench')");
                s.execute("INSERT INTO nimbus_tables (name) VALUES ('" + TABLE.value() + "')");
                s.execute("COMMIT");
                return new Baseline(c);
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        }

        static String sqliteVersion(Path file) throws SQLException, IOException {
            try (Connection c = connect(file); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT sqlite_version()")) {
                rs.next();
                return rs.getString(1) + " (sqlite-jdbc " + c.getMetaData().getDriverVersion() + ")";
            } finally {
                for (String suffix : new String[] {"-wal", "-shm", ""}) {
                    Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
                }
            }
        }

        void transaction(Encoded e) throws SQLException {
            control.execute("BEGIN IMMEDIATE");
            try {
                for (int i = 0; i < e.ids.length; i++) {
                    insertDocument(e, i);
                    insertJournal(e, i);
                }
                control.execute("COMMIT");
            } catch (SQLException | RuntimeException ex) {
                rollback();
                throw ex;
            }
        }

        void transactionTimed(Encoded e, long[] phases) throws SQLException {
            long t0 = System.nanoTime();
            control.execute("BEGIN IMMEDIATE");
            phases[0] += System.nanoTime() - t0;
            try {
                for (int i = 0; i < e.ids.length; i++) {
                    long a = System.nanoTime();
                    insertDocument(e, i);
                    long b = System.nanoTime();
                    insertJournal(e, i);
                    long c = System.nanoTime();
                    phases[2] += b - a;
                    phases[3] += c - b;
                }
                long t3 = System.nanoTime();
                control.execute("COMMIT");
                phases[4] += System.nanoTime() - t3;
            } catch (SQLException | RuntimeException ex) {
                rollback();
                throw ex;
            }
        }

        private void insertDocument(Encoded e, int i) throws SQLException {
            insertDocument.setString(1, TABLE.value());
            insertDocument.setString(2, e.ids[i]);
            insertDocument.setLong(3, e.created[i]);
            insertDocument.setLong(4, e.updated[i]);
            insertDocument.setString(5, e.bodies[i]);
            insertDocument.executeUpdate();
        }

        private void insertJournal(Encoded e, int i) throws SQLException {
            insertJournal.setLong(1, e.sequences[i]);
            insertJournal.setLong(2, e.updated[i]);
            insertJournal.setBytes(3, e.records[i]);
            insertJournal.setBytes(4, e.digests[i]);
            insertJournal.executeUpdate();
        }

        private void rollback() {
            try {
                control.execute("ROLLBACK");
            } catch (SQLException ignored) {
                // already rolled back
            }
        }

        long lastSequence() throws SQLException {
            try (ResultSet rs = control.executeQuery("SELECT COALESCE(MAX(seq), 0) FROM nimbus_journal")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        @Override
        public void close() throws SQLException {
            try {
                insertDocument.close();
                insertJournal.close();
                control.close();
            } finally {
                connection.close();
            }
        }
    }

    // ---- documents ---------------------------------------------------------------------------

    /**
     * Documents of about 200 bytes encoded: strings, an int, a float, a boolean and a nested
     * object, each with a new generated id. Contents come from a fixed seed.
     */
    static final class DocumentFactory {
        private static final String[] FIRST = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances",
            "Ken", "Margaret", "Niklaus", "Radia", "Tony"};
        private static final String[] LAST = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth",
            "Allen", "Thompson", "Hamilton", "Wirth", "Perlman", "Hoare"};
        private static final String[] CITIES = {"Amsterdam", "Lisbon", "Montreal", "Nairobi", "Osaka",
            "Santiago", "Tallinn", "Wellington"};
        private static final String[] STREETS = {"Maple", "Harbour", "Station", "Orchard", "Mill", "Church"};
        private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";

        private final DocumentIdGenerator ids = new DocumentIdGenerator();
        private final SplittableRandom random = new SplittableRandom(20_240_601L);
        private long lastMicros;
        private long sampledBodyBytes;
        private long sampledJournalBytes;
        private long sampled;

        List<Document> next(int n) {
            List<Document> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(next());
            }
            return out;
        }

        Document next() {
            Map<String, Value> address = new LinkedHashMap<>();
            address.put("street", Value.of(random.nextInt(1, 999) + " " + pick(STREETS) + " Street"));
            address.put("city", Value.of(pick(CITIES)));
            address.put("postcode", Value.of(postcode(random.nextInt(100_000))));
            Map<String, Value> fields = new LinkedHashMap<>();
            fields.put("name", Value.of(pick(FIRST) + " " + pick(LAST)));
            fields.put("email", Value.of(word(10) + "@example.com"));
            fields.put("age", Value.of((long) random.nextInt(18, 90)));
            fields.put("score", Value.of(random.nextDouble() * 1000));
            fields.put("active", Value.of(random.nextBoolean()));
            fields.put("note", Value.of(word(12) + " " + word(8)));
            fields.put("address", new Value.Obj(address));
            long micros = nowMicros();
            return new Document(ids.next(), micros, micros, new Value.Obj(fields));
        }

        /** Five digits, zero-padded (what {@code %05d} gives, without a Formatter per document). */
        static String postcode(int n) {
            String digits = Integer.toString(n);
            return "00000".substring(digits.length()) + digits;
        }

        /** Sizes of what the bench stores, from the baseline's encodings (the same bytes). */
        void recordSizes(Encoded e) {
            for (int i = 0; i < e.bodies().length; i++) {
                sampledBodyBytes += e.bodies()[i].getBytes(StandardCharsets.UTF_8).length;
                sampledJournalBytes += e.records()[i].length;
                sampled++;
            }
        }

        double averageBodyBytes() {
            return sampled == 0 ? 0 : (double) sampledBodyBytes / sampled;
        }

        double averageJournalBytes() {
            return sampled == 0 ? 0 : (double) sampledJournalBytes / sampled;
        }

        private long nowMicros() {
            Instant now = Instant.now();
            long micros = Math.max(now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000, lastMicros);
            lastMicros = micros;
            return micros;
        }

        private String pick(String[] options) {
            return options[random.nextInt(options.length)];
        }

        private String word(int length) {
            char[] out = new char[length];
            for (int i = 0; i < length; i++) {
                out[i] = LETTERS.charAt(random.nextInt(LETTERS.length()));
            }
            return new String(out);
        }
    }

    // ---- settings, measurements, report ------------------------------------------------------

    /**
     * @param duration         timed duration of one measurement (per side and round)
     * @param slice            timed work one side does before the other takes its turn
     * @param warmupRounds     rounds per batch size run and discarded first
     * @param rounds           rounds per batch size that count
     * @param batchSizes       mutations per write transaction
     * @param maxTransactions  transactions per measurement at most
     * @param dataDir          where a fresh run directory is made (and deleted afterwards)
     * @param output           where the markdown report is written
     * @param breakdown        also time every call once per side and batch size
     */
    public record Settings(Duration duration, Duration slice, int warmupRounds, int rounds, List<Integer> batchSizes,
                           long maxTransactions, Path dataDir, Path output, boolean breakdown) {
        public Settings {
            if (duration.isNegative() || duration.isZero() || slice.isNegative() || slice.isZero()
                    || warmupRounds < 0 || rounds < 1 || batchSizes.isEmpty() || maxTransactions < 1) {
                throw new IllegalArgumentException("duration, slice, rounds and max-transactions must be positive,"
                        + " warmup-rounds not negative, and there must be a batch size");
            }
            for (int b : batchSizes) {
                if (b < 1) {
                    throw new IllegalArgumentException("batch sizes must be positive: " + batchSizes);
                }
            }
            batchSizes = List.copyOf(batchSizes);
        }

        public static Settings defaults() {
            Path target = moduleTarget();
            return new Settings(Duration.ofSeconds(3), Duration.ofMillis(100), 1, 3, List.of(1, 10, 100, 1000), 1_000_000, target,
                    target.resolve("commit-throughput.md"), false);
        }

        /** {@code --name=value} arguments override {@code -Dbench.name=value} properties and defaults. */
        public static Settings parse(String[] args) {
            Map<String, String> given = new LinkedHashMap<>();
            for (String arg : args) {
                if (!arg.startsWith("--")) {
                    throw new IllegalArgumentException("arguments look like --name=value, got " + arg);
                }
                int eq = arg.indexOf('=');
                given.put(eq < 0 ? arg.substring(2) : arg.substring(2, eq), eq < 0 ? "true" : arg.substring(eq + 1));
            }
            Settings d = defaults();
            java.util.function.Function<String, String> get = name -> {
                String v = given.remove(name);
                return v != null ? v : System.getProperty("bench." + name);
            };
            String duration = get.apply("duration");
            String slice = get.apply("slice");
            String warmup = get.apply("warmup-rounds");
            String rounds = get.apply("rounds");
            String batches = get.apply("batch-sizes");
            String maxTx = get.apply("max-transactions");
            String dataDir = get.apply("data-dir");
            String output = get.apply("output");
            String breakdown = get.apply("breakdown");
            if (!given.isEmpty()) {
                throw new IllegalArgumentException("unknown settings " + given.keySet() + "; known: duration,"
                        + " slice, warmup-rounds, rounds, batch-sizes, max-transactions, data-dir, output, breakdown");
            }
            return new Settings(
                    duration == null ? d.duration() : parseDuration(duration),
                    slice == null ? d.slice() : parseDuration(slice),
                    warmup == null ? d.warmupRounds() : Integer.parseInt(warmup.trim()),
                    rounds == null ? d.rounds() : Integer.parseInt(rounds.trim()),
                    batches == null ? d.batchSizes()
                            : Arrays.stream(batches.split(",")).map(s -> Integer.parseInt(s.trim())).toList(),
                    maxTx == null ? d.maxTransactions() : Long.parseLong(maxTx.trim()),
                    dataDir == null ? d.dataDir() : Path.of(dataDir),
                    output == null ? d.output() : Path.of(output),
                    breakdown == null ? d.breakdown() : Boolean.parseBoolean(breakdown.trim()));
        }

        static Duration parseDuration(String s) {
            String v = s.trim().toLowerCase(Locale.ROOT);
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1).trim()) * 1000));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000)); // plain number: seconds
        }

        /** {@code nimbus-bench/target} whether run from the repository root or the module. */
        static Path moduleTarget() {
            Path cwd = Path.of("").toAbsolutePath();
            if (Files.isRegularFile(cwd.resolve("nimbus-bench").resolve("pom.xml"))) {
                return cwd.resolve("nimbus-bench").resolve("target");
            }
            return cwd.resolve("target");
        }
    }

    /** One measurement: {@code nanos} is the time spent inside transactions only. */
    public record Measurement(long transactions, long mutations, long nanos) {
        public double mutationsPerSecond() {
            return nanos == 0 ? 0 : mutations * 1e9 / nanos;
        }
    }

    /** The counted rounds of one batch size. */
    public record Row(int batchSize, List<Measurement> provider, List<Measurement> baseline) {
        public Row {
            provider = List.copyOf(provider);
            baseline = List.copyOf(baseline);
        }

        public double providerMedian() {
            return median(provider);
        }

        public double baselineMedian() {
            return median(baseline);
        }

        public double ratio() {
            return providerMedian() / baselineMedian();
        }

        private static double median(List<Measurement> ms) {
            double[] v = ms.stream().mapToDouble(Measurement::mutationsPerSecond).sorted().toArray();
            int n = v.length;
            return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        }

        /** The ratio of each round's two sides (they ran interleaved), lowest to highest. */
        public double[] ratiosPerRound() {
            double[] out = new double[provider.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = provider.get(i).mutationsPerSecond() / baseline.get(i).mutationsPerSecond();
            }
            Arrays.sort(out);
            return out;
        }

        String roundRatios() {
            double[] r = ratiosPerRound();
            return r.length == 1 ? String.format(Locale.ROOT, "%.2f", r[0])
                    : String.format(Locale.ROOT, "%.2f – %.2f", r[0], r[r.length - 1]);
        }

        static String range(List<Measurement> ms) {
            double lo = ms.stream().mapToDouble(Measurement::mutationsPerSecond).min().orElse(0);
            double hi = ms.stream().mapToDouble(Measurement::mutationsPerSecond).max().orElse(0);
            return number(lo) + " – " + number(hi);
        }
    }

    /**
     * Per-call times of one extra measurement per side (diagnostic; the clock reads add a little).
     * Phases, provider / baseline: begin = {@code beginWrite} / {@code BEGIN IMMEDIATE};
     * {@code ensureTable} / none; document = {@code insertDocument} / document {@code INSERT};
     * journal = building the record and {@code appendJournal} / journal {@code INSERT};
     * commit = {@code commit} / {@code COMMIT}.
     */
    public record Breakdown(int batchSize, Measurement provider, long[] providerPhases, Measurement baseline,
                            long[] baselinePhases) {
        static final List<String> PHASES = List.of("begin", "ensureTable", "document", "journal", "commit");
    }

    record Environment(int cpus, String os, String jdk, String sqlite) {
        static Environment current(String sqlite) {
            return new Environment(Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                            + System.getProperty("os.arch"),
                    System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
                    sqlite);
        }
    }

    public record Result(Settings settings, Environment environment, List<Row> rows, List<Breakdown> breakdowns,
                         double averageBodyBytes, double averageJournalBytes) {
        public Result {
            rows = List.copyOf(rows);
            breakdowns = List.copyOf(breakdowns);
        }

        public String markdown() {
            StringBuilder out = new StringBuilder();
            out.append("### SQLite commit throughput: provider vs plain JDBC (mutations/s)\n\n");
            out.append("| mutations / txn | provider (median) | baseline JDBC (median) | provider / baseline |"
                    + String.format(Locale.ROOT, " ≥ %.2f |", TARGET_RATIO)
                    + " ratio per round | provider rounds | baseline rounds |\n");
            out.append("|---:|---:|---:|---:|:---:|---:|---:|---:|\n");
            for (Row r : rows) {
                out.append("| ").append(r.batchSize())
                        .append(" | ").append(number(r.providerMedian()))
                        .append(" | ").append(number(r.baselineMedian()))
                        .append(" | ").append(String.format(Locale.ROOT, "%.2f", r.ratio()))
                        .append(" | ").append(r.ratio() >= TARGET_RATIO ? "yes" : "**no**")
                        .append(" | ").append(r.roundRatios())
                        .append(" | ").append(Row.range(r.provider()))
                        .append(" | ").append(Row.range(r.baseline()))
                        .append(" |\n");
            }
            out.append('\n');
            out.append(String.format(Locale.ROOT, "Median of %d round(s) of %s timed work per side and batch size, after"
                            + " %d warm-up round(s); in each round the sides take turns in %s slices. provider /"
                            + " baseline = ratio of the medians; ratio per round = range of the rounds' own ratios."
                            + " Document body %.0f bytes, journal record %.0f bytes on average.%n",
                    settings.rounds(), human(settings.duration()), settings.warmupRounds(), human(settings.slice()),
                    averageBodyBytes, averageJournalBytes));
            out.append(String.format(Locale.ROOT, "%d CPUs, %s, %s, SQLite %s.%n", environment.cpus(),
                    environment.os(), environment.jdk(), environment.sqlite()));
            if (!breakdowns.isEmpty()) {
                out.append("\n### Where the time goes (µs per mutation; one extra round with every call"
                        + " timed)\n\n");
                out.append("| mutations / txn | side | total |");
                for (String phase : Breakdown.PHASES) {
                    out.append(' ').append(phase).append(" |");
                }
                out.append("\n|---:|---|---:|").append("---:|".repeat(Breakdown.PHASES.size())).append('\n');
                for (Breakdown b : breakdowns) {
                    phaseRow(out, b.batchSize(), "provider", b.provider(), b.providerPhases(), false);
                    phaseRow(out, b.batchSize(), "baseline", b.baseline(), b.baselinePhases(), true);
                }
                out.append("\nbegin = beginWrite / BEGIN IMMEDIATE; document = insertDocument / document INSERT;"
                        + " journal = building the record + appendJournal / journal INSERT; commit = commit /"
                        + " COMMIT. Per mutation: the per-transaction phases are divided by the batch size.\n");
            }
            return out.toString();
        }

        private static void phaseRow(StringBuilder out, int batch, String side, Measurement m, long[] nanos,
                                     boolean baseline) {
            double perMutation = m.mutations() == 0 ? 0 : 1e-3 / m.mutations();
            out.append("| ").append(batch).append(" | ").append(side).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f", m.nanos() * perMutation)).append(" |");
            for (int i = 0; i < nanos.length; i++) {
                boolean none = baseline && i == 1;
                out.append(' ').append(none ? "–" : String.format(Locale.ROOT, "%.2f", nanos[i] * perMutation))
                        .append(" |");
            }
            out.append('\n');
        }
    }

    static String number(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
