package dev.nimbus.engine.policy;

import dev.cel.common.values.CelByteString;
import dev.cel.common.values.NullValue;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.value.Value;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The variables a rule sees, converted from Nimbus values to the Java forms the CEL runtime accepts. */
final class RuleInputs {
    static final String PRINCIPAL = "principal";
    static final String DOC = "doc";
    static final String WRITE = "write";

    private RuleInputs() {
    }

    static Map<String, Object> forRead(Principal principal, Value.Obj doc) {
        Map<String, Object> inputs = new HashMap<>(4);
        inputs.put(PRINCIPAL, principal(principal));
        inputs.put(DOC, toCel(doc));
        return inputs;
    }

    /** {@code before} is null on insert, {@code after} on delete; both reach CEL as {@code null}. */
    static Map<String, Object> forWrite(Principal principal, Value.Obj before, Value.Obj after) {
        Map<String, Object> inputs = new HashMap<>(4);
        inputs.put(PRINCIPAL, principal(principal));
        inputs.put(DOC, before == null ? NullValue.NULL_VALUE : toCel(before));
        inputs.put(WRITE, after == null ? NullValue.NULL_VALUE : toCel(after));
        return inputs;
    }

    static Map<String, Object> principal(Principal principal) {
        return Map.of(
                "kind", principal.kind().name().toLowerCase(Locale.ROOT),
                "subject", principal.subject(),
                "claims", toCel(principal.claims()));
    }

    /**
     * The CEL form of a value. Kinds CEL lacks become their closest CEL type:
     * <ul>
     *   <li>null → {@code null}; bool → {@code bool}; int64 → {@code int}; float64 →
     *       {@code double}; string → {@code string}; bytes → {@code bytes}; timestamp →
     *       {@code timestamp} (nanosecond precision);</li>
     *   <li>decimal → {@code double}: <b>lossy</b> (digits beyond a double's precision are lost,
     *       values beyond its range become ±infinity), so rules should not compare decimals for
     *       exact equality;</li>
     *   <li>ObjectId → its 24 lowercase hex digits; reference → its path string; GeoPoint →
     *       {@code {"latitude": double, "longitude": double}};</li>
     *   <li>set and array → {@code list}; object → {@code map(string, dyn)}.</li>
     * </ul>
     */
    static Object toCel(Value value) {
        return switch (value) {
            case Value.Null n -> NullValue.NULL_VALUE;
            case Value.Bool b -> b.value();
            case Value.Int64 i -> i.value();
            case Value.Float64 f -> f.value();
            case Value.Decimal d -> d.value().doubleValue();
            case Value.Str s -> s.value();
            case Value.Bytes b -> CelByteString.of(b.toByteArray());
            case Value.Timestamp t -> t.value();
            case Value.ObjectId id -> id.toHex();
            case Value.Reference r -> r.path();
            case Value.GeoPoint g -> Map.of("latitude", g.latitude(), "longitude", g.longitude());
            case Value.TypedSet s -> toCelList(s.elements());
            case Value.Array a -> toCelList(a.elements());
            case Value.Obj o -> {
                Map<String, Object> fields = new LinkedHashMap<>(o.fields().size() * 2);
                o.fields().forEach((name, field) -> fields.put(name, toCel(field)));
                yield fields;
            }
        };
    }

    private static List<Object> toCelList(List<Value> elements) {
        return elements.stream().map(RuleInputs::toCel).toList();
    }
}
