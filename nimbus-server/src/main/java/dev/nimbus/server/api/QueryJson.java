package dev.nimbus.server.api;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** Nimbus's query object: {@code table, filters[{field, op, value}], order{field, direction}, limit}. */
public final class QueryJson {
private QueryJson() {
    }

    public static Query parse(Value.Obj q) {
        TableName table = TableName.of(string(q, "table"));
        if (!(q.get("filters") instanceof Value.Array filters)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "\"filters\" is an array ([] for all documents)");
        }
        List<Filter> clauses = new ArrayList<>();
        for (Value f : filters.elements()) {
            if (!(f instanceof Value.Obj c) || c.get("value") == null) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "a filter is {\"field\", \"op\", \"value\"}");
            }
            Filter.Op op = switch (string(c, "op")) {
                case "eq" -> Filter.Op.EQ;
                case "neq" -> Filter.Op.NE;
                case "gt" -> Filter.Op.GT;
                case "gte" -> Filter.Op.GTE;
                case "lt" -> Filter.Op.LT;
                case "lte" -> Filter.Op.LTE;
                default -> throw new NimbusException(ErrorCode.INVALID_INPUT,
                        "filter op is one of eq, neq, gt, gte, lt, lte");
            };
            clauses.add(new Filter.Compare(FieldPath.parse(string(c, "field")), op, c.get("value")));
        }
        List<Query.SortKey> order = new ArrayList<>();
        if (q.get("order") instanceof Value.Obj o) {
            Query.Direction d = switch (o.get("direction") instanceof Value.Str s ? s.value() : "asc") {
                case "asc" -> Query.Direction.ASC;
                case "desc" -> Query.Direction.DESC;
                default -> throw new NimbusException(ErrorCode.INVALID_INPUT, "order direction is asc or desc");
            };
            order.add(new Query.SortKey(FieldPath.parse(string(o, "field")), d));
        } else if (q.get("order") != null && !(q.get("order") instanceof Value.Null)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "\"order\" is {\"field\", \"direction\"}");
        }
        OptionalInt limit = OptionalInt.empty();
        if (q.get("limit") instanceof Value.Int64 l) {
            if (l.value() < 0 || l.value() > Integer.MAX_VALUE) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "\"limit\" is a non-negative integer");
            }
            limit = OptionalInt.of((int) l.value());
        } else if (q.get("limit") != null && !(q.get("limit") instanceof Value.Null)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "\"limit\" is a non-negative integer");
        }
        return new Query(table, new Filter.And(clauses), order, limit);
    }

    private static String string(Value.Obj o, String field) {
        if (o.get(field) instanceof Value.Str s) {
            return s.value();
        }
        throw new NimbusException(ErrorCode.INVALID_INPUT, "\"" + field + "\" is a string");
    }
}
