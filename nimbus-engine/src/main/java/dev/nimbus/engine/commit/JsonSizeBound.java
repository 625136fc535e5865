package dev.nimbus.engine.commit;

import dev.nimbus.core.value.Value;

import java.util.Map;

/**
 * A cheap upper bound of a value's canonical JSON size in UTF-8 bytes, so only documents that
 * might exceed the size limit pay for an exact encoding before reaching storage.
 */
final class JsonSizeBound {
    private JsonSizeBound() {
    }

    static long of(Value v) {
        return switch (v) {
            case Value.Null n -> 4;
            case Value.Bool b -> 5;
            case Value.Int64 x -> 40;
            case Value.Float64 x -> 40;
            case Value.Decimal x -> x.value().precision() + 32L + 12;
            case Value.Str s -> 6L * s.value().length() + 2;
            case Value.Bytes b -> 4L * b.length() / 3 + 20;
            case Value.Timestamp t -> 60;
            case Value.ObjectId o -> 40;
            case Value.Reference r -> 6L * r.path().length() + 12;
            case Value.GeoPoint g -> 80;
            case Value.TypedSet s -> 60 + s.elements().stream().mapToLong(e -> of(e) + 1).sum();
            case Value.Array a -> 2 + a.elements().stream().mapToLong(e -> of(e) + 1).sum();
            case Value.Obj o -> {
                long sum = 14;
                for (Map.Entry<String, Value> e : o.fields().entrySet()) {
                    sum += 6L * e.getKey().length() + 4 + of(e.getValue());
                }
                yield sum;
            }
        };
    }
}
