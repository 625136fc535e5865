package dev.nimbus.runtime;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Turns what a function's query builder recorded ({@code ctx.db.query(t).withIndex(...).filter(...)
 * .order(...)}) into the engine's query IR. Index range conditions and filter expressions become
 * one conjunction (the engine plans it onto the index); {@code withIndex} orders by the index's
 * fields then {@code _creationTime}, like Convex; without an index, by {@code _creationTime}.
 */
final class QuerySpec {
    static final int TAKE_MAX = 100_000;
    private static final Map<String, Filter.Op> COMPARISONS = Map.of("eq", Filter.Op.EQ, "neq", Filter.Op.NE,
            "lt", Filter.Op.LT, "lte", Filter.Op.LTE, "gt", Filter.Op.GT, "gte", Filter.Op.GTE);
    private static final Map<Filter.Op, Filter.Op> FLIPPED = Map.of(Filter.Op.EQ, Filter.Op.EQ, Filter.Op.NE,
            Filter.Op.NE, Filter.Op.LT, Filter.Op.GT, Filter.Op.LTE, Filter.Op.GTE, Filter.Op.GT, Filter.Op.LT,
            Filter.Op.GTE, Filter.Op.LTE);

    private QuerySpec() {
    }

    /** {@code indexFields} answers an index's fields (throws when the table has no such index). */
    static Query toQuery(Value.Obj spec, BiFunction<String, String, List<String>> indexFields) {
        String table = string(spec, "table", "ctx.db.query(table) needs a table name");
        TableName tableName = TableName.of(table);
        List<Filter> conjuncts = new ArrayList<>();
        List<String> orderFields = new ArrayList<>();
        if (spec.get("index") instanceof Value.Str index) {
            if (!index.value().equals("by_creation_time") && !index.value().equals("by_id")) {
                orderFields.addAll(indexFields.apply(table, index.value()));
            }
            if (spec.get("range") instanceof Value.Array range) {
                for (Value c : range.elements()) {
                    Value.Obj cond = (Value.Obj) c;
                    String field = string(cond, "field", "an index range condition names a field");
                    if (!orderFields.isEmpty() && !orderFields.contains(field) && !field.equals("_creationTime")) {
                        throw new NimbusException(ErrorCode.INVALID_INPUT, "index " + index.value() + " of table "
                                + table + " has no field '" + field + "'");
                    }
                    Value value = cond.get("value") == null ? Value.nullValue() : cond.get("value");
                    conjuncts.add(new Filter.Compare(FieldPath.parse(field), COMPARISONS.get(string(cond, "op", "")), value));
                }
            }
        }
        if (spec.get("filters") instanceof Value.Array filters) {
            for (Value f : filters.elements()) {
                conjuncts.add(filter(f));
            }
        }
        Query.Direction direction = spec.get("order") instanceof Value.Str o && o.value().equals("desc")
                ? Query.Direction.DESC : Query.Direction.ASC;
        Set<String> order = new LinkedHashSet<>(orderFields);
        order.add("_creationTime");
        List<Query.SortKey> sort = order.stream().map(f -> new Query.SortKey(FieldPath.parse(f), direction)).toList();
        OptionalInt limit = OptionalInt.empty();
        if (spec.get("limit") instanceof Value.Int64 n) {
            if (n.value() < 0 || n.value() > TAKE_MAX) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "take(n) needs 0 <= n <= " + TAKE_MAX);
            }
            limit = OptionalInt.of((int) n.value());
        } else if (spec.get("limit") instanceof Value.Float64 f) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "take(n) needs an integer, got " + f.value());
        }
        Filter filter = conjuncts.isEmpty() ? Filter.all() : conjuncts.size() == 1 ? conjuncts.get(0) : new Filter.And(conjuncts);
        return new Query(tableName, filter, sort, limit);
    }

    /** One expression of {@code q.eq(q.field("a"), 1)}, {@code q.and(...)}, {@code q.or(...)}, {@code q.not(...)}. */
    static Filter filter(Value expr) {
        if (expr instanceof Value.Bool b) {
            return b.value() ? Filter.all() : new Filter.Not(Filter.all());
        }
        if (!(expr instanceof Value.Obj o) || !(o.get("op") instanceof Value.Str op)
                || !(o.get("operands") instanceof Value.Array operands)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "a filter must return a q.* expression, e.g. "
                    + "q.eq(q.field(\"done\"), false)");
        }
        List<Value> args = operands.elements();
        switch (op.value()) {
            case "and", "or" -> {
                List<Filter> parts = args.stream().map(QuerySpec::filter).toList();
                if (parts.isEmpty()) {
                    return op.value().equals("and") ? Filter.all() : new Filter.Not(Filter.all());
                }
                return op.value().equals("and") ? new Filter.And(parts) : new Filter.Or(parts);
            }
            case "not" -> {
                if (args.size() != 1) {
                    throw new NimbusException(ErrorCode.INVALID_INPUT, "q.not takes one expression");
                }
                return new Filter.Not(filter(args.get(0)));
            }
            default -> {
                Filter.Op cmp = COMPARISONS.get(op.value());
                if (cmp == null) {
                    throw new NimbusException(ErrorCode.INVALID_INPUT, "q." + op.value()
                            + " is not supported in Nimbus function filters (arithmetic is not)");
                }
                if (args.size() != 2) {
                    throw new NimbusException(ErrorCode.INVALID_INPUT, "q." + op.value() + " takes two operands");
                }
                String left = field(args.get(0));
                String right = field(args.get(1));
                if (left != null && right == null) {
                    return new Filter.Compare(FieldPath.parse(left), cmp, args.get(1));
                }
                if (left == null && right != null) {
                    return new Filter.Compare(FieldPath.parse(right), FLIPPED.get(cmp), args.get(0));
                }
                throw new NimbusException(ErrorCode.INVALID_INPUT, "q." + op.value()
                        + " needs exactly one q.field(...) and one value (comparing two fields or two values is not supported)");
            }
        }
    }

    private static String field(Value v) {
        return v instanceof Value.Obj o && o.fields().size() == 1 && o.get("field") instanceof Value.Str s ? s.value() : null;
    }

    private static String string(Value.Obj o, String key, String problem) {
        if (o.get(key) instanceof Value.Str s) {
            return s.value();
        }
        throw new NimbusException(ErrorCode.INVALID_INPUT, problem);
    }
}
