package dev.nimbus.core.value;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Objects share checked field maps instead of copying them; what a caller sees is unchanged. */
class ValueObjTest {
    private static Value.Obj obj(Object... kv) {
        Map<String, Value> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Value) kv[i + 1]);
        }
        return new Value.Obj(m);
    }

    @Test
    void leadingFieldsComeFirstAndTheObjectEqualsOneBuiltInFull() {
        Value.Obj own = obj("b", Value.of(2L), "c", Value.of("x"));
        Value.Obj all = own.withLeading(new String[] {"_id", "a"}, new Value[] {Value.of("i"), Value.of(1L)});
        Value.Obj expected = obj("_id", Value.of("i"), "a", Value.of(1L), "b", Value.of(2L), "c", Value.of("x"));
        assertThat(all).isEqualTo(expected).hasSameHashCodeAs(expected);
        assertThat(expected).isEqualTo(all);
        assertThat(List.copyOf(all.fields().keySet())).containsExactly("_id", "a", "b", "c");
        assertThat(all.get("a")).isEqualTo(Value.of(1L));
        assertThat(all.get("c")).isEqualTo(Value.of("x"));
        assertThat(all.get("z")).isNull();
        assertThat(all.fields()).hasSize(4).containsKey("_id").doesNotContainKey("z");
        assertThat(all.toString()).isEqualTo(expected.toString());
        StringBuilder order = new StringBuilder();
        all.fields().forEach((k, v) -> order.append(k));
        assertThat(order).hasToString("_idabc");
        // Twice leading: still one object in that order.
        Value.Obj again = all.withLeading(new String[] {"z"}, new Value[] {Value.nullValue()});
        assertThat(List.copyOf(again.fields().keySet())).containsExactly("z", "_id", "a", "b", "c");
        assertThat(own.fields()).hasSize(2); // the shared fields did not change
        assertThatThrownBy(() -> all.withLeading(new String[] {"_id"}, new Value[] {Value.of(1L)}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> all.withLeading(new String[] {"b"}, new Value[] {Value.of(1L)}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fieldsStayImmutableAndLeadingKeysAreChecked() {
        Value.Obj own = obj("b", Value.of(2L));
        Value.Obj all = own.withLeading(new String[] {"a"}, new Value[] {Value.of(1L)});
        assertThatThrownBy(() -> all.fields().put("x", Value.of(1L))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> all.fields().remove("b")).isInstanceOf(UnsupportedOperationException.class);
        var it = all.fields().entrySet().iterator();
        it.next();
        assertThatThrownBy(it::remove).isInstanceOf(UnsupportedOperationException.class);
        var tail = all.fields().entrySet().iterator();
        tail.next();
        assertThatThrownBy(() -> tail.next().setValue(Value.of(3L))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> own.withLeading(new String[] {"b"}, new Value[] {Value.of(1L)}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> own.withLeading(new String[] {"\ud800"}, new Value[] {Value.of(1L)}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> own.withLeading(new String[] {"a"}, new Value[] {null}))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void anObjectOverAnotherObjectsFieldsIsEqualToIt() {
        Value.Obj a = obj("x", Value.of(1L), "y", Value.of(true));
        Value.Obj b = new Value.Obj(a.fields());
        assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
        assertThat(Value.Obj.EMPTY.fields()).isEmpty();
        assertThat(Value.Obj.EMPTY.get("x")).isNull();
    }

    @Test
    void aSetGivenInOrderOrOutOfOrderHoldsItsElementsOnceInOrder() {
        Value.TypedSet sorted = new Value.TypedSet(Value.TypedSet.SetKind.STRING, List.of(Value.of("a"), Value.of("b")));
        Value.TypedSet shuffled = new Value.TypedSet(Value.TypedSet.SetKind.STRING,
                List.of(Value.of("b"), Value.of("a"), Value.of("b")));
        assertThat(shuffled).isEqualTo(sorted);
        assertThat(shuffled.elements()).containsExactly(Value.of("a"), Value.of("b"));
        assertThat(new Value.TypedSet(Value.TypedSet.SetKind.STRING, List.of(Value.of("a"), Value.of("a"))).elements())
                .containsExactly(Value.of("a"));
    }
}
