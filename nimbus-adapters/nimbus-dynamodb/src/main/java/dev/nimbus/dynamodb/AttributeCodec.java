package dev.nimbus.dynamodb;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.value.Value;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DynamoDB AttributeValues ({@code {"S": ...}}, {@code {"N": ...}}, ...) to and from Nimbus
 * values, with DynamoDB's validation: one tag per value, number precision and range, non-empty
 * duplicate-free sets, nesting depth. Numbers become {@link Value.Decimal} in canonical form
 * (trailing zeros stripped), so {@code 1}, {@code 1.0} and {@code 1E0} are one value.
 *
 * <p>An item maps onto a document's fields one attribute per field. The few attribute names a
 * document cannot hold (Nimbus's system fields) and names starting with {@code ~} are stored
 * with a {@code ~} prefix; {@link #fieldName} / {@link #attributeName} translate.
 */
public final class AttributeCodec {
    public static final int NUMBER_DIGITS_MAX = 38;
    public static final int EXPONENT_MAX = 125;
    public static final int EXPONENT_MIN = -130;
    public static final int DEPTH_MAX = 32;
    static final char ESCAPE = '~';

    private AttributeCodec() {
    }

    // ---- names -----------------------------------------------------------------------------

    public static String fieldName(String attribute) {
        return Document.SYSTEM_FIELDS.contains(attribute) || attribute.startsWith("~") ? ESCAPE + attribute : attribute;
    }

    public static String attributeName(String field) {
        return field.startsWith("~") ? field.substring(1) : field;
    }

    // ---- items -----------------------------------------------------------------------------

    /** An item from the wire, by attribute name. */
    public static Map<String, Value> item(Object json, String member) {
        if (!(json instanceof Map<?, ?> m)) {
            throw DynamoDbException.serialization("Unexpected value type in payload for " + member);
        }
        Map<String, Value> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.put((String) e.getKey(), decode(e.getValue(), 1));
        }
        return out;
    }

    public static Map<String, Object> encodeItem(Map<String, Value> item) {
        Map<String, Object> out = new LinkedHashMap<>();
        item.forEach((k, v) -> out.put(k, encode(v)));
        return out;
    }

    /**
     * An item to send as it is: {@link Json#write} writes its AttributeValues straight from the
     * values, the same JSON as {@link #encodeItem} without building that tree first.
     */
    public record WireItem(Map<String, Value> item) {
    }

    /** Writes an item's wire form (the JSON of {@link #encodeItem}). */
    static void write(JsonGenerator g, Map<String, Value> item) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, Value> e : item.entrySet()) {
            g.writeFieldName(e.getKey());
            write(g, e.getValue());
        }
        g.writeEndObject();
    }

    /** Writes a value's wire form (the JSON of {@link #encode}). */
    static void write(JsonGenerator g, Value v) throws IOException {
        g.writeStartObject();
        switch (v) {
            case Value.Str s -> tagged(g, "S", s.value());
            case Value.Decimal d -> tagged(g, "N", numberText(d.value()));
            case Value.Int64 i -> tagged(g, "N", Long.toString(i.value()));
            case Value.Float64 f -> {
                if (Double.isFinite(f.value())) {
                    tagged(g, "N", numberText(BigDecimal.valueOf(f.value())));
                } else {
                    tagged(g, "S", Double.toString(f.value()));
                }
            }
            case Value.Bytes b -> tagged(g, "B", Base64.getEncoder().encodeToString(b.toByteArray()));
            case Value.Bool b -> {
                g.writeFieldName("BOOL");
                g.writeBoolean(b.value());
            }
            case Value.Null n -> {
                g.writeFieldName("NULL");
                g.writeBoolean(true);
            }
            case Value.Array a -> {
                g.writeFieldName("L");
                g.writeStartArray();
                for (Value x : a.elements()) {
                    write(g, x);
                }
                g.writeEndArray();
            }
            case Value.Obj o -> {
                g.writeFieldName("M");
                write(g, o.fields());
            }
            case Value.TypedSet s -> {
                g.writeFieldName(switch (s.setKind()) {
                    case STRING -> "SS";
                    case NUMBER -> "NS";
                    case BYTES -> "BS";
                });
                g.writeStartArray();
                for (Value e : s.elements()) {
                    g.writeString(switch (s.setKind()) {
                        case STRING -> ((Value.Str) e).value();
                        case NUMBER -> numberText(numeric(e));
                        case BYTES -> Base64.getEncoder().encodeToString(((Value.Bytes) e).toByteArray());
                    });
                }
                g.writeEndArray();
            }
            case Value.Timestamp t -> tagged(g, "S", t.value().toString());
            case Value.ObjectId o -> tagged(g, "S", o.toHex());
            case Value.Reference r -> tagged(g, "S", r.path());
            case Value.GeoPoint geo -> {
                g.writeFieldName("M");
                g.writeStartObject();
                g.writeFieldName("latitude");
                g.writeStartObject();
                tagged(g, "N", numberText(BigDecimal.valueOf(geo.latitude())));
                g.writeEndObject();
                g.writeFieldName("longitude");
                g.writeStartObject();
                tagged(g, "N", numberText(BigDecimal.valueOf(geo.longitude())));
                g.writeEndObject();
                g.writeEndObject();
            }
        }
        g.writeEndObject();
    }

    private static void tagged(JsonGenerator g, String tag, String text) throws IOException {
        g.writeFieldName(tag);
        g.writeString(text);
    }

    /** The document fields that store an item. */
    public static Value.Obj toFields(Map<String, Value> item) {
        Map<String, Value> f = new LinkedHashMap<>();
        item.forEach((k, v) -> f.put(fieldName(k), v));
        return new Value.Obj(f);
    }

    /** The item a document stores. */
    public static Map<String, Value> fromFields(Value.Obj fields) {
        Map<String, Value> item = new LinkedHashMap<>();
        fields.fields().forEach((k, v) -> item.put(attributeName(k), v));
        return item;
    }

    // ---- values ----------------------------------------------------------------------------

    public static Value decode(Object json, int depth) {
        if (depth > DEPTH_MAX) {
            throw DynamoDbException.validation("Nesting Levels have exceeded supported limits");
        }
        if (!(json instanceof Map<?, ?> m)) {
            throw DynamoDbException.serialization("Unexpected value type in payload");
        }
        if (m.isEmpty()) {
            throw DynamoDbException.validation(
                    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
        }
        if (m.size() > 1) {
            throw DynamoDbException.validation("Supplied AttributeValue has more than one datatypes set, "
                    + "must contain exactly one of the supported datatypes");
        }
        Map.Entry<?, ?> e = m.entrySet().iterator().next();
        String tag = (String) e.getKey();
        Object v = e.getValue();
        return switch (tag) {
            case "S" -> Value.of(string(v, tag));
            case "N" -> number(string(v, tag));
            case "B" -> Value.of(binary(v));
            case "BOOL" -> {
                if (!(v instanceof Boolean b)) {
                    throw DynamoDbException.serialization("BOOL must be a boolean");
                }
                yield Value.of(b);
            }
            case "NULL" -> {
                if (!(v instanceof Boolean b)) {
                    throw DynamoDbException.serialization("NULL must be a boolean");
                }
                if (!b) {
                    throw DynamoDbException.validation("One or more parameter values were invalid: "
                            + "Null attribute value types must have the value of true");
                }
                yield Value.nullValue();
            }
            case "L" -> {
                List<Value> out = new ArrayList<>();
                for (Object o : list(v, tag)) {
                    out.add(decode(o, depth + 1));
                }
                yield Value.array(out);
            }
            case "M" -> {
                if (!(v instanceof Map<?, ?> mm)) {
                    throw DynamoDbException.serialization("M must be an object");
                }
                Map<String, Value> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> f : mm.entrySet()) {
                    out.put((String) f.getKey(), decode(f.getValue(), depth + 1));
                }
                yield new Value.Obj(out);
            }
            case "SS" -> set(Value.TypedSet.SetKind.STRING, list(v, tag), "string");
            case "NS" -> set(Value.TypedSet.SetKind.NUMBER, list(v, tag), "number");
            case "BS" -> set(Value.TypedSet.SetKind.BYTES, list(v, tag), "binary");
            default -> throw DynamoDbException.serialization("Unknown AttributeValue type " + tag);
        };
    }

    private static String string(Object v, String tag) {
        if (!(v instanceof String s)) {
            throw DynamoDbException.serialization("Unexpected value type in payload for " + tag);
        }
        return s;
    }

    private static List<?> list(Object v, String tag) {
        if (!(v instanceof List<?> l)) {
            throw DynamoDbException.serialization("Unexpected value type in payload for " + tag);
        }
        return l;
    }

    private static byte[] binary(Object v) {
        if (!(v instanceof String s)) {
            throw DynamoDbException.serialization("Unexpected value type in payload for B");
        }
        try {
            return Base64.getMimeDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw DynamoDbException.serialization("Base64 encoded length is expected a multiple of 4 bytes but found: "
                    + s.length());
        }
    }

    private static Value set(Value.TypedSet.SetKind kind, List<?> raw, String word) {
        if (raw.isEmpty()) {
            throw DynamoDbException.validation("One or more parameter values were invalid: An " + word
                    + " set  may not be empty");
        }
        List<Value> elements = new ArrayList<>();
        Set<Value> seen = new HashSet<>();
        List<String> shown = new ArrayList<>();
        boolean duplicate = false;
        for (Object o : raw) {
            Value e = switch (kind) {
                case STRING -> Value.of(string(o, "SS"));
                case NUMBER -> number(string(o, "NS"));
                case BYTES -> Value.of(binary(o));
            };
            duplicate |= !seen.add(e);
            elements.add(e);
            shown.add(o instanceof String s ? s : String.valueOf(o));
        }
        if (duplicate) {
            throw DynamoDbException.validation("One or more parameter values were invalid: Input collection "
                    + shown + " contains duplicates.");
        }
        return new Value.TypedSet(kind, elements);
    }

    /** Parses a DynamoDB number into its canonical decimal, with DynamoDB's checks. */
    public static Value.Decimal number(String text) {
        BigDecimal d;
        try {
            if (text.isEmpty() || !text.strip().equals(text)) {
                throw new NumberFormatException();
            }
            d = new BigDecimal(text);
        } catch (NumberFormatException | ArithmeticException e) {
            throw DynamoDbException.validation("A value provided cannot be converted into a number");
        }
        if (d.signum() == 0) {
            return new Value.Decimal(BigDecimal.ZERO);
        }
        d = d.stripTrailingZeros();
        if (d.precision() > NUMBER_DIGITS_MAX) {
            throw DynamoDbException.validation("Attempting to store more than 38 significant digits in a Number");
        }
        long exponent = (long) d.precision() - d.scale() - 1;
        if (exponent > EXPONENT_MAX) {
            throw DynamoDbException.validation(
                    "Number overflow. Attempting to store a number with magnitude larger than supported range");
        }
        if (exponent < EXPONENT_MIN) {
            throw DynamoDbException.validation(
                    "Number underflow. Attempting to store a number with magnitude smaller than supported range");
        }
        return new Value.Decimal(d);
    }

    /** DynamoDB's rendering of a number: plain notation, no trailing zeros. */
    public static String numberText(BigDecimal d) {
        if (d.signum() == 0) {
            return "0";
        }
        return d.stripTrailingZeros().toPlainString();
    }

    /** The wire form of a value; values written by other surfaces get the nearest DynamoDB type. */
    public static Object encode(Value v) {
        return switch (v) {
            case Value.Str s -> Map.of("S", s.value());
            case Value.Decimal d -> Map.of("N", numberText(d.value()));
            case Value.Int64 i -> Map.of("N", Long.toString(i.value()));
            case Value.Float64 f -> Double.isFinite(f.value())
                    ? Map.of("N", numberText(BigDecimal.valueOf(f.value()))) : Map.of("S", Double.toString(f.value()));
            case Value.Bytes b -> Map.of("B", Base64.getEncoder().encodeToString(b.toByteArray()));
            case Value.Bool b -> Map.of("BOOL", b.value());
            case Value.Null n -> Map.of("NULL", true);
            case Value.Array a -> Map.of("L", a.elements().stream().map(AttributeCodec::encode).toList());
            case Value.Obj o -> {
                Map<String, Object> m = new LinkedHashMap<>();
                o.fields().forEach((k, x) -> m.put(k, encode(x)));
                yield Map.of("M", m);
            }
            case Value.TypedSet s -> switch (s.setKind()) {
                case STRING -> Map.of("SS", s.elements().stream().map(e -> ((Value.Str) e).value()).toList());
                case NUMBER -> Map.of("NS", s.elements().stream().map(e -> numberText(numeric(e))).toList());
                case BYTES -> Map.of("BS", s.elements().stream()
                        .map(e -> Base64.getEncoder().encodeToString(((Value.Bytes) e).toByteArray())).toList());
            };
            case Value.Timestamp t -> Map.of("S", t.value().toString());
            case Value.ObjectId o -> Map.of("S", o.toHex());
            case Value.Reference r -> Map.of("S", r.path());
            case Value.GeoPoint g -> Map.of("M", Map.of("latitude", Map.of("N", numberText(BigDecimal.valueOf(g.latitude()))),
                    "longitude", Map.of("N", numberText(BigDecimal.valueOf(g.longitude())))));
        };
    }

    static BigDecimal numeric(Value v) {
        return switch (v) {
            case Value.Decimal d -> d.value();
            case Value.Int64 i -> BigDecimal.valueOf(i.value());
            case Value.Float64 f -> BigDecimal.valueOf(f.value());
            default -> throw new IllegalArgumentException("not a number");
        };
    }

    /** The DynamoDB type tag of a stored value. */
    public static String typeOf(Value v) {
        return switch (v) {
            case Value.Str s -> "S";
            case Value.Decimal d -> "N";
            case Value.Int64 i -> "N";
            case Value.Float64 f -> "N";
            case Value.Bytes b -> "B";
            case Value.Bool b -> "BOOL";
            case Value.Null n -> "NULL";
            case Value.Array a -> "L";
            case Value.Obj o -> "M";
            case Value.TypedSet s -> switch (s.setKind()) {
                case STRING -> "SS";
                case NUMBER -> "NS";
                case BYTES -> "BS";
            };
            default -> "S";
        };
    }

    // ---- sizes -----------------------------------------------------------------------------

    /** DynamoDB's item size: names plus values, as its documentation counts them. */
    public static long itemSize(Map<String, Value> item) {
        long size = 0;
        for (Map.Entry<String, Value> e : item.entrySet()) {
            size += utf8Length(e.getKey()) + valueSize(e.getValue());
        }
        return size;
    }

    public static long valueSize(Value v) {
        return switch (v) {
            case Value.Str s -> utf8Length(s.value());
            case Value.Bytes b -> b.length();
            case Value.Bool b -> 1;
            case Value.Null n -> 1;
            case Value.Array a -> {
                long n = 3;
                for (Value x : a.elements()) {
                    n += 1 + valueSize(x);
                }
                yield n;
            }
            case Value.Obj o -> {
                long n = 3;
                for (Map.Entry<String, Value> x : o.fields().entrySet()) {
                    n += 1 + utf8Length(x.getKey()) + valueSize(x.getValue());
                }
                yield n;
            }
            case Value.TypedSet s -> {
                long n = 0;
                for (Value x : s.elements()) {
                    n += valueSize(x);
                }
                yield n;
            }
            default -> {
                if (v.typeClass() == Value.TypeClass.NUMBER) {
                    BigDecimal d = numeric(v).stripTrailingZeros();
                    yield 1 + (d.precision() + 1) / 2;
                }
                yield utf8Length(String.valueOf(encode(v)));
            }
        };
    }

    /** The UTF-8 length, counted without encoding (an unpaired surrogate counts as its '?' replacement, 1 byte). */
    static long utf8Length(String s) {
        long n = 0;
        int length = s.length();
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Unsigned byte-wise comparison, DynamoDB's order for B. */
    static int compareBytes(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(a, b);
    }

}
