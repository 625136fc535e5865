package dev.nimbus.engine.query;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Filter.Op;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.query.Query.Direction;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.schema.TableSchema.IndexDefinition;
import dev.nimbus.core.schema.TableSchema.IndexState;
import dev.nimbus.core.testing.RandomValues;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueOrder;
import dev.nimbus.engine.Engine;
import dev.nimbus.storage.sqlite.SqliteStorageProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Queries through the real engine over SQLite. The central check is differential: the same
 * documents in a table with indexes and in a table without a schema must give the same results
 * as a brute-force evaluation (every document through {@link FilterEvaluator}, sorted by the
 * effective order), whatever plan the planner picks.
 */
class QueryExecutionTest {
    static final TenantId TENANT = TenantId.of("t1");
    static final Principal ADMIN = Principal.ADMIN;
    static final TableName INDEXED = TableName.of("indexed");
    static final TableName PLAIN = TableName.of("plain");
    static final FieldPath ID = FieldPath.of(Document.ID);

    /** Fields documents carry and queries use; "nest.x" reaches into an object, "zz" is never set. */
    static final List<String> FIELDS = List.of("a", "b", "c", "nest.x", "nest.y", "n", "tags", "zz");
    static final List<String> ORDER_FIELDS = List.of("a", "b", "c", "nest.x", "n", "tags");

    static final List<IndexDefinition> INDEXES = List.of(
            index("by_a", "a"),
            index("by_b", "b"),
            index("by_b_a", "b", "a"),
            index("by_a_c", "a", "c"),
            index("by_c", "c"),
            index("by_nest_x", "nest.x"),
            index("by_b_nest_x", "b", "nest.x"),
            index("by_n", "n"),
            index("by_tags", "tags"));

    @TempDir
    Path dir;
    SqliteStorageProvider provider;
    Engine engine;

    @BeforeEach
    void open() {
        provider = new SqliteStorageProvider(dir);
        engine = new Engine(provider);
        engine.createTenant(TENANT);
    }

    @AfterEach
    void close() {
        engine.close();
        provider.close();
    }

    static IndexDefinition index(String name, String... fields) {
        return new IndexDefinition(name, java.util.Arrays.stream(fields).map(FieldPath::parse).toList(), IndexState.ENABLED);
    }

    static TableSchema schema(TableName table, List<IndexDefinition> indexes) {
        return new TableSchema(table, List.of(), indexes, Optional.empty());
    }

    // ---- random documents and queries ------------------------------------------------------------

    /** Values shared by documents and queries, so equality and ranges hit often. */
    static final class Gen {
        final Random r;
        final RandomValues rv;
        final List<Value> pool = new ArrayList<>();

        Gen(long seed) {
            r = new Random(seed);
            rv = new RandomValues(r);
            pool.addAll(List.of(Value.of(1L), Value.of(1.0), Value.of(new BigDecimal("1.00")), Value.of(2L),
                    Value.of(2.5), Value.of(Double.NaN), Value.of(-0.0), Value.of(0L), Value.of(-7L),
                    Value.of(Double.NEGATIVE_INFINITY), Value.of("a"), Value.of("b"), Value.of(""), Value.of("a\u0000"),
                    Value.of("\uD83D\uDE00"), Value.of("\uFFFF"), Value.nullValue(), Value.of(true), Value.of(false),
                    Value.of(Instant.parse("2024-01-01T00:00:00Z")), Value.of(new byte[] {0, (byte) 0xFF})));
            for (int i = 0; i < 10; i++) {
                pool.add(rv.scalar());
            }
        }

        /** A handful of values for "b", so that equality on it matches many rows that tie in its indexes. */
        final List<Value> few = List.of(Value.of("x"), Value.of(1L), Value.of(1.0), Value.nullValue(), Value.of(true));

        Value few() {
            return few.get(r.nextInt(few.size()));
        }

        Value value() {
            return r.nextInt(10) < 6 ? pool.get(r.nextInt(pool.size())) : rv.scalar();
        }

        Value number() {
            return r.nextInt(10) < 5 ? pool.get(r.nextInt(10)) : rv.number();
        }

        Value.Array tags() {
            List<Value> out = new ArrayList<>();
            for (int i = r.nextInt(3); i > 0; i--) {
                out.add(pool.get(r.nextInt(pool.size())));
            }
            return Value.array(out);
        }

