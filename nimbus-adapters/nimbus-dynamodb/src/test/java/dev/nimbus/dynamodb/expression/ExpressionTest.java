package dev.nimbus.dynamodb.expression;

import dev.nimbus.core.value.Value;
import dev.nimbus.dynamodb.AttributeCodec;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parser precedence, evaluation semantics and update application without a server. */
class ExpressionTest {
    static Map<String, Value> item() {
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("a", AttributeCodec.number("1"));
        m.put("b", Value.of("x"));
        m.put("l", Value.array(Value.of("p"), Value.of("q")));
        return m;
    }

    static boolean test(String src, Map<String, Value> values) {
        ExpressionContext ctx = new ExpressionContext(null, values.isEmpty() ? null : values);
        Ast.Condition c = ctx.condition("ConditionExpression", src);
        ctx.checkUnused();
        return Evaluator.test(c, item(), ctx);
    }

    @Test
    void andBindsTighterThanOrAndNotTighterThanAnd() {
        Map<String, Value> v = Map.of(":one", AttributeCodec.number("1"), ":two", AttributeCodec.number("2"));
        // true OR (false AND false) = true; with OR first it would be false.
        assertThat(test("a = :one OR a = :two AND a = :two", v)).isTrue();
        assertThat(test("(a = :one OR a = :two) AND a = :two", v)).isFalse();
        assertThat(test("NOT a = :two AND a = :one", v)).isTrue();
    }

    @Test
    void comparisonsAcrossTypesAreFalseAndMissingAttributesOnlyPassNotEqual() {
        Map<String, Value> v = Map.of(":s", Value.of("1"));
        assertThat(test("a = :s", v)).isFalse();
        assertThat(test("a < :s", v)).isFalse();
        assertThat(test("absent <> :s", v)).isTrue();
        assertThat(test("absent = :s", v)).isFalse();
    }

    @Test
    void numbersCompareNumerically() {
        assertThat(test("a = :v", Map.of(":v", AttributeCodec.number("1.000")))).isTrue();
        assertThat(test("a < :v", Map.of(":v", AttributeCodec.number("1E1")))).isTrue();
        assertThat(AttributeCodec.numberText(AttributeCodec.number("-0.0100").value())).isEqualTo("-0.01");
        assertThat(AttributeCodec.numberText(AttributeCodec.number("1.5E3").value())).isEqualTo("1500");
    }

    @Test
    void updatesApplyAgainstTheOriginalItem() {
        ExpressionContext ctx = new ExpressionContext(null, Map.of(":v", AttributeCodec.number("5")));
        List<Ast.UpdateAction> actions = ctx.update("SET c = a + :v, a = :v REMOVE l[0]");
        ctx.checkUnused();
        Updater.Result r = Updater.apply(actions, item(), ctx);
        assertThat(r.item().get("c")).isEqualTo(AttributeCodec.number("6"));
        assertThat(r.item().get("a")).isEqualTo(AttributeCodec.number("5"));
        assertThat(r.item().get("l")).isEqualTo(Value.array(Value.of("q")));
    }

    /** The error an update with two faults reports, as DynamoDB Local answered these probes. */
    static String firstFault(String update, Map<String, Value> item) {
        ExpressionContext ctx = new ExpressionContext(null, Map.of(":n", AttributeCodec.number("1"), ":v", Value.of("v"),
                ":l", Value.array(Value.of("v"))));
        List<Ast.UpdateAction> actions = ctx.update(update);
        try {
            Updater.apply(actions, item, ctx);
            return "ok";
        } catch (ExpressionException e) {
            return e.getMessage().contains("document path") ? "path" : e.getMessage().contains("does not exist") ? "missing"
                    : e.getMessage();
        }
    }

    @Test
    void withSeveralFaultsTheFirstMetInDynamoDbsWalkOfThePathsIsReported() {
        Map<String, Value> empty = Map.of();
        // Across hash buckets: m and l come before x; aa, zz, mm and ab after it; abc before it.
        assertThat(firstFault("SET x = x + :n, m.y = :v", empty)).isEqualTo("path");
        assertThat(firstFault("SET m.y = :v, x = x + :n", empty)).isEqualTo("path");
        assertThat(firstFault("SET x = x + :n, l[0] = :v", empty)).isEqualTo("path");
        assertThat(firstFault("SET x = x + :n, abc.y = :v", empty)).isEqualTo("path");
        assertThat(firstFault("SET x = x + :n, aa.y = :v", empty)).isEqualTo("missing");
        assertThat(firstFault("SET x = x + :n, zz.y = :v", empty)).isEqualTo("missing");
        assertThat(firstFault("SET x = x + :n, ab.y = :v", empty)).isEqualTo("missing");
        assertThat(firstFault("SET a = a + :n, zz.y = :v", empty)).isEqualTo("missing");
        assertThat(firstFault("SET zz = zz + :n, a.y = :v", empty)).isEqualTo("path");
        assertThat(firstFault("SET b = b - :n REMOVE m.x", empty)).isEqualTo("path");
        assertThat(firstFault("REMOVE zz.x SET a = a - :n", empty)).isEqualTo("missing");
        // The action's target decides its place, not the attribute its operand reads.
        assertThat(firstFault("SET x = a + :n, c.y = :v", empty)).isEqualTo("missing");
        assertThat(firstFault("SET a = x + :n, c.y = :v", empty)).isEqualTo("path");
        // Same bucket (a, q, ab): the later action first.
        assertThat(firstFault("SET a = a + :n REMOVE q.x", empty)).isEqualTo("path");
        assertThat(firstFault("REMOVE q.x SET a = a + :n", empty)).isEqualTo("missing");
        assertThat(firstFault("SET q.y = :v, ab = ab + :n, a.z = :v", empty)).isEqualTo("path");
        // One level down, in the same way.
        Map<String, Value> withMap = Map.of("m", Value.Obj.EMPTY);
        assertThat(firstFault("SET m.a = m.b + :n, m.c.d = :v", withMap)).isEqualTo("path");
        assertThat(firstFault("SET m.c = m.b + :n, m.a.d = :v", withMap)).isEqualTo("missing");
        assertThat(firstFault("SET x = x + :n, m.y = :v", withMap)).isEqualTo("missing");
        // list_append over a missing attribute takes its place like any operand.
        assertThat(firstFault("SET m = list_append(m, :l), x.y = :v", empty)).isEqualTo("missing");
        assertThat(firstFault("SET a = list_append(a, :l), zz.y = :v", empty)).isEqualTo("missing");
        assertThat(firstFault("SET x = list_append(x, :l), m.y = :v", empty)).isEqualTo("path");
        assertThat(firstFault("SET b = list_append(b, :l), m = list_append(m, :l), l[1] = :v", empty)).isEqualTo("missing");
    }

    @Test
    void syntaxErrorsNameTheToken() {
        ExpressionContext ctx = new ExpressionContext(null, null);
        assertThatThrownBy(() -> ctx.condition("ConditionExpression", "a = AND b"))
                .hasMessageContaining("Invalid ConditionExpression: Syntax error; token: \"AND\"");
        assertThatThrownBy(() -> ctx.condition("FilterExpression", "size(a)"))
                .hasMessageContaining("Invalid FilterExpression: The function is not allowed to be used this way");
    }
}
