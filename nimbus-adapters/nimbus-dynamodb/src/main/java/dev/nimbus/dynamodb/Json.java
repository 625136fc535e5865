package dev.nimbus.dynamodb;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plain JSON tree of the DynamoDB JSON 1.0 protocol: objects are {@code Map<String, Object>}
 * (insertion ordered), arrays {@code List<Object>}, strings, {@link BigDecimal} numbers,
 * booleans and {@link #NULL}. Kept separate from the core value codec because the wire format
 * has its own typing (AttributeValue tags), not Nimbus's {@code $}-tagged forms.
 */
public final class Json {
    /** JSON {@code null}; distinct from an absent member. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
    /** Deepest nesting accepted (AttributeValue nesting, 32 levels of M or L, takes two JSON levels each; requests add a few). */
    static final int DEPTH_MAX = 256;
    /** Parser/generator buffer sets kept for reuse (about one per request in flight). */
    static final int BUFFERS_POOLED_MAX = 256;
    /**
     * Buffers come from a shared bounded pool: Jackson's default pool is per thread, and every
     * request runs on a new virtual thread, so it would allocate fresh buffers for each one.
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.newBoundedPool(BUFFERS_POOLED_MAX)).build();

    private Json() {
    }

    /** Thrown for a body that is not one JSON object. */
    public static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    public static Map<String, Object> parseObject(byte[] body) throws MalformedException {
        try (JsonParser p = FACTORY.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw new MalformedException("the body is not a JSON object");
            }
            Object v = read(p, 0);
            if (p.nextToken() != null) {
                throw new MalformedException("trailing content after the JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) v;
            return m;
        } catch (IOException e) {
            throw new MalformedException("malformed JSON");
        }
    }

    private static Object read(JsonParser p, int depth) throws IOException, MalformedException {
        if (depth > DEPTH_MAX) {
            throw new MalformedException("JSON nests too deeply");
        }
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, read(p, depth + 1));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p, depth + 1));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getDecimalValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return NULL;
            }
            default -> throw new MalformedException("unexpected JSON token " + t);
        }
    }

    public static byte[] write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName((String) e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object o : l) {
                    write(g, o);
                }
                g.writeEndArray();
            }
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case BigDecimal d -> g.writeNumber(d);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Double d -> g.writeNumber(d);
            case AttributeCodec.WireItem item -> AttributeCodec.write(g, item.item());
            default -> {
                if (v == NULL) {
                    g.writeNull();
                } else {
                    throw new IllegalArgumentException("not a JSON value: " + v.getClass());
                }
            }
        }
    }
}
