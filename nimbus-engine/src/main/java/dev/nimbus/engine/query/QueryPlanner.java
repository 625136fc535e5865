package dev.nimbus.engine.query;

import dev.nimbus.core.codec.ByteSink;
import dev.nimbus.core.codec.KeyCodec;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.storage.KeyRange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Picks how to read a query: the enabled index that fixes the most leading fields by equality,
 * then bounds the next by a range, then serves the order; otherwise a table scan. The filter is
 * always re-applied to what the plan reads, so a plan only has to be a superset; it never
 * changes results, only their cost.
 */
public final class QueryPlanner {
    private QueryPlanner() {
    }

    public static QueryPlan plan(Query query, Optional<TableSchema> schema) {
        List<Filter> conjuncts = new ArrayList<>();
        flatten(query.filter(), conjuncts);
        Map<FieldPath, Value> equalities = new LinkedHashMap<>();
        Map<FieldPath, List<Filter.Compare>> ranges = new LinkedHashMap<>();
        for (Filter f : conjuncts) {
            if (f instanceof Filter.Compare c) {
                switch (c.op()) {
                    case EQ -> equalities.putIfAbsent(c.path(), c.value());
                    case LT, LTE, GT, GTE -> ranges.computeIfAbsent(c.path(), p -> new ArrayList<>()).add(c);
                    default -> { }
                }
            }
        }
        List<Query.SortKey> order = significantOrder(query.order());

        QueryPlan best = null;
        int bestScore = 0;
        for (TableSchema.IndexDefinition index : schema.map(TableSchema::indexes).orElse(List.of())) {
            if (index.state() != TableSchema.IndexState.ENABLED) {
                continue;
            }
            Candidate c = candidate(index, equalities, ranges, order);
            if (c.score > bestScore) {
                best = c.plan;
                bestScore = c.score;
            }
        }
        if (best != null) {
            return best;
        }
        boolean byId = order.size() == 1 && order.get(0).path().equals(FieldPath.of(Document.ID));
        boolean descending = byId && order.get(0).direction() == Query.Direction.DESC;
        return new QueryPlan.TableScan(descending, order.isEmpty() || byId);
    }

    /**
     * The order without a trailing {@code _id} in the first key's direction: that is the
     * implicit tie-break, which an index scan in that direction yields anyway.
     */
    static List<Query.SortKey> significantOrder(List<Query.SortKey> order) {
        List<Query.SortKey> out = new ArrayList<>(order);
        if (out.size() > 1) {
            Query.SortKey last = out.get(out.size() - 1);
            if (last.path().equals(FieldPath.of(Document.ID)) && last.direction() == out.get(0).direction()) {
                out.remove(out.size() - 1);
            }
        }
        return out;
    }

    private static void flatten(Filter f, List<Filter> out) {
        if (f instanceof Filter.And and) {
            for (Filter o : and.operands()) {
                flatten(o, out);
            }
        } else {
            out.add(f);
        }
    }

    private record Candidate(QueryPlan plan, int score) {
    }

    private static Candidate candidate(TableSchema.IndexDefinition index, Map<FieldPath, Value> equalities,
                                       Map<FieldPath, List<Filter.Compare>> ranges, List<Query.SortKey> order) {
        List<FieldPath> fields = index.fields();
        ByteSink prefix = new ByteSink(32);
        int equalityFields = 0;
        KeyRange range = null;
        boolean numericEquality = false;
        for (FieldPath field : fields) {
            Value v = equalities.get(field);
            if (v == null) {
                break;
            }
            if (v.typeClass() == Value.TypeClass.NUMBER) {
                // All representations of the number (1, 1.0, 1.00m) share a byte range, but
                // the fields after it are not ordered across those sub-ranges: stop here.
                ByteSink numeric = new ByteSink(16);
                numeric.put(prefix.toByteArray());
                KeyCodec.writeNumericPrefix(numeric, v);
                range = KeyRange.prefix(numeric.toByteArray());
                equalityFields++;
                numericEquality = true;
                break;
            }
            if (!isExactScalar(v)) {
                break; // equality on arrays/objects compares numbers leniently; not a byte prefix
            }
            KeyCodec.write(prefix, v);
            equalityFields++;
        }
        byte[] p = prefix.toByteArray();
        boolean rangeField = false;
        if (range == null && equalityFields < fields.size()) {
            List<Filter.Compare> bounds = ranges.get(fields.get(equalityFields));
            if (bounds != null) {
                range = rangeOf(p, bounds);
                rangeField = true;
            }
        }
        if (range == null) {
            range = p.length == 0 ? KeyRange.ALL : KeyRange.prefix(p);
        }

        // Order: the order's fields must be the index fields right after the equality prefix.
        boolean providesOrder;
        boolean descending = false;
        if (order.isEmpty()) {
            providesOrder = true;
        } else if (numericEquality) {
            providesOrder = false;
        } else {
            // Exactly the remaining fields: a further index field would order ties differently
            // from the effective order's id tie-break.
            providesOrder = equalityFields + order.size() == fields.size();
            Query.Direction direction = order.get(0).direction();
            for (int i = 0; providesOrder && i < order.size(); i++) {
                providesOrder = order.get(i).path().equals(fields.get(equalityFields + i))
                        && order.get(i).direction() == direction;
            }
            descending = providesOrder && direction == Query.Direction.DESC;
        }
        int score = 3 * equalityFields + (rangeField ? 2 : 0) + (providesOrder && !order.isEmpty() ? 1 : 0);
        return new Candidate(new QueryPlan.IndexRange(index.name(), fields, range, descending, providesOrder,
                equalityFields, rangeField), score);
    }

    private static boolean isExactScalar(Value v) {
        return switch (v.typeClass()) {
            case NUMBER, ARRAY, OBJECT, SET -> false;
            default -> true;
        };
    }

    /** [lower, upper) within the type class of the first bound; other classes never match a range. */
    private static KeyRange rangeOf(byte[] prefix, List<Filter.Compare> bounds) {
        Value.TypeClass cls = bounds.get(0).value().typeClass();
        byte[] lower = concat(prefix, KeyCodec.typeClassStart(cls));
        byte[] upper = concat(prefix, KeyCodec.typeClassEnd(cls));
        for (Filter.Compare c : bounds) {
            if (c.value().typeClass() != cls) {
                continue;
            }
            ByteSink at = new ByteSink(32);
            at.put(prefix);
            if (cls == Value.TypeClass.NUMBER) {
                KeyCodec.writeNumericPrefix(at, c.value());
            } else {
                KeyCodec.write(at, c.value());
            }
            byte[] exactly = at.toByteArray();
            byte[] after = KeyCodec.prefixSuccessor(exactly);
            switch (c.op()) {
                case GT -> lower = max(lower, after);
                case GTE -> lower = max(lower, exactly);
                case LT -> upper = min(upper, exactly);
                case LTE -> upper = min(upper, after);
                default -> { }
            }
        }
        return new KeyRange(lower, true, upper, false);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] max(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static byte[] min(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b) <= 0 ? a : b;
    }
}
