package dev.nimbus.engine.query;

import dev.nimbus.core.model.TableName;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Filter.Op;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.query.Query.Direction;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.schema.TableSchema.IndexDefinition;
import dev.nimbus.core.schema.TableSchema.IndexState;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.index.IndexKeys;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/** Which plan the planner picks for a query under a schema of single and composite indexes. */
class QueryPlannerTest {
    private static final TableName TASKS = TableName.of("tasks");

    private static IndexDefinition index(String name, String... fields) {
        return new IndexDefinition(name, java.util.Arrays.stream(fields).map(FieldPath::parse).toList(), IndexState.ENABLED);
    }

    private static Optional<TableSchema> schema(IndexDefinition... indexes) {
        return Optional.of(new TableSchema(TASKS, List.of(), List.of(indexes), Optional.empty()));
    }

    /** The schema most tests plan against. */
    private static final Optional<TableSchema> SCHEMA = schema(
            index("by_owner", "owner"),
            index("by_status_due", "status", "due"),
            index("by_city", "address.city"),
            index("by_priority_title", "priority", "title"),
            index("by_score", "score"));

    private static Filter eq(String path, Value v) {
        return new Filter.Compare(FieldPath.parse(path), Op.EQ, v);
    }

    private static Filter cmp(String path, Op op, Value v) {
        return new Filter.Compare(FieldPath.parse(path), op, v);
    }

    private static Query.SortKey asc(String path) {
        return new Query.SortKey(FieldPath.parse(path), Direction.ASC);
    }

    private static Query.SortKey desc(String path) {
        return new Query.SortKey(FieldPath.parse(path), Direction.DESC);
    }

    private static Query query(Filter filter, Query.SortKey... order) {
        return new Query(TASKS, filter, List.of(order), OptionalInt.empty());
    }

    private static QueryPlan.IndexRange indexRange(QueryPlan plan) {
        assertThat(plan).isInstanceOf(QueryPlan.IndexRange.class);
        return (QueryPlan.IndexRange) plan;
    }