        Value.Obj document(long n) {
            Map<String, Value> f = new LinkedHashMap<>();
            f.put("n", Value.of(n));
            if (r.nextInt(100) < 85) {
                f.put("a", value());
            }
            if (r.nextInt(100) < 85) {
                f.put("b", r.nextInt(10) < 8 ? few() : value());
            }
            if (r.nextInt(100) < 80) {
                f.put("c", number());
            }
            int nest = r.nextInt(10);
            if (nest < 7) {
                Map<String, Value> inner = new LinkedHashMap<>();
                if (r.nextInt(10) < 8) {
                    inner.put("x", value());
                }
                inner.put("y", value());
                f.put("nest", new Value.Obj(inner));
            } else if (nest < 8) {
                f.put("nest", value()); // a scalar: nest.x is missing
            }
            if (r.nextInt(10) < 4) {
                f.put("tags", tags());
            }
            return new Value.Obj(f);
        }

        FieldPath field() {
            return FieldPath.parse(FIELDS.get(r.nextInt(FIELDS.size())));
        }

        Value operandFor(FieldPath f) {
            return switch (f.toString()) {
                case "c" -> number();
                case "n" -> r.nextBoolean() ? Value.of((long) r.nextInt(320)) : Value.of(r.nextInt(320) + 0.5);
                case "tags" -> r.nextBoolean() ? tags() : value();
                case "b" -> r.nextBoolean() ? few() : value();
                default -> value();
            };
        }

        Op op() {
            return switch (r.nextInt(9)) {
                case 0, 1, 2 -> Op.EQ;
                case 3 -> Op.NE;
                case 4 -> Op.LT;
                case 5 -> Op.LTE;
                case 6 -> Op.GT;
                default -> Op.GTE;
            };
        }

        Filter filter(int depth) {
            int kind = r.nextInt(depth >= 2 ? 5 : 9);
            FieldPath f = field();
            return switch (kind) {
                case 0, 1, 2 -> new Filter.Compare(f, op(), operandFor(f));
                case 3 -> {
                    List<Value> values = new ArrayList<>();
                    for (int i = r.nextInt(4); i > 0; i--) {
                        values.add(operandFor(f));
                    }
                    yield new Filter.In(f, values, r.nextInt(3) == 0);
                }
                case 4 -> new Filter.Exists(f, r.nextInt(4) != 0);
                case 5, 6 -> {
                    List<Filter> ops = new ArrayList<>();
                    for (int i = 1 + r.nextInt(3); i > 0; i--) {
                        ops.add(filter(depth + 1));
                    }
                    yield new Filter.And(ops);
                }
                case 7 -> new Filter.Or(List.of(filter(depth + 1), filter(depth + 1)));
                default -> new Filter.Not(filter(depth + 1));
            };
        }

        /** Conjunctions shaped for the indexes: equality prefixes and ranges on the next field. */
        Filter indexFriendlyFilter() {
            List<Filter> ops = new ArrayList<>();
            switch (r.nextInt(6)) {
                case 0 -> ops.add(eq("a", value()));
                case 1 -> {
                    ops.add(eq("b", few()));
                    ops.add(range("a", value()));
                }
                case 5 -> ops.add(eq("b", few()));
                case 2 -> {
                    ops.add(eq("a", value()));
                    ops.add(range("c", number()));
                    if (r.nextBoolean()) {
                        ops.add(range("c", number()));
                    }
                }
                case 3 -> {
                    Value v = value();
                    ops.add(range("nest.x", v));
                    ops.add(range("nest.x", r.nextBoolean() ? v : value()));
                }
                default -> {
                    ops.add(eq("b", few()));
                    ops.add(eq("nest.x", value()));
                }
            }
            if (r.nextInt(3) == 0) {
                ops.add(filter(1));
            }
            return new Filter.And(ops);
        }

        Filter eq(String path, Value v) {
            return new Filter.Compare(FieldPath.parse(path), Op.EQ, v);
        }

        Filter range(String path, Value v) {
            Op op = List.of(Op.LT, Op.LTE, Op.GT, Op.GTE).get(r.nextInt(4));
            return new Filter.Compare(FieldPath.parse(path), op, v);
        }

