package dev.nimbus.core.query;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TableName;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A read over one table: filter, order, limit. The engine plans it onto an index range or a
 * scan; documents with equal sort keys are ordered by id, which makes pagination stable.
 */
public record Query(TableName table, Filter filter, List<SortKey> order, OptionalInt limit) {
    public enum Direction {
        ASC, DESC
    }

    public record SortKey(FieldPath path, Direction direction) {
        public SortKey {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(direction, "direction");
        }
    }

    public Query {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(filter, "filter");
        order = List.copyOf(order);
        Objects.requireNonNull(limit, "limit");
        if (limit.isPresent() && limit.getAsInt() < 0) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "limit must not be negative");
        }
    }

    public static Query all(TableName table) {
        return new Query(table, Filter.all(), List.of(), OptionalInt.empty());
    }
}
