package dev.nimbus.core.codec;

import dev.nimbus.core.testing.RandomValues;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueOrder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KeyCodecPropertyTest {

    @Provide
    Arbitrary<Value> values() {
        return Arbitraries.randomValue(r -> new RandomValues(r).value());
    }

    @Property(tries = 12_000)
    void byteOrderAgreesWithValueOrder(@ForAll("values") Value a, @ForAll("values") Value b) {
        int byValue = Integer.signum(ValueOrder.compare(a, b));
        int byBytes = Integer.signum(Arrays.compareUnsigned(KeyCodec.encode(a), KeyCodec.encode(b)));
        assertThat(byBytes).as("order of %s vs %s", a, b).isEqualTo(byValue);
        assertThat(byValue == 0).as("compare is consistent with equals").isEqualTo(a.equals(b));
        assertThat(Integer.signum(ValueOrder.compare(b, a))).isEqualTo(-byValue);
    }

    @Property(tries = 12_000)
    void decodeInvertsEncode(@ForAll("values") Value v) {
        Value back = KeyCodec.decode(KeyCodec.encode(v));
        assertThat(back).isEqualTo(v);
        assertThat(back.kind()).isEqualTo(v.kind());
    }

    @Property(tries = 3_000)
    void tupleOrderIsLexicographicAndPrefixesSortFirst(@ForAll("values") Value a, @ForAll("values") Value b,
                                                       @ForAll("values") Value c) {
        byte[] ab = KeyCodec.encodeTuple(List.of(a, b));
        byte[] ac = KeyCodec.encodeTuple(List.of(a, c));
        byte[] justA = KeyCodec.encodeTuple(List.of(a));
        assertThat(Integer.signum(Arrays.compareUnsigned(ab, ac)))
                .isEqualTo(Integer.signum(ValueOrder.compare(b, c)));
        assertThat(Arrays.compareUnsigned(justA, ab)).isNegative();
        assertThat(Arrays.equals(Arrays.copyOf(ab, justA.length), justA)).isTrue();
        assertThat(KeyCodec.decodeTuple(ab)).containsExactly(a, b);
    }

    @Property(tries = 2_000)
    void transitivity(@ForAll("values") Value a, @ForAll("values") Value b, @ForAll("values") Value c) {
        if (ValueOrder.compare(a, b) <= 0 && ValueOrder.compare(b, c) <= 0) {
            assertThat(ValueOrder.compare(a, c)).isLessThanOrEqualTo(0);
        }
    }
}
