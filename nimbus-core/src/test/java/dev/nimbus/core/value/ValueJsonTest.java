package dev.nimbus.core.value;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.testing.RandomValues;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueJsonTest {

    @Provide
    Arbitrary<Value> values() {
        return Arbitraries.randomValue(r -> new RandomValues(r, 4).value());
    }

    @Property(tries = 3_000)
    void everyValueSurvivesJson(@ForAll("values") Value v) {
        assertThat(ValueJson.read(ValueJson.write(v))).isEqualTo(v);
    }

    @Property(tries = 1_000)
    void everyValueSurvivesTheStoredReadFromTextAndBytes(@ForAll("values") Value v) {
        String json = ValueJson.write(v);
        assertThat(ValueJson.readStored(json)).isEqualTo(v).hasSameHashCodeAs(v);
        assertThat(ValueJson.readStored(json.getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEqualTo(v);
    }

    @Test
    void theStoredReadKeepsEveryCheckButDuplicateKeys() {
        assertThatThrownBy(() -> ValueJson.read("{\"a\":1,\"a\":2}")).isInstanceOf(NimbusException.class);
        assertThat(ValueJson.readStored("{\"a\":1,\"a\":2}")).isEqualTo(new Value.Obj(Map.of("a", Value.of(2L))));
        for (String bad : new String[] {"{\"$x\":\"1\"}", "{\"a\":", "{\"a\":\"\\ud800\"}", "[1] 2"}) {
            assertThatThrownBy(() -> ValueJson.readStored(bad)).as(bad).isInstanceOf(NimbusException.class)
                    .extracting(e -> ((NimbusException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT);
        }
    }

    @Test
    void plainJsonMapsOntoTheObviousKinds() {
        Value v = ValueJson.read("{\"i\": 3, \"f\": 3.0, \"e\": 1e2, \"s\": \"x\", \"n\": null, \"b\": true, \"a\": [1]}");
        Value.Obj o = (Value.Obj) v;
        assertThat(o.get("i")).isEqualTo(Value.of(3L));
        assertThat(o.get("f")).isEqualTo(Value.of(3.0));
        assertThat(o.get("e")).isEqualTo(Value.of(100.0));
        assertThat(o.get("n")).isEqualTo(Value.nullValue());
        assertThat(o.get("a")).isEqualTo(Value.array(Value.of(1L)));
    }

    @Test
    void unsafeIntegersAndSpecialNumbersAreTagged() {
        assertThat(ValueJson.write(Value.of(9007199254740993L))).isEqualTo("{\"$int64\":\"9007199254740993\"}");
        assertThat(ValueJson.write(Value.of(Double.NaN))).isEqualTo("{\"$float64\":\"NaN\"}");
        assertThat(ValueJson.write(Value.of(-0.0))).isEqualTo("-0.0");
        assertThat(ValueJson.write(Value.of(new BigDecimal("1.50")))).isEqualTo("{\"$decimal\":\"1.50\"}");
        assertThat(ValueJson.write(new Value.Obj(Map.of("$x", Value.of(1L))))).isEqualTo("{\"$object\":{\"$x\":1}}");
    }

    @Test
    void rejectsBadInputWithInvalidInput() {
        for (String bad : new String[] {"{", "{\"a\":1,\"a\":2}", "{\"$bogus\":\"x\"}", "{\"$x\":1,\"y\":2}",
                "{\"$bytes\":\"***\"}", "{\"$oid\":\"12\"}", "1e999", "\"\\ud800\"", "[1] 2"}) {
            assertThatThrownBy(() -> ValueJson.read(bad)).as(bad)
                    .isInstanceOfSatisfying(NimbusException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT));
        }
    }
}
