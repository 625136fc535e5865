package dev.nimbus.engine.query;

import dev.nimbus.core.query.FieldPath;
import dev.nimbus.storage.KeyRange;

import java.util.List;

/** How a query reads its table: a range of one index, or a scan in id order. */
public sealed interface QueryPlan {

    /** Whether rows come out already in the query's effective order (no sort needed). */
    boolean providesOrder();

    /** One sentence for {@code explain}. */
    String describe();

    /**
     * A range of an index.
     *
     * @param equalityFields leading index fields fixed by equality
     * @param rangeField     the field after them bounded by a range, if any
     */
    record IndexRange(String index, List<FieldPath> fields, KeyRange range, boolean descending,
                      boolean providesOrder, int equalityFields, boolean rangeField) implements QueryPlan {
        @Override
        public String describe() {
            return "index " + index + " " + fields + ": " + equalityFields + " equality field(s)"
                    + (rangeField ? " and a range" : "") + ", keys " + range + (descending ? " descending" : "")
                    + (providesOrder ? "" : ", then sorted");
        }
    }

    /** Every document of the table in id order. */
    record TableScan(boolean descending, boolean providesOrder) implements QueryPlan {
        @Override
        public String describe() {
            return "table scan in id order" + (descending ? " descending" : "") + (providesOrder ? "" : ", then sorted");
        }
    }
}
