package dev.nimbus.core.codec;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueOrder;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyCodecTest {

    @Test
    void documentedOrderAcrossTypesAndNumberEdges() {
        List<Value> ascending = List.of(
                Value.nullValue(),
                Value.of(false), Value.of(true),
                Value.of(Double.NaN),
                Value.of(Double.NEGATIVE_INFINITY),
                Value.of(new BigDecimal("-1e400")),
                Value.of(Long.MIN_VALUE),
                Value.of(-1.5),
                Value.of(-1L), Value.of(-1.0), Value.of(new BigDecimal("-1")), Value.of(new BigDecimal("-1.0")),
                Value.of(0L), Value.of(-0.0), Value.of(0.0), Value.of(BigDecimal.ZERO),
                Value.of(Double.MIN_VALUE),
                Value.of(new BigDecimal("0.1")),
                Value.of(0.1), // the double nearest 0.1 is slightly above 0.1
                Value.of(1L), Value.of(1.0), Value.of(new BigDecimal("1.0")), Value.of(new BigDecimal("1.00")),
                Value.of(new BigDecimal("9007199254740992.5")),
                Value.of(9007199254740993L),
                Value.of(Long.MAX_VALUE),
                Value.of(new BigDecimal("1e400")),
                Value.of(Double.POSITIVE_INFINITY),
                Value.of(Instant.ofEpochSecond(-5)), Value.of(Instant.ofEpochSecond(0, 1)),
                Value.of(""), Value.of("a"), Value.of("a\u0000"), Value.of("ab"),
                Value.of("\uFFFF"), Value.of(new String(Character.toChars(0x1F600))),
                Value.of(new byte[0]), Value.of(new byte[] {0}), Value.of(new byte[] {(byte) 0xFF}),
                Value.ObjectId.fromHex("000000000000000000000000"),
                new Value.Reference("a/b"),
                new Value.GeoPoint(-10, 5),
                new Value.TypedSet(Value.TypedSet.SetKind.STRING, List.of(Value.of("x"))),
                Value.array(), Value.array(Value.nullValue()), Value.array(Value.of(1L)),
                Value.Obj.EMPTY);
        for (int i = 0; i + 1 < ascending.size(); i++) {
            Value a = ascending.get(i);
            Value b = ascending.get(i + 1);
            assertThat(ValueOrder.compare(a, b)).as("%s < %s", a, b).isNegative();
            assertThat(Arrays.compareUnsigned(KeyCodec.encode(a), KeyCodec.encode(b)))
                    .as("bytes of %s < %s", a, b).isNegative();
        }
        List<Value> shuffled = new ArrayList<>(ascending);
        java.util.Collections.shuffle(shuffled, new java.util.Random(7));
        shuffled.sort(ValueOrder::compare);
        assertThat(shuffled).isEqualTo(ascending);
    }

    @Test
    void numericallyEqualValuesShareOneEqualityRange() {
        byte[][] range = KeyCodec.numericEqualityRange(Value.of(1L));
        for (Value v : List.of(Value.of(1L), Value.of(1.0), Value.of(new BigDecimal("1.000")))) {
            byte[] k = KeyCodec.encode(v);
            assertThat(Arrays.compareUnsigned(k, range[0])).isGreaterThanOrEqualTo(0);
            assertThat(Arrays.compareUnsigned(k, range[1])).isNegative();
        }
        for (Value v : List.of(Value.of(2L), Value.of(0.999), Value.of(new BigDecimal("1.0000000000000000000001")))) {
            byte[] k = KeyCodec.encode(v);
            boolean inside = Arrays.compareUnsigned(k, range[0]) >= 0 && Arrays.compareUnsigned(k, range[1]) < 0;
            assertThat(inside).as("%s is outside the range of 1", v).isFalse();
        }
    }

    @Test
    void typeClassBoundsEncloseEveryValueOfTheClass() {
        dev.nimbus.core.testing.RandomValues values = new dev.nimbus.core.testing.RandomValues(new java.util.Random(3));
        for (int i = 0; i < 5_000; i++) {
            Value v = values.value();
            byte[] k = KeyCodec.encode(v);
            for (Value.TypeClass c : Value.TypeClass.values()) {
                boolean inside = Arrays.compareUnsigned(k, KeyCodec.typeClassStart(c)) >= 0
                        && Arrays.compareUnsigned(k, KeyCodec.typeClassEnd(c)) < 0;
                assertThat(inside).as("%s within bounds of %s", v, c).isEqualTo(v.typeClass() == c);
            }
            ByteSink absent = new ByteSink(1);
            KeyCodec.writeAbsent(absent);
            assertThat(Arrays.compareUnsigned(absent.toByteArray(), k)).isNegative();
        }
    }

    @Test
    void rejectsMalformedBytes() {
        assertThatThrownBy(() -> KeyCodec.decode(new byte[] {(byte) 0xEE})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyCodec.decode(new byte[] {0x50, 'a'})).isInstanceOf(IllegalArgumentException.class);
        byte[] ok = KeyCodec.encode(Value.of("a"));
        byte[] trailing = Arrays.copyOf(ok, ok.length + 1);
        trailing[ok.length] = 0x10;
        assertThatThrownBy(() -> KeyCodec.decode(trailing)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesValuesNestedBeyondTheLimit() {
        Value v = Value.of(1L);
        for (int i = 0; i <= KeyCodec.DEPTH_MAX + 1; i++) {
            v = Value.array(v);
        }
        Value deep = v;
        assertThatThrownBy(() -> KeyCodec.encode(deep)).isInstanceOf(IllegalArgumentException.class);
    }
}