        /** Order keys; a trailing _id, when present, follows the first key's direction. */
        List<Query.SortKey> order() {
            List<Query.SortKey> keys = new ArrayList<>();
            int n = switch (r.nextInt(10)) {
                case 0, 1, 2 -> 0;
                case 3, 4, 5, 6 -> 1;
                default -> 2;
            };
            Direction first = r.nextBoolean() ? Direction.ASC : Direction.DESC;
            for (int i = 0; i < n; i++) {
                Direction d = i == 0 || r.nextBoolean() ? first : (r.nextBoolean() ? Direction.ASC : Direction.DESC);
                keys.add(new Query.SortKey(FieldPath.parse(ORDER_FIELDS.get(r.nextInt(ORDER_FIELDS.size()))), d));
            }
            if (n > 0 && r.nextInt(6) == 0) {
                keys.add(new Query.SortKey(ID, first));
            }
            if (n == 0 && r.nextInt(8) == 0) {
                keys.add(new Query.SortKey(ID, r.nextBoolean() ? Direction.ASC : Direction.DESC));
            }
            return keys;
        }

        Query query(TableName table, boolean withLimit) {
            Filter f = r.nextInt(10) < 4 ? indexFriendlyFilter() : filter(0);
            OptionalInt limit = withLimit && r.nextInt(10) < 4 ? OptionalInt.of(1 + r.nextInt(40)) : OptionalInt.empty();
            return new Query(table, f, order(), limit);
        }
    }

    // ---- brute force ---------------------------------------------------------------------------

    /** The documented effective order: the query's order then _id in the first key's direction, or the index's fields. */
    static List<Query.SortKey> effectiveOrder(Query q, QueryPlan plan) {
        List<Query.SortKey> keys = new ArrayList<>(q.order());
        if (keys.isEmpty() && plan instanceof QueryPlan.IndexRange ir) {
            ir.fields().forEach(f -> keys.add(new Query.SortKey(f, Direction.ASC)));
        }
        if (keys.isEmpty() || !keys.get(keys.size() - 1).path().equals(ID)) {
            keys.add(new Query.SortKey(ID, keys.isEmpty() ? Direction.ASC : keys.get(0).direction()));
        }
        return keys;
    }

    static Comparator<Document> comparator(List<Query.SortKey> keys) {
        return (x, y) -> {
            Value.Obj vx = x.toObject();
            Value.Obj vy = y.toObject();
            for (Query.SortKey k : keys) {
                Optional<Value> a = FilterEvaluator.resolve(vx, k.path());
                Optional<Value> b = FilterEvaluator.resolve(vy, k.path());
                int c = a.isEmpty() || b.isEmpty() ? Boolean.compare(a.isPresent(), b.isPresent())
                        : ValueOrder.compare(a.get(), b.get());
                if (c != 0) {
                    return k.direction() == Direction.DESC ? -c : c;
                }
            }
            return 0;
        };
    }

    static List<Document> bruteForce(List<Document> all, Query q, QueryPlan plan) {
        List<Document> out = new ArrayList<>();
        for (Document d : all) {
            if (FilterEvaluator.matches(q.filter(), d.toObject())) {
                out.add(d);
            }
        }
        out.sort(comparator(effectiveOrder(q, plan)));
        if (q.limit().isPresent() && out.size() > q.limit().getAsInt()) {
            return out.subList(0, q.limit().getAsInt());
        }
        return out;
    }

    static List<Long> ns(List<Document> docs) {
        return docs.stream().map(QueryExecutionTest::n).toList();
    }

    static long n(Document d) {
        return ((Value.Int64) d.fields().get("n")).value();
    }

    static Query withTable(Query q, TableName table) {
        return new Query(table, q.filter(), q.order(), q.limit());
    }

    static Query withoutLimit(Query q) {
        return new Query(q.table(), q.filter(), q.order(), OptionalInt.empty());
    }

    // ---- engine helpers ------------------------------------------------------------------------

    List<Document> all(TableName table) {
        return engine.query(TENANT, ADMIN, Query.all(table));
    }

    List<DocumentId> insert(TableName table, List<Value.Obj> docs) {
        List<DocumentId> ids = new ArrayList<>();
        for (int i = 0; i < docs.size(); i += 50) {
            List<Mutation> batch = new ArrayList<>();
            for (Value.Obj d : docs.subList(i, Math.min(docs.size(), i + 50))) {
                batch.add(new Mutation.Insert(table, Optional.empty(), d));
            }
            ids.addAll(engine.commit(TENANT, ADMIN, batch).ids());
        }
        return ids;
    }