    /** Whether a document's entry in {@code index} lies inside the plan's key range. */
    private static boolean inRange(QueryPlan.IndexRange plan, Object... keyValues) {
        Map<String, Value> fields = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            fields.put((String) keyValues[i], (Value) keyValues[i + 1]);
        }
        IndexDefinition def = new IndexDefinition(plan.index(), plan.fields(), IndexState.ENABLED);
        return plan.range().contains(IndexKeys.key(def, new Value.Obj(fields)));
    }

    private static Value s(String v) {
        return Value.of(v);
    }

    private static Value n(long v) {
        return Value.of(v);
    }

    // ---- equality -----------------------------------------------------------------------------

    @Test
    void equalityOnAnIndexedFieldUsesItsIndex() {
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(query(eq("owner", s("ann"))), SCHEMA));

        assertThat(plan.index()).isEqualTo("by_owner");
        assertThat(plan.equalityFields()).isEqualTo(1);
        assertThat(plan.rangeField()).isFalse();
        assertThat(plan.providesOrder()).isTrue();
        assertThat(plan.descending()).isFalse();
        assertThat(inRange(plan, "owner", s("ann"))).isTrue();
        assertThat(inRange(plan, "owner", s("anne"))).isFalse();
        assertThat(inRange(plan, "owner", s("an"))).isFalse();
        assertThat(inRange(plan, "owner", n(1))).isFalse();
        assertThat(inRange(plan)).as("documents without the field").isFalse();
        assertThat(plan.describe()).contains("by_owner").contains("1 equality field");
    }

    @Test
    void equalityOnANestedIndexedPathUsesItsIndex() {
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(query(eq("address.city", s("Oslo"))), SCHEMA));

        assertThat(plan.index()).isEqualTo("by_city");
        assertThat(plan.fields()).containsExactly(FieldPath.parse("address.city"));
        assertThat(plan.equalityFields()).isEqualTo(1);
        assertThat(inRange(plan, "address", new Value.Obj(Map.of("city", s("Oslo"))))).isTrue();
        assertThat(inRange(plan, "address", new Value.Obj(Map.of("city", s("Bergen"))))).isFalse();
    }

    @Test
    void equalityOnBothFieldsOfACompositeFixesBoth() {
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(
                query(Filter.and(eq("due", s("2024-05-01")), eq("status", s("open")))), SCHEMA));

        assertThat(plan.index()).isEqualTo("by_status_due");
        assertThat(plan.equalityFields()).isEqualTo(2);
        assertThat(plan.rangeField()).isFalse();
        assertThat(inRange(plan, "status", s("open"), "due", s("2024-05-01"))).isTrue();
        assertThat(inRange(plan, "status", s("open"), "due", s("2024-05-02"))).isFalse();
        assertThat(inRange(plan, "status", s("done"), "due", s("2024-05-01"))).isFalse();
    }

    @Test
    void theIndexFixingMoreLeadingFieldsWins() {
        Optional<TableSchema> schema = schema(index("by_status", "status"), index("by_status_owner", "status", "owner"));
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(
                query(Filter.and(eq("status", s("open")), eq("owner", s("ann")))), schema));

        assertThat(plan.index()).isEqualTo("by_status_owner");
        assertThat(plan.equalityFields()).isEqualTo(2);
    }

    @Test
    void equalityNestedInAndOperandsIsFound() {
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(
                query(Filter.and(Filter.and(eq("status", s("open"))), new Filter.Exists(FieldPath.of("x"), true))), SCHEMA));

        assertThat(plan.index()).isEqualTo("by_status_due");
        assertThat(plan.equalityFields()).isEqualTo(1);
    }

    @Test
    void equalityOnANonLeadingFieldDoesNotUseTheComposite() {
        QueryPlan plan = QueryPlanner.plan(query(eq("due", s("2024-05-01"))), SCHEMA);

        assertThat(plan).isInstanceOf(QueryPlan.TableScan.class);
    }

    @Test
    void equalityOnAnArrayOrObjectIsNotAKeyPrefix() {
        // [1] == [1.0] under query equality, but they encode differently: no prefix is usable.
        QueryPlan arrayPlan = QueryPlanner.plan(query(eq("owner", Value.array(n(1)))), SCHEMA);
        QueryPlan objectPlan = QueryPlanner.plan(query(eq("owner", new Value.Obj(Map.of("x", n(1))))), SCHEMA);

        assertThat(arrayPlan).isInstanceOf(QueryPlan.TableScan.class);
        assertThat(objectPlan).isInstanceOf(QueryPlan.TableScan.class);
    }

    // ---- ranges -------------------------------------------------------------------------------

    @Test
    void equalityPrefixPlusRangeOnAComposite() {
        Filter f = Filter.and(eq("status", s("open")), cmp("due", Op.GTE, s("2024-05-01")), cmp("due", Op.LT, s("2024-06-01")));
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(query(f), SCHEMA));

        assertThat(plan.index()).isEqualTo("by_status_due");
        assertThat(plan.equalityFields()).isEqualTo(1);
        assertThat(plan.rangeField()).isTrue();
        assertThat(plan.describe()).contains("and a range");
        assertThat(inRange(plan, "status", s("open"), "due", s("2024-05-01"))).isTrue();
        assertThat(inRange(plan, "status", s("open"), "due", s("2024-05-31"))).isTrue();
        assertThat(inRange(plan, "status", s("open"), "due", s("2024-06-01"))).isFalse();
        assertThat(inRange(plan, "status", s("open"), "due", s("2024-04-30"))).isFalse();
        assertThat(inRange(plan, "status", s("opened"), "due", s("2024-05-15"))).isFalse();
        assertThat(inRange(plan, "status", s("done"), "due", s("2024-05-15"))).isFalse();
        assertThat(inRange(plan, "status", s("open"), "due", n(5))).as("other type classes are outside").isFalse();
        assertThat(inRange(plan, "status", s("open"))).as("missing due").isFalse();
    }

    @Test
    void rangeOnASingleFieldIndex() {
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(query(cmp("score", Op.GT, n(10))), SCHEMA));

        assertThat(plan.index()).isEqualTo("by_score");
        assertThat(plan.equalityFields()).isZero();
        assertThat(plan.rangeField()).isTrue();
        assertThat(inRange(plan, "score", n(11))).isTrue();
        assertThat(inRange(plan, "score", Value.of(10.5))).isTrue();
        assertThat(inRange(plan, "score", Value.of(Double.POSITIVE_INFINITY))).isTrue();
        // Every representation of 10 is excluded by "> 10".
        assertThat(inRange(plan, "score", n(10))).isFalse();
        assertThat(inRange(plan, "score", Value.of(10.0))).isFalse();
        assertThat(inRange(plan, "score", Value.of(new BigDecimal("10.000")))).isFalse();
        assertThat(inRange(plan, "score", s("11"))).isFalse();
        assertThat(inRange(plan, "score", Value.nullValue())).isFalse();
    }

    @Test
    void inclusiveNumericBoundsIncludeEveryRepresentation() {
        Filter f = Filter.and(cmp("score", Op.GTE, n(1)), cmp("score", Op.LTE, n(2)));
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(query(f), SCHEMA));

        for (Value v : List.of(n(1), Value.of(1.0), Value.of(new BigDecimal("1.00")), n(2), Value.of(2.0),
                Value.of(new BigDecimal("2.0")), Value.of(1.5))) {
            assertThat(inRange(plan, "score", v)).as("%s", v).isTrue();
        }
        assertThat(inRange(plan, "score", Value.of(0.999))).isFalse();
        assertThat(inRange(plan, "score", Value.of(new BigDecimal("2.000000000000000000001")))).isFalse();
    }

    @Test
    void equalityOutranksARange() {
        Filter f = Filter.and(cmp("score", Op.GT, n(10)), eq("owner", s("ann")));
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(query(f), SCHEMA));

        assertThat(plan.index()).isEqualTo("by_owner");
    }

    @Test
    void aRangeOutranksServingTheOrder() {
        Filter f = cmp("score", Op.GT, n(10));
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(query(f, asc("priority"), asc("title")), SCHEMA));

        assertThat(plan.index()).isEqualTo("by_score");
        assertThat(plan.rangeField()).isTrue();
        assertThat(plan.providesOrder()).isFalse();
        assertThat(plan.describe()).contains("then sorted");
    }

    // ---- order --------------------------------------------------------------------------------

    @Test
    void orderAfterTheEqualityPrefixIsServedByTheComposite() {
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(query(eq("status", s("open")), asc("due")), SCHEMA));

        assertThat(plan.index()).isEqualTo("by_status_due");
        assertThat(plan.providesOrder()).isTrue();
        assertThat(plan.descending()).isFalse();
    }

    @Test
    void descendingOrderIsServedByScanningBackwards() {
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(query(eq("status", s("open")), desc("due")), SCHEMA));

        assertThat(plan.index()).isEqualTo("by_status_due");
        assertThat(plan.providesOrder()).isTrue();
        assertThat(plan.descending()).isTrue();
        assertThat(plan.describe()).contains("descending");
    }

    @Test
    void orderAloneIsServedByAnIndexOverExactlyTheOrderFields() {
        QueryPlan.IndexRange single = indexRange(QueryPlanner.plan(query(Filter.all(), desc("score")), SCHEMA));
        QueryPlan.IndexRange composite = indexRange(QueryPlanner.plan(query(Filter.all(), asc("priority"), asc("title")), SCHEMA));

        assertThat(single.index()).isEqualTo("by_score");
        assertThat(single.providesOrder()).isTrue();
        assertThat(single.descending()).isTrue();
        assertThat(single.equalityFields()).isZero();
        assertThat(single.rangeField()).isFalse();
        assertThat(composite.index()).isEqualTo("by_priority_title");
        assertThat(composite.providesOrder()).isTrue();
        assertThat(composite.descending()).isFalse();
    }

    @Test
    void aTrailingIdAscendingIsTheImplicitTieBreak() {
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(
                query(eq("status", s("open")), asc("due"), asc("_id")), SCHEMA));

        assertThat(plan.index()).isEqualTo("by_status_due");
        assertThat(plan.providesOrder()).isTrue();
    }

    @Test
    void orderNotServedWhenItIsNotTheFieldsAfterThePrefix() {
        // Ordered by a field the index does not cover.
        QueryPlan.IndexRange byOther = indexRange(QueryPlanner.plan(query(eq("status", s("open")), asc("owner")), SCHEMA));
        // Ordered by a prefix of a composite only: its next field would break ties instead of _id.
        QueryPlan byPrefix = QueryPlanner.plan(query(Filter.all(), asc("priority")), SCHEMA);
        // Mixed directions cannot be one index scan.
        QueryPlan.IndexRange mixed = indexRange(QueryPlanner.plan(
                query(eq("status", s("open")), asc("due"), desc("owner")), SCHEMA));

        assertThat(byOther.index()).isEqualTo("by_status_due");
        assertThat(byOther.providesOrder()).isFalse();
        assertThat(byOther.descending()).isFalse();
        assertThat(byPrefix).isEqualTo(new QueryPlan.TableScan(false, false));
        assertThat(mixed.providesOrder()).isFalse();
    }

    @Test
    void descendingOrderWithAnExplicitAscendingIdIsNotServedByABackwardScan() {
        // The effective order is [score DESC, _id ASC]; scanning by_score backwards yields ties by _id DESC
        // and scanning it forwards yields score ASC, so no scan of by_score provides this order.
        QueryPlan plan = QueryPlanner.plan(query(Filter.all(), desc("score"), asc("_id")), SCHEMA);

        assertThat(plan.providesOrder()).isFalse();
    }

    @Test
    void mixedDirectionsOverACompositeAreNotServed() {
        QueryPlan plan = QueryPlanner.plan(query(Filter.all(), asc("priority"), desc("title")), SCHEMA);

        assertThat(plan.providesOrder()).isFalse();
    }

    // ---- numeric equality -----------------------------------------------------------------------

    @Test
    void numericEqualityStopsThePrefix() {
        Optional<TableSchema> schema = schema(index("by_n_due", "n", "due"));
        Filter f = Filter.and(eq("n", n(1)), cmp("due", Op.GT, s("2024")));
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(query(f), schema));

        assertThat(plan.index()).isEqualTo("by_n_due");
        assertThat(plan.equalityFields()).isEqualTo(1);
        assertThat(plan.rangeField()).as("the field after a number is not a contiguous range").isFalse();
        // Every representation of 1 is inside, whatever follows.
        assertThat(inRange(plan, "n", n(1), "due", s("2025"))).isTrue();
        assertThat(inRange(plan, "n", Value.of(1.0), "due", s("2000"))).isTrue();
        assertThat(inRange(plan, "n", Value.of(new BigDecimal("1.00")), "due", s("2025"))).isTrue();
        assertThat(inRange(plan, "n", Value.of(2L), "due", s("2025"))).isFalse();
        assertThat(inRange(plan, "n", Value.of(1.5), "due", s("2025"))).isFalse();
    }

    @Test
    void numericEqualityAfterAStringEqualityStopsThere() {
        Optional<TableSchema> schema = schema(index("by_s_n_t", "s", "n", "t"));
        Filter f = Filter.and(eq("s", s("x")), eq("n", Value.of(1.0)), eq("t", s("y")));
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(query(f), schema));

        assertThat(plan.equalityFields()).isEqualTo(2);
        assertThat(plan.rangeField()).isFalse();
        assertThat(inRange(plan, "s", s("x"), "n", n(1), "t", s("z"))).isTrue();
        assertThat(inRange(plan, "s", s("x"), "n", n(2), "t", s("y"))).isFalse();
        assertThat(inRange(plan, "s", s("w"), "n", n(1), "t", s("y"))).isFalse();
    }

    @Test
    void numericEqualityDoesNotServeTheOrderOfTheNextField() {
        Optional<TableSchema> schema = schema(index("by_n_due", "n", "due"));
        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(query(eq("n", n(1)), asc("due")), schema));

        assertThat(plan.index()).isEqualTo("by_n_due");
        assertThat(plan.providesOrder()).isFalse();
        assertThat(plan.descending()).isFalse();
    }

    // ---- table scans --------------------------------------------------------------------------

    @Test
    void noUsableIndexMeansATableScanInIdOrder() {
        QueryPlan byNothing = QueryPlanner.plan(query(eq("title", s("x"))), SCHEMA);
        QueryPlan byOr = QueryPlanner.plan(query(new Filter.Or(List.of(eq("owner", s("a")), eq("owner", s("b"))))), SCHEMA);
        QueryPlan byNe = QueryPlanner.plan(query(cmp("owner", Op.NE, s("a"))), SCHEMA);
        QueryPlan byNot = QueryPlanner.plan(query(new Filter.Not(eq("owner", s("a")))), SCHEMA);
        QueryPlan byIn = QueryPlanner.plan(query(new Filter.In(FieldPath.of("owner"), List.of(s("a")), false)), SCHEMA);
        QueryPlan noSchema = QueryPlanner.plan(query(eq("owner", s("a"))), Optional.empty());

        for (QueryPlan p : List.of(byNothing, byOr, byNe, byNot, byIn, noSchema)) {
            assertThat(p).isEqualTo(new QueryPlan.TableScan(false, true));
            assertThat(p.describe()).isEqualTo("table scan in id order");
        }
    }

    @Test
    void tableScanWithAnOrderItCannotServeSorts() {
        QueryPlan plan = QueryPlanner.plan(query(Filter.all(), asc("title")), SCHEMA);

        assertThat(plan).isEqualTo(new QueryPlan.TableScan(false, false));
        assertThat(plan.describe()).contains("then sorted");
    }

    @Test
    void orderByIdDescendingIsADescendingTableScan() {
        QueryPlan desc = QueryPlanner.plan(query(eq("title", s("x")), desc("_id")), SCHEMA);
        QueryPlan asc = QueryPlanner.plan(query(eq("title", s("x")), asc("_id")), SCHEMA);

        assertThat(desc).isEqualTo(new QueryPlan.TableScan(true, true));
        assertThat(desc.describe()).contains("descending");
        assertThat(asc).isEqualTo(new QueryPlan.TableScan(false, true));
    }

    @Test
    void indexesThatAreNotEnabledAreIgnored() {
        List<IndexDefinition> indexes = new ArrayList<>();
        for (IndexState state : List.of(IndexState.PENDING, IndexState.BACKFILLING, IndexState.DELETING)) {
            indexes.add(new IndexDefinition("by_owner_" + state.wireName(), List.of(FieldPath.of("owner")), state));
        }
        Optional<TableSchema> schema = Optional.of(new TableSchema(TASKS, List.of(), indexes, Optional.empty()));

        assertThat(QueryPlanner.plan(query(eq("owner", s("a"))), schema)).isInstanceOf(QueryPlan.TableScan.class);
    }

    @Test
    void effectiveOrderAppendsIdInTheFirstKeysDirection() {
        QueryPlan scan = new QueryPlan.TableScan(false, false);
        assertThat(QueryRunner.effectiveOrder(query(Filter.all(), desc("a"), asc("b")), scan))
                .containsExactly(desc("a"), asc("b"), desc("_id"));
        assertThat(QueryRunner.effectiveOrder(query(Filter.all()), scan)).containsExactly(asc("_id"));
        assertThat(QueryRunner.effectiveOrder(query(Filter.all(), desc("_id")), scan)).containsExactly(desc("_id"));

        QueryPlan.IndexRange plan = indexRange(QueryPlanner.plan(query(eq("status", s("open"))), SCHEMA));
        assertThat(QueryRunner.effectiveOrder(query(eq("status", s("open"))), plan))
                .containsExactly(asc("status"), asc("due"), asc("_id"));
    }
}
