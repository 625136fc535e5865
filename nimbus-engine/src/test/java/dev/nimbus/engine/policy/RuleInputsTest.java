package dev.nimbus.engine.policy;

import dev.nimbus.core.model.Principal;
import dev.nimbus.core.schema.TableSchema.AccessPolicy;
import dev.nimbus.core.value.Value;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every Value kind reaches a rule in the documented CEL form. */
class RuleInputsTest {
    private static final Value.Obj DOC = document();

    private static Value.Obj document() {
        Map<String, Value> fields = new LinkedHashMap<>();
        fields.put("nothing", Value.nullValue());
        fields.put("flag", Value.of(true));
        fields.put("n", Value.of(3L));
        fields.put("f", Value.of(2.25));
        fields.put("d", Value.of(new BigDecimal("2.50")));
        fields.put("precise", Value.of(new BigDecimal("0.10000000000000000000000001")));
        fields.put("s", Value.of("héllo"));
        fields.put("b", Value.of(new byte[] {1}));
        fields.put("t", Value.of(Instant.parse("2021-06-01T12:00:00.000000001Z")));
        fields.put("id", Value.ObjectId.fromHex("0123456789abcdef01234567"));
        fields.put("ref", new Value.Reference("users/alice"));
        fields.put("geo", new Value.GeoPoint(48.85, 2.35));
        fields.put("tags", new Value.TypedSet(Value.TypedSet.SetKind.STRING, List.of(Value.of("b"), Value.of("a"))));
        fields.put("nums", new Value.TypedSet(Value.TypedSet.SetKind.NUMBER, List.of(Value.of(1L), Value.of(2.5))));
        fields.put("list", Value.array(Value.of(1L), Value.of("two")));
        fields.put("obj", new Value.Obj(Map.of("k", Value.of("v"), "inner", new Value.Obj(Map.of("x", Value.of(1L))))));
        return new Value.Obj(fields);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("doc.nothing == null", true),
                Arguments.of("doc.flag", true),
                Arguments.of("doc.flag == false", false),
                Arguments.of("doc.n == 3", true),
                Arguments.of("type(doc.n) == int", true),
                Arguments.of("doc.n == 4", false),
                Arguments.of("doc.n > 2.5", true),
                Arguments.of("doc.f > 1.5", true),
                Arguments.of("type(doc.f) == double", true),
                Arguments.of("doc.f > 2.5", false),
                Arguments.of("doc.d == 2.5", true),
                Arguments.of("type(doc.d) == double", true),
                Arguments.of("doc.d > 2", true),
                // Lossy by design: the decimal's last digits do not survive the double.
                Arguments.of("doc.precise == 0.1", true),
                Arguments.of("doc.s == 'héllo'", true),
                Arguments.of("doc.s.size() == 5", true),
                Arguments.of("doc.s.startsWith('x')", false),
                Arguments.of("doc.b == b'\\x01'", true),
                Arguments.of("doc.b == b'\\x02'", false),
                Arguments.of("doc.t > timestamp('2020-01-01T00:00:00Z')", true),
                Arguments.of("doc.t < timestamp('2020-01-01T00:00:00Z')", false),
                Arguments.of("doc.t == timestamp('2021-06-01T12:00:00.000000001Z')", true),
                Arguments.of("doc.t.getFullYear() == 2021", true),
                Arguments.of("doc.id == '0123456789abcdef01234567'", true),
                Arguments.of("doc.ref == 'users/alice'", true),
                Arguments.of("doc.ref.startsWith('users/')", true),
                Arguments.of("doc.geo.latitude == 48.85 && doc.geo.longitude == 2.35", true),
                Arguments.of("doc.geo.latitude < 0.0", false),
                Arguments.of("doc.tags == ['a', 'b']", true),
                Arguments.of("'a' in doc.tags && !('c' in doc.tags)", true),
                Arguments.of("doc.nums.size() == 2 && doc.nums[1] == 2.5", true),
                Arguments.of("doc.list.size() == 2", true),
                Arguments.of("doc.list[1] == 'two'", true),
                Arguments.of("doc.list.size() == 3", false),
                Arguments.of("doc.obj.k == 'v'", true),
                Arguments.of("doc.obj.inner.x == 1", true),
                Arguments.of("has(doc.obj.k) && !has(doc.obj.z)", true),
                Arguments.of("doc.obj.k == 'w'", false));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("rules")
    void everyValueKindReachesTheRule(String rule, boolean expected) {
        CompiledPolicy policy = AccessPolicies.compile(new AccessPolicy(Optional.of(rule), Optional.empty()));

        assertThat(policy.allowsRead(Principal.user("alice", Value.Obj.EMPTY), DOC)).isEqualTo(expected);
    }
}
