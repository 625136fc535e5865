package dev.nimbus.core.value;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The canonical JSON form of values: what the native API sends and accepts, and how document
 * bodies are stored. Plain JSON maps onto the obvious kinds; kinds JSON cannot carry exactly are
 * written as single-key objects whose key starts with '$' (docs/values.md has the table):
 *
 * <pre>
 *   integer literal          -&gt; int64 (beyond int64: decimal)     {"$int64": "9007199254740993"}
 *   literal with . or e/E    -&gt; float64                            {"$float64": "NaN"}
 *   {"$decimal": "1.50"}     {"$bytes": "&lt;base64&gt;"}   {"$timestamp": "2024-01-02T03:04:05.123456789Z"}
 *   {"$oid": "&lt;24 hex&gt;"}   {"$ref": "users/alice"}  {"$geopoint": [lat, lng]}
 *   {"$set": {"kind": "string|number|bytes", "values": [...]}}
 *   {"$object": {...}}       an object whose own keys start with '$'
 * </pre>
 * Writing then reading any value gives back an equal value.
 */
public final class ValueJson {
    /** Integers beyond ±2^53 lose precision in JavaScript, so they are written tagged. */
    public static final long SAFE_INTEGER_MAX = (1L << 53);

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(256)
                    .maxNumberLength(1100)
                    .maxStringLength(64 * 1024 * 1024)
                    .build())
            // Requests run on virtual threads: the default per-thread buffer pool would hand
            // each of them fresh buffers. One shared pool reuses them across threads.
            .recyclerPool(com.fasterxml.jackson.core.util.JsonRecyclerPools.newConcurrentDequePool())
            .build();

    /**
     * For bodies this code wrote itself (stored documents): the same limits, without the
     * duplicate-key check, which a body written from a map cannot need.
     */
    private static final JsonFactory STORED_FACTORY = FACTORY.rebuild()
            .disable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final int DEPTH_MAX = dev.nimbus.core.codec.KeyCodec.DEPTH_MAX;

    private ValueJson() {
    }

    public static JsonFactory factory() {
        return FACTORY;
    }

    public static String write(Value value) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static void write(JsonGenerator g, Value value) throws IOException {
        switch (value) {
            case Value.Null n -> g.writeNull();
            case Value.Bool b -> g.writeBoolean(b.value());
            case Value.Int64 x -> {
                if (Math.abs(x.value()) <= SAFE_INTEGER_MAX && x.value() != Long.MIN_VALUE) {
                    g.writeNumber(x.value());
                } else {
                    tagged(g, "$int64", Long.toString(x.value()));
                }
            }
            case Value.Float64 x -> {
                double d = x.value();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    tagged(g, "$float64", Double.toString(d));
                } else {
                    g.writeNumber(Double.toString(d)); // always has '.' or 'E': reads back as float64
                }
            }
            case Value.Decimal x -> tagged(g, "$decimal", x.value().toString());
            case Value.Str s -> g.writeString(s.value());
            case Value.Bytes b -> tagged(g, "$bytes", Base64.getEncoder().encodeToString(b.toByteArray()));
            case Value.Timestamp t -> tagged(g, "$timestamp", t.value().toString());
            case Value.ObjectId o -> tagged(g, "$oid", o.toHex());
            case Value.Reference r -> tagged(g, "$ref", r.path());
            case Value.GeoPoint p -> {
                g.writeStartObject();
                g.writeFieldName("$geopoint");
                g.writeStartArray();
                g.writeNumber(p.latitude());
                g.writeNumber(p.longitude());
                g.writeEndArray();
                g.writeEndObject();
            }
            case Value.TypedSet s -> {
                g.writeStartObject();
                g.writeFieldName("$set");
                g.writeStartObject();
                g.writeStringField("kind", s.setKind().name().toLowerCase(Locale.ROOT));
                g.writeFieldName("values");
                g.writeStartArray();
                for (Value e : s.elements()) {
                    write(g, e);
                }
                g.writeEndArray();
                g.writeEndObject();
                g.writeEndObject();
            }
            case Value.Array a -> {
                g.writeStartArray();
                for (Value e : a.elements()) {
                    write(g, e);
                }
                g.writeEndArray();
            }
            case Value.Obj o -> {
                boolean escape = false;
                for (String k : o.fields().keySet()) {
                    if (!k.isEmpty() && k.charAt(0) == '$') {
                        escape = true;
                        break;
                    }
                }
                if (escape) {
                    g.writeStartObject();
                    g.writeFieldName("$object");
                }
                g.writeStartObject();
                for (Map.Entry<String, Value> e : o.fields().entrySet()) {
                    g.writeFieldName(e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
                if (escape) {
                    g.writeEndObject();
                }
            }
        }
    }

    private static void tagged(JsonGenerator g, String tag, String payload) throws IOException {
        g.writeStartObject();
        g.writeStringField(tag, payload);
        g.writeEndObject();
    }

    /** Reads one value from JSON text; malformed or non-canonical input is {@code op.invalid_input}. */
    public static Value read(String json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            return readWhole(p);
        } catch (IOException e) {
            throw invalid("malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    public static Value read(byte[] json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            return readWhole(p);
        } catch (IOException e) {
            throw invalid("malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    /**
     * Reads a value this code wrote (a stored document body, UTF-8): every check of
     * {@link #read(byte[])} but the duplicate-key one.
     */
    public static Value readStored(byte[] json) {
        try (JsonParser p = STORED_FACTORY.createParser(json)) {
            return readWhole(p);
        } catch (IOException e) {
            throw invalid("malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    /** {@link #readStored(byte[])} of JSON text. */
    public static Value readStored(String json) {
        try (JsonParser p = STORED_FACTORY.createParser(json)) {
            return readWhole(p);
        } catch (IOException e) {
            throw invalid("malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    private static Value readWhole(JsonParser p) throws IOException {
        if (p.nextToken() == null) {
            throw invalid("empty JSON");
        }
        Value v = read(p);
        if (p.nextToken() != null) {
            throw invalid("trailing content after JSON value");
        }
        return v;
    }

    /** Reads the value starting at the parser's current token. */
    public static Value read(JsonParser p) throws IOException {
        try {
            return readValue(p, 0);
        } catch (StreamConstraintsException e) {
            throw invalid(firstLine(e.getMessage()));
        }
    }

    private static Value readValue(JsonParser p, int depth) throws IOException {
        if (depth > DEPTH_MAX) {
            throw invalid("value nests deeper than " + DEPTH_MAX + " levels");
        }
        JsonToken t = p.currentToken();
        if (t == null) {
            throw invalid("unexpected end of JSON");
        }
        return switch (t) {
            case VALUE_NULL -> Value.nullValue();
            case VALUE_TRUE -> Value.of(true);
            case VALUE_FALSE -> Value.of(false);
            case VALUE_STRING -> str(p.getText());
            case VALUE_NUMBER_INT -> integer(p.getText());
            case VALUE_NUMBER_FLOAT -> floating(p.getText());
            case START_ARRAY -> {
                List<Value> out = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    out.add(readValue(p, depth + 1));
                }
                yield new Value.Array(out);
            }
            case START_OBJECT -> readObject(p, depth);
            default -> throw invalid("unexpected JSON token " + t);
        };
    }

    private static Value readObject(JsonParser p, int depth) throws IOException {
        JsonToken t = p.nextToken();
        if (t == JsonToken.END_OBJECT) {
            return Value.Obj.EMPTY;
        }
        String first = p.currentName();
        if (first.startsWith("$")) {
            p.nextToken();
            Value v = readTagged(first, p, depth);
            if (p.nextToken() != JsonToken.END_OBJECT) {
                throw invalid("a '" + first + "' object has exactly one key");
            }
            return v;
        }
        LinkedHashMap<String, Value> fields = new LinkedHashMap<>();
        while (t != JsonToken.END_OBJECT) {
            String key = p.currentName();
            if (key.startsWith("$")) {
                throw invalid("field '" + key + "': field names starting with '$' must be inside {\"$object\": {...}}");
            }
            p.nextToken();
            fields.put(checkedKey(key), readValue(p, depth + 1));
            t = p.nextToken();
        }
        return Value.Obj.adopt(fields); // keys checked above, values never null
    }

    private static Value readTagged(String tag, JsonParser p, int depth) throws IOException {
        switch (tag) {
            case "$object": {
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw invalid("$object holds an object");
                }
                LinkedHashMap<String, Value> fields = new LinkedHashMap<>();
                while (p.nextToken() != JsonToken.END_OBJECT) {
                    String key = p.currentName();
                    p.nextToken();
                    fields.put(checkedKey(key), readValue(p, depth + 1));
                }
                return Value.Obj.adopt(fields);
            }
            case "$geopoint": {
                Value v = readValue(p, depth + 1);
                if (v instanceof Value.Array a && a.elements().size() == 2
                        && a.elements().get(0) instanceof Value.Float64 lat
                        && a.elements().get(1) instanceof Value.Float64 lng) {
                    return guard(() -> new Value.GeoPoint(lat.value(), lng.value()));
                }
                throw invalid("$geopoint holds [latitude, longitude] as floating-point numbers");
            }
            case "$set": {
                Value v = readValue(p, depth + 1);
                if (v instanceof Value.Obj o && o.fields().size() == 2
                        && o.get("kind") instanceof Value.Str kind
                        && o.get("values") instanceof Value.Array values) {
                    Value.TypedSet.SetKind setKind;
                    try {
                        setKind = Value.TypedSet.SetKind.valueOf(kind.value().toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw invalid("$set kind is string, number or bytes");
                    }
                    return guard(() -> new Value.TypedSet(setKind, values.elements()));
                }
                throw invalid("$set holds {\"kind\", \"values\"}");
            }
            default:
                break;
        }
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw invalid("'" + tag + "' holds a string");
        }
        String s = p.getText();
        return switch (tag) {
            case "$int64" -> {
                try {
                    yield Value.of(Long.parseLong(s));
                } catch (NumberFormatException e) {
                    throw invalid("$int64 holds a decimal integer within the signed 64-bit range");
                }
            }
            case "$float64" -> switch (s) {
                case "NaN" -> Value.of(Double.NaN);
                case "Infinity" -> Value.of(Double.POSITIVE_INFINITY);
                case "-Infinity" -> Value.of(Double.NEGATIVE_INFINITY);
                default -> floating(s);
            };
            case "$decimal" -> {
                try {
                    yield guard(() -> Value.of(new BigDecimal(s)));
                } catch (NumberFormatException e) {
                    throw invalid("$decimal holds a decimal number");
                }
            }
            case "$bytes" -> {
                try {
                    yield Value.of(Base64.getDecoder().decode(s));
                } catch (IllegalArgumentException e) {
                    throw invalid("$bytes holds standard base64");
                }
            }
            case "$timestamp" -> {
                try {
                    yield Value.of(Instant.parse(s));
                } catch (DateTimeParseException e) {
                    throw invalid("$timestamp holds an RFC 3339 time in UTC, e.g. 2024-01-02T03:04:05Z");
                }
            }
            case "$oid" -> {
                try {
                    yield Value.ObjectId.fromHex(s);
                } catch (IllegalArgumentException e) {
                    throw invalid("$oid holds 24 hex digits");
                }
            }
            case "$ref" -> guard(() -> new Value.Reference(s));
            default -> throw invalid("unknown tag '" + tag + "'; wrap objects with '$' keys in {\"$object\": {...}}");
        };
    }

    private static Value integer(String text) {
        try {
            return Value.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return guard(() -> Value.of(new BigDecimal(new BigInteger(text))));
        }
    }

    private static Value floating(String text) {
        double d;
        try {
            d = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw invalid("not a number: " + text);
        }
        if (Double.isInfinite(d)) {
            throw invalid("number " + text + " is beyond the float64 range; use {\"$decimal\": \"...\"}");
        }
        return Value.of(d);
    }

    private static Value str(String s) {
        try {
            return new Value.Str(s); // no lambda for guard: this runs for every string read
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    private static String checkedKey(String key) {
        str(key);
        return key;
    }

    private static <T> T guard(java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    private static NimbusException invalid(String message) {
        return new NimbusException(ErrorCode.INVALID_INPUT, message);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
