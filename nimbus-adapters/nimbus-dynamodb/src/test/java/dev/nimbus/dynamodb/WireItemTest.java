package dev.nimbus.dynamodb;

import dev.nimbus.core.value.Value;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An item written straight from its values is the same JSON as its encoded tree; sizes count UTF-8 bytes. */
class WireItemTest {
    @Test
    void utf8LengthIsTheEncodedLength() {
        for (String s : new String[] {"", "ascii", "ü", "€uro", "\uD83D\uDE00 smile", "lone \uD83D high", "lone \uDE00 low", "\uD83D"}) {
            assertThat(AttributeCodec.utf8Length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void streamedItemIsTheJsonOfTheEncodedTree() throws Json.MalformedException {
        Map<String, Value> item = new LinkedHashMap<>();
        item.put("s", Value.of("text \"quoted\" ü"));
        item.put("n", new Value.Decimal(new BigDecimal("12.50")));
        item.put("big", new Value.Decimal(new BigDecimal("1E+30")));
        item.put("i", Value.of(42L));
        item.put("f", new Value.Float64(0.25));
        item.put("nan", new Value.Float64(Double.NaN));
        item.put("b", Value.of(new byte[] {0, 1, (byte) 0xff}));
        item.put("t", Value.of(true));
        item.put("null", Value.nullValue());
        item.put("l", Value.array(List.of(Value.of("a"), new Value.Decimal(BigDecimal.ONE), Value.array(List.of()))));
        Map<String, Value> nested = new LinkedHashMap<>();
        nested.put("x", Value.of("y"));
        nested.put("m", new Value.Obj(Map.of("deep", Value.of(false))));
        item.put("m", new Value.Obj(nested));
        item.put("ss", new Value.TypedSet(Value.TypedSet.SetKind.STRING, List.of(Value.of("a"), Value.of("b"))));
        item.put("ns", new Value.TypedSet(Value.TypedSet.SetKind.NUMBER, List.of(new Value.Decimal(new BigDecimal("1.0")),
                Value.of(7L))));
        item.put("bs", new Value.TypedSet(Value.TypedSet.SetKind.BYTES, List.of(Value.of(new byte[] {1}), Value.of(new byte[] {2}))));
        item.put("ts", new Value.Timestamp(Instant.parse("2026-11-24T06:00:00Z")));
        item.put("geo", new Value.GeoPoint(1.5, -2.25));
        byte[] streamed = Json.write(Map.of("Item", new AttributeCodec.WireItem(item)));
        byte[] tree = Json.write(Map.of("Item", AttributeCodec.encodeItem(item)));
        // Compared as parsed trees: the geo point's tree is a Map.of, whose member order is unspecified.
        assertThat(Json.parseObject(streamed)).isEqualTo(Json.parseObject(tree));
        assertThat(new String(streamed, StandardCharsets.UTF_8)).startsWith("{\"Item\":{\"s\":{\"S\":\"text \\\"quoted\\\" ü\"},"
                + "\"n\":{\"N\":\"12.5\"},\"big\":{\"N\":\"1000000000000000000000000000000\"}");
    }
}