    /** Fills both tables with the same documents (and the same later patches); ids follow n in both. */
    List<Value.Obj> populate(Gen g, int count) {
        engine.setSchema(TENANT, ADMIN, schema(INDEXED, INDEXES));
        List<Value.Obj> docs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            docs.add(g.document(i));
        }
        List<DocumentId> indexedIds = insert(INDEXED, docs);
        List<DocumentId> plainIds = insert(PLAIN, docs);
        // Patch some documents so index entries are also maintained through updates.
        List<Mutation> patches = new ArrayList<>();
        for (int i = 0; i < count / 5; i++) {
            int k = g.r.nextInt(count);
            Value.Obj set = new Value.Obj(Map.of("a", g.value(), "c", g.number()));
            Set<String> unset = g.r.nextInt(3) == 0 ? Set.of("b") : Set.of();
            patches.add(new Mutation.Patch(INDEXED, indexedIds.get(k), set, unset));
            patches.add(new Mutation.Patch(PLAIN, plainIds.get(k), set, unset));
        }
        engine.commit(TENANT, ADMIN, patches);
        return docs;
    }

    /** Every page of a query, following cursors to the end. */
    List<Document> allPages(Query q, int pageSize) {
        List<Document> out = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        for (int guard = 0; guard < 10_000; guard++) {
            QueryRunner.Page page = engine.page(TENANT, ADMIN, q, pageSize, cursor);
            assertThat(page.documents().size()).isLessThanOrEqualTo(pageSize);
            assertThat(page.nextCursor().isPresent()).isEqualTo(page.hasMore());
            if (page.hasMore()) {
                assertThat(page.documents()).hasSize(pageSize);
            }
            out.addAll(page.documents());
            if (page.nextCursor().isEmpty()) {
                return out;
            }
            cursor = page.nextCursor();
        }
        throw new AssertionError("pagination did not end");
    }

    // ---- the differential property -----------------------------------------------------------

    @Test
    void indexedAndUnindexedTablesAgreeWithBruteForceOnRandomQueries() {
        Gen g = new Gen(20240501L);
        populate(g, 300);
        List<Document> indexedDocs = all(INDEXED);
        List<Document> plainDocs = all(PLAIN);
        assertThat(ns(indexedDocs)).as("ids sort like n in the indexed table").isSorted().hasSize(300);
        assertThat(ns(plainDocs)).as("ids sort like n in the plain table").isSorted().hasSize(300);
        assertThat(engine.verify(TENANT).problems()).isEmpty();

        int indexPlans = 0;
        int orderedByIndex = 0;
        int nonEmpty = 0;
        int queries = 250;
        for (int i = 0; i < queries; i++) {
            Query qi = g.query(INDEXED, true);
            Query qp = withTable(qi, PLAIN);
            QueryPlan planI = engine.explain(TENANT, qi);
            QueryPlan planP = engine.explain(TENANT, qp);
            assertThat(planP).isInstanceOf(QueryPlan.TableScan.class);
            if (planI instanceof QueryPlan.IndexRange ir) {
                indexPlans++;
                if (ir.providesOrder() && !qi.order().isEmpty()) {
                    orderedByIndex++;
                }
            }
            String context = "query #" + i + " " + qi + " planned as " + planI.describe();

            List<Long> gotI = ns(engine.query(TENANT, ADMIN, qi));
            List<Long> gotP = ns(engine.query(TENANT, ADMIN, qp));
            List<Long> wantI = ns(bruteForce(indexedDocs, qi, planI));
            List<Long> wantP = ns(bruteForce(plainDocs, qp, planP));

            assertThat(gotI).as("indexed vs brute force, " + context).isEqualTo(wantI);
            assertThat(gotP).as("plain vs brute force, " + context).isEqualTo(wantP);
            if (!qi.order().isEmpty()) {
                assertThat(gotI).as("indexed vs plain, " + context).isEqualTo(gotP);
            } else if (qi.limit().isEmpty()) {
                assertThat(gotI).as("indexed vs plain, " + context).containsExactlyInAnyOrderElementsOf(gotP);
            }
            if (!gotP.isEmpty()) {
                nonEmpty++;
            }
        }
        // The generator must exercise the interesting paths.
        assertThat(indexPlans).as("queries planned on an index").isGreaterThan(queries / 4);
        assertThat(orderedByIndex).as("orders served by an index").isGreaterThan(10);
        assertThat(nonEmpty).as("queries with results").isGreaterThan(queries / 3);
    }

    // ---- pagination ----------------------------------------------------------------------------

    /**
     * Queries without an order planned on an index resume from an index position (pushed down
     * to the storage scan); the other shapes resume by comparing sort values.
     */
    static boolean resumesAtAnIndexPosition(Query q, QueryPlan plan) {
        return plan instanceof QueryPlan.IndexRange && q.order().isEmpty();
    }

    Query queryOfShape(Gen g, TableName table, boolean resumingAtAnIndexPosition) {
        for (int i = 0; i < 10_000; i++) {
            Query q = g.query(table, false);
            if (resumesAtAnIndexPosition(q, engine.explain(TENANT, q)) == resumingAtAnIndexPosition) {
                return q;
            }
        }
        throw new AssertionError("no query of the wanted shape");
    }

    void checkPagesConcatenateToTheFullResult(Gen g, int queries, boolean resumingAtAnIndexPosition) {
        populate(g, 200);
        int indexPlans = 0;
        int multiPage = 0;
        for (int i = 0; i < queries; i++) {
            TableName table = resumingAtAnIndexPosition || i % 2 == 0 ? INDEXED : PLAIN;
            Query q = queryOfShape(g, table, resumingAtAnIndexPosition);
            int pageSize = 1 + g.r.nextInt(i % 4 == 0 ? 3 : 15);
            QueryPlan plan = engine.explain(TENANT, q);
            if (plan instanceof QueryPlan.IndexRange) {
                indexPlans++;
            }
            List<Long> full = ns(engine.query(TENANT, ADMIN, q));
            if (full.size() > pageSize) {
                multiPage++;
            }
            List<Long> paged = ns(allPages(q, pageSize));
            assertThat(paged).as("query #%d %s planned as %s, page size %d", i, q, plan.describe(), pageSize)
                    .isEqualTo(full);
        }
        assertThat(indexPlans).isGreaterThan(queries / 5);
        assertThat(multiPage).isGreaterThan(queries / 3);
    }

    @Test
    void pagesConcatenateToTheFullResult() {
        checkPagesConcatenateToTheFullResult(new Gen(77L), 80, false);
    }

    @Test
    void pagesOfIndexPlannedQueriesWithoutAnOrderConcatenateToTheFullResult() {
        checkPagesConcatenateToTheFullResult(new Gen(78L), 40, true);
    }

    @Test
    void pagingAnIndexPlannedQueryWithoutOrderReturnsEveryRowThatTiesOnTheIndexKey() {
        TableName tasks = TableName.of("tasks");
        engine.setSchema(TENANT, ADMIN, schema(tasks, List.of(index("by_status", "status"))));
        List<Value.Obj> docs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            docs.add(new Value.Obj(Map.of("n", Value.of((long) i), "status", Value.of(i < 7 ? "open" : "done"))));
        }
        insert(tasks, docs);
        Query open = new Query(tasks, new Filter.Compare(FieldPath.of("status"), Op.EQ, Value.of("open")),
                List.of(), OptionalInt.empty());
        assertThat(engine.explain(TENANT, open)).isInstanceOf(QueryPlan.IndexRange.class);

        QueryRunner.Page first = engine.page(TENANT, ADMIN, open, 3, Optional.empty());
        QueryRunner.Page second = engine.page(TENANT, ADMIN, open, 3, first.nextCursor());

        assertThat(ns(first.documents())).containsExactly(0L, 1L, 2L);
        assertThat(ns(second.documents())).containsExactly(3L, 4L, 5L); // actual: empty, hasMore false
        assertThat(ns(allPages(open, 3))).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
    }

    void checkPagesStayStableUnderWrites(Gen g, int queries, boolean resumingAtAnIndexPosition) {
        populate(g, 150);
        Map<TableName, Map<DocumentId, Document>> live = new HashMap<>();
        for (TableName t : List.of(INDEXED, PLAIN)) {
            Map<DocumentId, Document> m = new LinkedHashMap<>();
            all(t).forEach(d -> m.put(d.id(), d));
            live.put(t, m);
        }
        long nextN = 1000;
        int multiPage = 0;
        for (int i = 0; i < queries; i++) {
            TableName table = resumingAtAnIndexPosition || i % 2 == 0 ? INDEXED : PLAIN;
            Map<DocumentId, Document> docs = live.get(table);
            Query q = queryOfShape(g, table, resumingAtAnIndexPosition);
            QueryPlan plan = engine.explain(TENANT, q);
            int pageSize = 2 + g.r.nextInt(12);
            String context = "query #" + i + " " + q + " planned as " + plan.describe() + ", page size " + pageSize;

            Set<DocumentId> matchingAtStart = new HashSet<>();
            for (Document d : docs.values()) {
                if (FilterEvaluator.matches(q.filter(), d.toObject())) {
                    matchingAtStart.add(d.id());
                }
            }
            Set<DocumentId> deleted = new HashSet<>();
            List<Document> seen = new ArrayList<>();
            Optional<String> cursor = Optional.empty();
            for (int pages = 0; ; pages++) {
                assertThat(pages).as(context).isLessThan(1000);
                QueryRunner.Page page = engine.page(TENANT, ADMIN, q, pageSize, cursor);
                seen.addAll(page.documents());
                if (page.nextCursor().isEmpty()) {
                    break;
                }
                if (pages == 0) {
                    multiPage++;
                }
                cursor = page.nextCursor();
                // Writes between pages, in one commit: two inserts and two deletes.
                List<Mutation> writes = new ArrayList<>();
                writes.add(new Mutation.Insert(table, Optional.empty(), g.document(nextN++)));
                writes.add(new Mutation.Insert(table, Optional.empty(), g.document(nextN++)));
                List<DocumentId> candidates = new ArrayList<>(docs.keySet());
                for (int k = 0; k < 2 && !candidates.isEmpty(); k++) {
                    DocumentId victim = candidates.remove(g.r.nextInt(candidates.size()));
                    writes.add(new Mutation.Delete(table, victim));
                    docs.remove(victim);
                    deleted.add(victim);
                }
                for (DocumentId id : engine.commit(TENANT, ADMIN, writes).ids().subList(0, 2)) {
                    docs.put(id, engine.get(TENANT, ADMIN, table, id).orElseThrow());
                }
            }
            List<DocumentId> seenIds = seen.stream().map(Document::id).toList();
            assertThat(seenIds).as("no row twice, " + context).doesNotHaveDuplicates();
            Set<DocumentId> mustSee = new HashSet<>(matchingAtStart);
            mustSee.removeAll(deleted);
            assertThat(seenIds).as("every row that existed throughout, " + context).containsAll(mustSee);
            for (Document d : seen) {
                assertThat(FilterEvaluator.matches(q.filter(), d.toObject())).as(context).isTrue();
            }
            assertThat(seen).as("pages continue in the effective order, " + context)
                    .isSortedAccordingTo(comparator(effectiveOrder(q, plan)));
        }
        assertThat(multiPage).isGreaterThan(queries / 3);
    }

    @Test
    void pagesStayStableWhenDocumentsAreInsertedAndDeletedBetweenPages() {
        checkPagesStayStableUnderWrites(new Gen(4242L), 40, false);
    }

    @Test
    void pagesOfIndexPlannedQueriesWithoutAnOrderStayStableUnderWrites() {
        checkPagesStayStableUnderWrites(new Gen(4243L), 20, true);
    }

    // ---- order and limit edge cases ------------------------------------------------------------

    @Test
    void explicitIdAscendingAfterADescendingKeyOrdersTiesByAscendingId() {
        TableName tasks = TableName.of("tasks");
        engine.setSchema(TENANT, ADMIN, schema(tasks, List.of(index("by_status", "status"))));
        List<Value.Obj> docs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            docs.add(new Value.Obj(Map.of("n", Value.of((long) i), "status", Value.of(i < 4 ? "open" : "done"))));
        }
        insert(tasks, docs);
        insert(PLAIN, docs);
        List<Query.SortKey> order = List.of(new Query.SortKey(FieldPath.of("status"), Direction.DESC),
                new Query.SortKey(ID, Direction.ASC));

        List<Long> indexed = ns(engine.query(TENANT, ADMIN, new Query(tasks, Filter.all(), order, OptionalInt.empty())));
        List<Long> plain = ns(engine.query(TENANT, ADMIN, new Query(PLAIN, Filter.all(), order, OptionalInt.empty())));

        assertThat(plain).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(indexed).containsExactly(0L, 1L, 2L, 3L, 4L, 5L); // actual: 3, 2, 1, 0, 5, 4
    }

    @Test
    void descendingOrderBreaksTiesByDescendingId() {
        TableName tasks = TableName.of("tasks");
        engine.setSchema(TENANT, ADMIN, schema(tasks, List.of(index("by_status", "status"))));
        List<Value.Obj> docs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            docs.add(new Value.Obj(Map.of("n", Value.of((long) i), "status", Value.of(i < 4 ? "open" : "done"))));
        }
        insert(tasks, docs);
        insert(PLAIN, docs);
        List<Query.SortKey> order = List.of(new Query.SortKey(FieldPath.of("status"), Direction.DESC));

        List<Long> indexed = ns(engine.query(TENANT, ADMIN, new Query(tasks, Filter.all(), order, OptionalInt.empty())));
        List<Long> plain = ns(engine.query(TENANT, ADMIN, new Query(PLAIN, Filter.all(), order, OptionalInt.empty())));

        assertThat(indexed).containsExactly(3L, 2L, 1L, 0L, 5L, 4L);
        assertThat(plain).isEqualTo(indexed);
    }

    @Test
    void limitCutsTheOrderedResultAndPagesRespectTheSmallerOfLimitAndPageSize() {
        TableName tasks = TableName.of("tasks");
        List<Value.Obj> docs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            docs.add(new Value.Obj(Map.of("n", Value.of((long) i), "k", Value.of((long) (9 - i)))));
        }
        insert(tasks, docs);
        Query q = new Query(tasks, Filter.all(), List.of(new Query.SortKey(FieldPath.of("k"), Direction.ASC)),
                OptionalInt.of(4));

        assertThat(ns(engine.query(TENANT, ADMIN, q))).containsExactly(9L, 8L, 7L, 6L);
        QueryRunner.Page page = engine.page(TENANT, ADMIN, q, 2, Optional.empty());
        assertThat(ns(page.documents())).containsExactly(9L, 8L);
        assertThat(page.hasMore()).isTrue();
        QueryRunner.Page capped = engine.page(TENANT, ADMIN, q, 100, Optional.empty());
        assertThat(ns(capped.documents())).containsExactly(9L, 8L, 7L, 6L);
    }

    @Test
    void queryWithLimitZeroReturnsNoDocuments() {
        TableName tasks = TableName.of("tasks");
        insert(tasks, List.of(new Value.Obj(Map.of("n", Value.of(1L)))));
        Query q = new Query(tasks, Filter.all(), List.of(), OptionalInt.of(0));

        assertThat(engine.page(TENANT, ADMIN, q, 10, Optional.empty()).documents()).isEmpty();
        assertThat(engine.query(TENANT, ADMIN, q)).isEmpty();
    }

    @Test
    void invalidCursorIsInvalidInput() {
        TableName tasks = TableName.of("tasks");
        insert(tasks, List.of(new Value.Obj(Map.of("n", Value.of(1L))), new Value.Obj(Map.of("n", Value.of(2L)))));
        Query byN = new Query(tasks, Filter.all(), List.of(new Query.SortKey(FieldPath.of("n"), Direction.ASC)),
                OptionalInt.empty());
        Query all = Query.all(tasks);
        String cursorOfOneKey = engine.page(TENANT, ADMIN, all, 1, Optional.empty()).nextCursor().orElseThrow();

        for (String bad : List.of("not a cursor", "", "e30", cursorOfOneKey)) {
            Throwable t = org.assertj.core.api.Assertions.catchThrowable(
                    () -> engine.page(TENANT, ADMIN, byN, 1, Optional.of(bad)));
            assertThat(t).as(bad).isInstanceOf(dev.nimbus.core.error.NimbusException.class);
            assertThat(((dev.nimbus.core.error.NimbusException) t).code()).isEqualTo(dev.nimbus.core.error.ErrorCode.INVALID_INPUT);
        }
    }

    @Test
    void invalidRegexInAQueryIsInvalidInputEvenOnAnEmptyTable() {
        Query q = new Query(TableName.of("empty"), new Filter.Regex(FieldPath.of("s"), "(", ""), List.of(),
                OptionalInt.empty());
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> engine.query(TENANT, ADMIN, q));
        assertThat(t).isInstanceOf(dev.nimbus.core.error.NimbusException.class);
        assertThat(((dev.nimbus.core.error.NimbusException) t).code()).isEqualTo(dev.nimbus.core.error.ErrorCode.INVALID_INPUT);
    }

    // ---- explain and schema changes ------------------------------------------------------------

    @Test
    void explainNamesTheIndexWhenOneApplies() {
        TableName tasks = TableName.of("tasks");
        engine.setSchema(TENANT, ADMIN, schema(tasks, List.of(index("by_status", "status"),
                index("by_owner_due", "owner", "due"))));
        Filter byStatus = new Filter.Compare(FieldPath.of("status"), Op.EQ, Value.of("open"));
        Filter byOwnerAndDue = Filter.and(new Filter.Compare(FieldPath.of("owner"), Op.EQ, Value.of("ann")),
                new Filter.Compare(FieldPath.of("due"), Op.LT, Value.of(10L)));
        Filter byTitle = new Filter.Compare(FieldPath.of("title"), Op.EQ, Value.of("x"));

        QueryPlan p1 = engine.explain(TENANT, new Query(tasks, byStatus, List.of(), OptionalInt.empty()));
        QueryPlan p2 = engine.explain(TENANT, new Query(tasks, byOwnerAndDue, List.of(), OptionalInt.empty()));
        QueryPlan p3 = engine.explain(TENANT, new Query(tasks, byTitle, List.of(), OptionalInt.empty()));
        QueryPlan p4 = engine.explain(TENANT, new Query(TableName.of("no_schema"), byStatus, List.of(), OptionalInt.empty()));

        assertThat(p1).isInstanceOf(QueryPlan.IndexRange.class);
        assertThat(((QueryPlan.IndexRange) p1).index()).isEqualTo("by_status");
        assertThat(p1.describe()).startsWith("index by_status");
        assertThat(p2).isInstanceOf(QueryPlan.IndexRange.class);
        assertThat(((QueryPlan.IndexRange) p2).index()).isEqualTo("by_owner_due");
        assertThat(((QueryPlan.IndexRange) p2).equalityFields()).isEqualTo(1);
        assertThat(((QueryPlan.IndexRange) p2).rangeField()).isTrue();
        assertThat(p2.describe()).startsWith("index by_owner_due").contains("and a range");
        assertThat(p3).isEqualTo(new QueryPlan.TableScan(false, true));
        assertThat(p3.describe()).isEqualTo("table scan in id order");
        assertThat(p4).isInstanceOf(QueryPlan.TableScan.class);
    }

    @Test
    void indexAddedToAPopulatedTableServesQueriesAsSoonAsSetSchemaReturns() {
        TableName late = TableName.of("late");
        Gen g = new Gen(99L);
        List<Value.Obj> docs = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            docs.add(g.document(i));
        }
        insert(late, docs);
        List<Document> stored = all(late);
        Value wanted = docs.get(0).get("a") != null ? docs.get(0).get("a") : Value.of("a");
        Query eq = new Query(late, new Filter.Compare(FieldPath.of("a"), Op.EQ, wanted), List.of(), OptionalInt.empty());
        Query range = new Query(late, Filter.and(new Filter.Compare(FieldPath.of("c"), Op.GTE, Value.of(-1L)),
                new Filter.Compare(FieldPath.of("c"), Op.LT, Value.of(1000L))),
                List.of(new Query.SortKey(FieldPath.of("c"), Direction.DESC)), OptionalInt.of(30));
        Query ordered = new Query(late, Filter.all(), List.of(new Query.SortKey(FieldPath.of("nest", "x"), Direction.ASC)),
                OptionalInt.empty());
        assertThat(engine.explain(TENANT, eq)).isInstanceOf(QueryPlan.TableScan.class);
        List<Long> eqBefore = ns(engine.query(TENANT, ADMIN, eq));
        List<Long> rangeBefore = ns(engine.query(TENANT, ADMIN, range));
        List<Long> orderedBefore = ns(engine.query(TENANT, ADMIN, ordered));
        assertThat(eqBefore).isNotEmpty();
        assertThat(rangeBefore).isNotEmpty();

        engine.setSchema(TENANT, ADMIN, schema(late, List.of(index("by_a", "a"), index("by_c", "c"),
                index("by_nest_x", "nest.x"))));

        QueryPlan eqPlan = engine.explain(TENANT, eq);
        QueryPlan rangePlan = engine.explain(TENANT, range);
        QueryPlan orderedPlan = engine.explain(TENANT, ordered);
        assertThat(eqPlan).isInstanceOf(QueryPlan.IndexRange.class);
        assertThat(((QueryPlan.IndexRange) eqPlan).index()).isEqualTo("by_a");
        assertThat(((QueryPlan.IndexRange) rangePlan).index()).isEqualTo("by_c");
        assertThat(rangePlan.providesOrder()).isTrue();
        assertThat(((QueryPlan.IndexRange) orderedPlan).index()).isEqualTo("by_nest_x");
        assertThat(orderedPlan.providesOrder()).isTrue();
        assertThat(engine.schema(TENANT, late).orElseThrow().indexes())
                .allSatisfy(i -> assertThat(i.state()).isEqualTo(IndexState.ENABLED));

        // Without an order, an index plan returns rows in index order: compare as sets.
        assertThat(ns(engine.query(TENANT, ADMIN, eq))).containsExactlyInAnyOrderElementsOf(eqBefore);
        assertThat(ns(engine.query(TENANT, ADMIN, eq))).isEqualTo(ns(bruteForce(stored, eq, eqPlan)));
        assertThat(ns(engine.query(TENANT, ADMIN, range))).isEqualTo(rangeBefore);
        assertThat(ns(engine.query(TENANT, ADMIN, ordered))).isEqualTo(orderedBefore);
        assertThat(engine.verify(TENANT).problems()).isEmpty();
    }
}
