package dev.nimbus.engine.query;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Filter.Op;
import dev.nimbus.core.value.Value;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Pins the filter semantics documented on {@link FilterEvaluator}, one node at a time. */
class FilterEvaluatorTest {

    // ---- helpers -------------------------------------------------------------------------------

    static Value.Obj obj(Object... keyValues) {
        Map<String, Value> fields = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            fields.put((String) keyValues[i], v(keyValues[i + 1]));
        }
        return new Value.Obj(fields);
    }

    static Value v(Object o) {
        return switch (o) {
            case null -> Value.nullValue();
            case Value x -> x;
            case String s -> Value.of(s);
            case Integer i -> Value.of((long) i);
            case Long l -> Value.of(l);
            case Double d -> Value.of(d);
            case Boolean b -> Value.of(b);
            case BigDecimal d -> Value.of(d);
            default -> throw new IllegalArgumentException(o.toString());
        };
    }

    static Value.Array arr(Object... elements) {
        List<Value> out = new ArrayList<>();
        for (Object e : elements) {
            out.add(v(e));
        }
        return Value.array(out);
    }

    static Value dec(String s) {
        return Value.of(new BigDecimal(s));
    }

    static Value.TypedSet stringSet(String... values) {
        return new Value.TypedSet(Value.TypedSet.SetKind.STRING, java.util.Arrays.stream(values).map(x -> (Value) Value.of(x)).toList());
    }

    static Value.TypedSet numberSet(Value... values) {
        return new Value.TypedSet(Value.TypedSet.SetKind.NUMBER, List.of(values));
    }

    static FieldPath p(String dotted) {
        return FieldPath.parse(dotted);
    }

    static Filter cmp(String path, Op op, Object value) {
        return new Filter.Compare(p(path), op, v(value));
    }

    static Filter eq(String path, Object value) {
        return cmp(path, Op.EQ, value);
    }

    static Filter in(String path, boolean negated, Object... values) {
        return new Filter.In(p(path), java.util.Arrays.stream(values).map(FilterEvaluatorTest::v).toList(), negated);
    }

    static Filter regex(String path, String pattern, String flags) {
        return new Filter.Regex(p(path), pattern, flags);
    }

    static boolean matches(Filter f, Value root) {
        return FilterEvaluator.matches(f, root);
    }

    static NimbusException invalid(Executable e) {
        Throwable t = catchThrowable(e::execute);
        assertThat(t).isInstanceOf(NimbusException.class);
        NimbusException n = (NimbusException) t;
        assertThat(n.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        return n;
    }

    // ---- logical nodes ---------------------------------------------------------------------------

    @Nested
    class Logical {
        @Test
        void allMatchesAnyDocumentAndAnyValue() {
            assertThat(matches(Filter.all(), Value.Obj.EMPTY)).isTrue();
            assertThat(matches(Filter.all(), obj("a", 1))).isTrue();
            assertThat(matches(Filter.all(), Value.nullValue())).isTrue();
            assertThat(matches(Filter.all(), arr(1, 2))).isTrue();
        }

        @Test
        void andMatchesOnlyWhenEveryOperandMatches() {
            Value.Obj d = obj("a", 1, "b", "x");
            assertThat(matches(Filter.and(eq("a", 1), eq("b", "x")), d)).isTrue();
            assertThat(matches(Filter.and(eq("a", 1), eq("b", "y")), d)).isFalse();
            assertThat(matches(Filter.and(eq("a", 2), eq("b", "x")), d)).isFalse();
            assertThat(matches(Filter.and(eq("a", 1)), d)).isTrue();
        }

        @Test
        void emptyAndMatchesEverything() {
            assertThat(matches(new Filter.And(List.of()), obj("a", 1))).isTrue();
            assertThat(matches(new Filter.And(List.of()), Value.Obj.EMPTY)).isTrue();
        }

        @Test
        void orMatchesWhenAnyOperandMatches() {
            Value.Obj d = obj("a", 1, "b", "x");
            assertThat(matches(new Filter.Or(List.of(eq("a", 2), eq("b", "x"))), d)).isTrue();
            assertThat(matches(new Filter.Or(List.of(eq("a", 1), eq("b", "y"))), d)).isTrue();
            assertThat(matches(new Filter.Or(List.of(eq("a", 2), eq("b", "y"))), d)).isFalse();
        }

        @Test
        void emptyOrMatchesNothing() {
            assertThat(matches(new Filter.Or(List.of()), obj("a", 1))).isFalse();
        }

        @Test
        void notInvertsItsOperand() {
            Value.Obj d = obj("a", 1);
            assertThat(matches(new Filter.Not(eq("a", 1)), d)).isFalse();
            assertThat(matches(new Filter.Not(eq("a", 2)), d)).isTrue();
            assertThat(matches(new Filter.Not(new Filter.Not(eq("a", 1))), d)).isTrue();
            assertThat(matches(new Filter.Not(Filter.all()), d)).isFalse();
        }

        @Test
        void nestedLogicCombines() {
            Value.Obj d = obj("a", 1, "b", "x", "c", true);
            Filter f = Filter.and(new Filter.Or(List.of(eq("a", 5), eq("b", "x"))),
                    new Filter.Not(eq("c", false)));
            assertThat(matches(f, d)).isTrue();
            assertThat(matches(f, obj("a", 1, "b", "y", "c", true))).isFalse();
        }
    }

    // ---- Compare -----------------------------------------------------------------------------

    @Nested
    class Comparisons {
        @Test
        void eqAndNeCompareValues() {
            Value.Obj d = obj("s", "open", "b", true, "z", null);
            assertThat(matches(eq("s", "open"), d)).isTrue();
            assertThat(matches(eq("s", "Open"), d)).isFalse();
            assertThat(matches(cmp("s", Op.NE, "Open"), d)).isTrue();
            assertThat(matches(cmp("s", Op.NE, "open"), d)).isFalse();
            assertThat(matches(eq("b", true), d)).isTrue();
            assertThat(matches(eq("b", false), d)).isFalse();
            assertThat(matches(eq("z", null), d)).isTrue();
            assertThat(matches(cmp("z", Op.NE, null), d)).isFalse();
        }

        @Test
        void eqAcrossTypeClassesIsFalseAndNeIsTrue() {
            Value.Obj d = obj("a", "1", "n", 1, "z", null, "f", false);
            assertThat(matches(eq("a", 1), d)).isFalse();
            assertThat(matches(cmp("a", Op.NE, 1), d)).isTrue();
            assertThat(matches(eq("n", "1"), d)).isFalse();
            assertThat(matches(eq("z", false), d)).isFalse();
            assertThat(matches(eq("f", 0), d)).isFalse();
            assertThat(matches(eq("f", null), d)).isFalse();
        }

        @Test
        void rangeOperatorsOnNumbersIncludingBoundaries() {
            Value.Obj d = obj("n", 5);
            assertThat(matches(cmp("n", Op.LT, 6), d)).isTrue();
            assertThat(matches(cmp("n", Op.LT, 5), d)).isFalse();
            assertThat(matches(cmp("n", Op.LTE, 5), d)).isTrue();
            assertThat(matches(cmp("n", Op.LTE, 4), d)).isFalse();
            assertThat(matches(cmp("n", Op.GT, 4), d)).isTrue();
            assertThat(matches(cmp("n", Op.GT, 5), d)).isFalse();
            assertThat(matches(cmp("n", Op.GTE, 5), d)).isTrue();
            assertThat(matches(cmp("n", Op.GTE, 6), d)).isFalse();
        }

        @Test
        void rangeOperatorsCompareNumbersNumericallyAcrossRepresentations() {
            Value.Obj d = obj("n", 2);
            assertThat(matches(cmp("n", Op.LT, 2.5), d)).isTrue();
            assertThat(matches(cmp("n", Op.GT, dec("1.999999999999999999999")), d)).isTrue();
            assertThat(matches(cmp("n", Op.LT, dec("2.000000000000000000001")), d)).isTrue();
            // Equal values of another representation are neither below nor above.
            assertThat(matches(cmp("n", Op.LT, 2.0), d)).isFalse();
            assertThat(matches(cmp("n", Op.GT, dec("2.00")), d)).isFalse();
            assertThat(matches(cmp("n", Op.LTE, 2.0), d)).isTrue();
            assertThat(matches(cmp("n", Op.GTE, dec("2.00")), d)).isTrue();
        }

        @Test
        void largeIntegersCompareExactlyAgainstDoubles() {
            long twoTo53 = 1L << 53;
            Value.Obj d = obj("n", twoTo53 + 1);
            // (double) (2^53 + 1) rounds to 2^53, but the comparison is exact.
            assertThat(matches(eq("n", (double) twoTo53), d)).isFalse();
            assertThat(matches(cmp("n", Op.GT, (double) twoTo53), d)).isTrue();
            assertThat(matches(eq("n", (double) twoTo53), obj("n", twoTo53))).isTrue();
            assertThat(matches(eq("n", Long.MAX_VALUE), obj("n", Long.MAX_VALUE))).isTrue();
            assertThat(matches(cmp("n", Op.LT, 9.223372036854775807E18), obj("n", Long.MAX_VALUE))).isTrue();
        }

        @Test
        void decimalComparesExactlyAgainstBinaryDouble() {
            // 0.1 as a double is 0.1000000000000000055511151231257827...
            assertThat(matches(eq("n", dec("0.1")), obj("n", 0.1))).isFalse();
            assertThat(matches(cmp("n", Op.GT, dec("0.1")), obj("n", 0.1))).isTrue();
            assertThat(matches(eq("n", dec("0.5")), obj("n", 0.5))).isTrue();
        }

        @Test
        void infinitiesAndNanOrderAsDocumented() {
            assertThat(matches(cmp("n", Op.LT, Double.POSITIVE_INFINITY), obj("n", Long.MAX_VALUE))).isTrue();
            assertThat(matches(cmp("n", Op.GT, Double.NEGATIVE_INFINITY), obj("n", Long.MIN_VALUE))).isTrue();
            // NaN is the lowest number.
            assertThat(matches(cmp("n", Op.LT, Double.NEGATIVE_INFINITY), obj("n", Double.NaN))).isTrue();
            assertThat(matches(cmp("n", Op.GT, Double.NaN), obj("n", Double.NEGATIVE_INFINITY))).isTrue();
            assertThat(matches(cmp("n", Op.GT, Double.NaN), obj("n", Double.NaN))).isFalse();
            assertThat(matches(cmp("n", Op.GTE, Double.NaN), obj("n", Double.NaN))).isTrue();
        }

        @Test
        void rangeOperatorsOnStringsUseCodePointOrder() {
            Value.Obj d = obj("s", "b");
            assertThat(matches(cmp("s", Op.GT, "a"), d)).isTrue();
            assertThat(matches(cmp("s", Op.GT, "ba"), d)).isFalse();
            assertThat(matches(cmp("s", Op.LT, "ba"), d)).isTrue();
            assertThat(matches(cmp("s", Op.LT, "B"), d)).isFalse();
            assertThat(matches(cmp("s", Op.GT, ""), d)).isTrue();
            // U+1F600 is above U+FFFF by code point although its UTF-16 lead unit (D83D) is below.
            assertThat(matches(cmp("s", Op.GT, "\uFFFF"), obj("s", "\uD83D\uDE00"))).isTrue();
            assertThat(matches(cmp("s", Op.LT, "\uD83D\uDE00"), obj("s", "\uE000"))).isTrue();
        }

        @Test
        void rangeOperatorsOnOtherScalarClasses() {
            Instant t = Instant.parse("2024-01-02T03:04:05.123456789Z");
            Value.Obj d = obj("t", Value.of(t), "b", Value.of(new byte[] {(byte) 0xFF}), "f", false);
            assertThat(matches(cmp("t", Op.GT, Value.of(t.minusNanos(1))), d)).isTrue();
            assertThat(matches(cmp("t", Op.LT, Value.of(t.plusNanos(1))), d)).isTrue();
            assertThat(matches(cmp("t", Op.LT, Value.of(t)), d)).isFalse();
            // Bytes compare unsigned: 0xFF is above 0x01.
            assertThat(matches(cmp("b", Op.GT, Value.of(new byte[] {0x01})), d)).isTrue();
            assertThat(matches(cmp("b", Op.GT, Value.of(new byte[] {(byte) 0xFF, 0})), d)).isFalse();
            assertThat(matches(cmp("f", Op.LT, true), d)).isTrue();
            assertThat(matches(cmp("f", Op.GT, true), d)).isFalse();
        }

        @Test
        void rangeOperatorsNeverMatchAnotherTypeClass() {
            Value.Obj d = obj("s", "a", "n", 1, "z", null, "b", true, "t", Value.of(Instant.EPOCH),
                    "arr", arr(1), "o", obj("x", 1));
            for (Op op : List.of(Op.LT, Op.LTE, Op.GT, Op.GTE)) {
                assertThat(matches(cmp("s", op, 1), d)).as("\"a\" %s 1", op).isFalse();
                assertThat(matches(cmp("n", op, "a"), d)).as("1 %s \"a\"", op).isFalse();
                assertThat(matches(cmp("z", op, 1), d)).as("null %s 1", op).isFalse();
                assertThat(matches(cmp("n", op, null), d)).as("1 %s null", op).isFalse();
                assertThat(matches(cmp("b", op, 0), d)).as("true %s 0", op).isFalse();
                assertThat(matches(cmp("t", op, 0), d)).as("timestamp %s 0", op).isFalse();
                assertThat(matches(cmp("arr", op, 0), d)).as("[1] %s 0", op).isFalse();
                assertThat(matches(cmp("o", op, "x"), d)).as("{x:1} %s \"x\"", op).isFalse();
            }
        }

        @Test
        void rangeOperatorsOnArraysAndObjectsCompareWholeValues() {
            Value.Obj d = obj("arr", arr(1, 2), "o", obj("x", 1));
            assertThat(matches(cmp("arr", Op.LT, arr(1, 3)), d)).isTrue();
            assertThat(matches(cmp("arr", Op.GT, arr(1)), d)).isTrue();
            assertThat(matches(cmp("arr", Op.GT, arr(2)), d)).isFalse();
            assertThat(matches(cmp("o", Op.LT, obj("x", 2)), d)).isTrue();
            // No implicit traversal: [1, 2] is not "> 1" because an element is.
            assertThat(matches(cmp("arr", Op.GT, 1), d)).isFalse();
        }
    }

    // ---- numeric equality ---------------------------------------------------------------------

    @Nested
    class NumericEquality {
        @Test
        void int64Float64AndDecimalOfTheSameNumberAreEqual() {
            List<Value> ones = List.of(Value.of(1L), Value.of(1.0), dec("1"), dec("1.0"), dec("1.00"), dec("1E+0"));
            for (Value stored : ones) {
                for (Value operand : ones) {
                    assertThat(matches(new Filter.Compare(p("n"), Op.EQ, operand), obj("n", stored)))
                            .as("%s == %s", stored, operand).isTrue();
                    assertThat(matches(new Filter.Compare(p("n"), Op.NE, operand), obj("n", stored)))
                            .as("%s != %s", stored, operand).isFalse();
                    assertThat(matches(new Filter.In(p("n"), List.of(operand), false), obj("n", stored))).isTrue();
                }
            }
            assertThat(matches(eq("n", 1.0000000001), obj("n", 1))).isFalse();
        }

        @Test
        void numbersCompareNumericallyInsideArraysAndObjects() {
            assertThat(matches(eq("a", arr(1.0, dec("2.00"))), obj("a", arr(1, 2)))).isTrue();
            assertThat(matches(eq("a", arr(1.0, 2)), obj("a", arr(1, 2, 3)))).isFalse();
            assertThat(matches(eq("o", obj("x", dec("1.00"), "y", arr(0.0))), obj("o", obj("y", arr(0), "x", 1)))).isTrue();
            assertThat(matches(eq("o", obj("x", 1)), obj("o", obj("x", 1, "y", 2)))).isFalse();
            assertThat(matches(eq("o", obj("x", 1, "y", 2)), obj("o", obj("x", 1)))).isFalse();
            assertThat(matches(eq("o", obj("x", 1)), obj("o", obj("z", 1)))).isFalse();
            assertThat(matches(eq("a", arr(arr(1))), obj("a", arr(arr(1.0))))).isTrue();
            assertThat(matches(in("a", false, arr(2.0, 1.0)), obj("a", arr(2, 1)))).isTrue();
            // Order of elements matters for arrays.
            assertThat(matches(eq("a", arr(2, 1)), obj("a", arr(1, 2)))).isFalse();
        }

        @Test
        void numberSetsWithNumericallyEqualElementsAreEqual() {
            assertThat(matches(new Filter.Compare(p("s"), Op.EQ, numberSet(Value.of(1.0), Value.of(2L))),
                    obj("s", numberSet(Value.of(1L), dec("2.0"))))).isTrue();
            assertThat(matches(new Filter.Compare(p("s"), Op.EQ, stringSet("a")),
                    obj("s", arr("a")))).isFalse();
        }

        @Test
        void nanEqualsNan() {
            Value.Obj d = obj("n", Double.NaN);
            assertThat(matches(eq("n", Double.NaN), d)).isTrue();
            assertThat(matches(cmp("n", Op.NE, Double.NaN), d)).isFalse();
            assertThat(matches(in("n", false, Double.NaN), d)).isTrue();
            assertThat(matches(eq("a", arr(Double.NaN)), obj("a", arr(Double.NaN)))).isTrue();
            assertThat(matches(eq("n", 0), d)).isFalse();
            assertThat(matches(eq("n", Double.NaN), obj("n", 0))).isFalse();
        }

        @Test
        void negativeZeroEqualsZero() {
            Value.Obj d = obj("n", -0.0);
            assertThat(matches(eq("n", 0), d)).isTrue();
            assertThat(matches(eq("n", 0.0), d)).isTrue();
            assertThat(matches(eq("n", dec("0.000")), d)).isTrue();
            assertThat(matches(eq("n", -0.0), obj("n", 0))).isTrue();
            assertThat(matches(cmp("n", Op.LT, 0), d)).isFalse();
            assertThat(matches(cmp("n", Op.GT, -0.0), obj("n", 0.0))).isFalse();
            assertThat(matches(cmp("n", Op.GTE, 0), d)).isTrue();
            assertThat(matches(eq("a", arr(-0.0)), obj("a", arr(0)))).isTrue();
        }
    }

    // ---- In / Exists / TypeIs ---------------------------------------------------------------------

    @Nested
    class Membership {
        @Test
        void inMatchesAnyListedValue() {
            Value.Obj d = obj("s", "b");
            assertThat(matches(in("s", false, "a", "b"), d)).isTrue();
            assertThat(matches(in("s", false, "a", "c", 1), d)).isFalse();
            assertThat(matches(in("s", false, 1, null, "b"), d)).isTrue();
        }

        @Test
        void notInMatchesWhenNoListedValueIsEqual() {
            Value.Obj d = obj("s", "b", "n", 2);
            assertThat(matches(in("s", true, "a", "c"), d)).isTrue();
            assertThat(matches(in("s", true, "a", "b"), d)).isFalse();
            assertThat(matches(in("n", true, 2.0), d)).isFalse();
            assertThat(matches(in("n", true, "2"), d)).isTrue();
        }

        @Test
        void emptyInMatchesNothingAndEmptyNotInMatchesEveryPresentValue() {
            Value.Obj d = obj("s", "b");
            assertThat(matches(in("s", false), d)).isFalse();
            assertThat(matches(in("s", true), d)).isTrue();
            assertThat(matches(in("missing", true), d)).isFalse();
        }

        @Test
        void inOnArraysComparesWholeArrays() {
            Value.Obj d = obj("a", arr(1, 2));
            assertThat(matches(in("a", false, 1, 2), d)).isFalse();
            assertThat(matches(in("a", false, arr(1, 2)), d)).isTrue();
        }

        @Test
        void existsDistinguishesPresentFromMissingAndNullIsPresent() {
            Value.Obj d = obj("a", 1, "z", null, "o", obj("x", obj()));
            assertThat(matches(new Filter.Exists(p("a"), true), d)).isTrue();
            assertThat(matches(new Filter.Exists(p("a"), false), d)).isFalse();
            assertThat(matches(new Filter.Exists(p("z"), true), d)).isTrue();
            assertThat(matches(new Filter.Exists(p("b"), true), d)).isFalse();
            assertThat(matches(new Filter.Exists(p("b"), false), d)).isTrue();
            assertThat(matches(new Filter.Exists(p("o.x"), true), d)).isTrue();
            assertThat(matches(new Filter.Exists(p("o.x.y"), false), d)).isTrue();
            // A path through a scalar is missing.
            assertThat(matches(new Filter.Exists(p("a.b"), true), d)).isFalse();
        }

        @Test
        void missingFieldIsNotNull() {
            Value.Obj d = obj("a", 1);
            assertThat(matches(eq("b", null), d)).isFalse();
            assertThat(matches(in("b", false, (Object) null), d)).isFalse();
            assertThat(matches(eq("z", null), obj("z", null))).isTrue();
        }

        @Test
        void typeIsMatchesTheExactKind() {
            Value.Obj d = obj("i", 1, "f", 1.0, "d", dec("1"), "s", "x", "z", null, "a", arr(), "o", obj(),
                    "set", stringSet("a"), "t", Value.of(Instant.EPOCH), "b", Value.of(new byte[0]));
            assertThat(matches(new Filter.TypeIs(p("i"), Set.of(Value.Kind.INT64)), d)).isTrue();
            assertThat(matches(new Filter.TypeIs(p("i"), Set.of(Value.Kind.FLOAT64)), d)).isFalse();
            assertThat(matches(new Filter.TypeIs(p("f"), Set.of(Value.Kind.FLOAT64)), d)).isTrue();
            assertThat(matches(new Filter.TypeIs(p("d"), Set.of(Value.Kind.INT64, Value.Kind.DECIMAL)), d)).isTrue();
            assertThat(matches(new Filter.TypeIs(p("s"), Set.of(Value.Kind.STRING)), d)).isTrue();
            assertThat(matches(new Filter.TypeIs(p("z"), Set.of(Value.Kind.NULL)), d)).isTrue();
            assertThat(matches(new Filter.TypeIs(p("a"), Set.of(Value.Kind.ARRAY)), d)).isTrue();
            assertThat(matches(new Filter.TypeIs(p("set"), Set.of(Value.Kind.ARRAY)), d)).isFalse();
            assertThat(matches(new Filter.TypeIs(p("set"), Set.of(Value.Kind.SET)), d)).isTrue();
            assertThat(matches(new Filter.TypeIs(p("o"), Set.of(Value.Kind.OBJECT)), d)).isTrue();
            assertThat(matches(new Filter.TypeIs(p("t"), Set.of(Value.Kind.TIMESTAMP)), d)).isTrue();
            assertThat(matches(new Filter.TypeIs(p("b"), Set.of(Value.Kind.BYTES)), d)).isTrue();
            assertThat(matches(new Filter.TypeIs(p("s"), Set.of()), d)).isFalse();
            assertThat(matches(new Filter.TypeIs(p("missing"), Set.of(Value.Kind.values())), d)).isFalse();
        }
    }

    // ---- string nodes ----------------------------------------------------------------------------

    @Nested
    class StringNodes {
        @Test
        void prefixMatchesStringsStartingWithIt() {
            Value.Obj d = obj("s", "hello world", "n", 12, "r", new Value.Reference("hello/x"));
            assertThat(matches(new Filter.Prefix(p("s"), "hello"), d)).isTrue();
            assertThat(matches(new Filter.Prefix(p("s"), "hello world"), d)).isTrue();
            assertThat(matches(new Filter.Prefix(p("s"), "Hello"), d)).isFalse();
            assertThat(matches(new Filter.Prefix(p("s"), "world"), d)).isFalse();
            assertThat(matches(new Filter.Prefix(p("s"), "hello world!"), d)).isFalse();
            assertThat(matches(new Filter.Prefix(p("s"), ""), d)).isTrue();
            assertThat(matches(new Filter.Prefix(p("n"), "1"), d)).isFalse();
            assertThat(matches(new Filter.Prefix(p("n"), ""), d)).isFalse();
            assertThat(matches(new Filter.Prefix(p("r"), "hello"), d)).isFalse();
        }

        @Test
        void substringMatchesStringsContainingIt() {
            Value.Obj d = obj("s", "hello world", "a", arr("hello"));
            assertThat(matches(new Filter.Substring(p("s"), "o w"), d)).isTrue();
            assertThat(matches(new Filter.Substring(p("s"), "hello world"), d)).isTrue();
            assertThat(matches(new Filter.Substring(p("s"), ""), d)).isTrue();
            assertThat(matches(new Filter.Substring(p("s"), "O W"), d)).isFalse();
            assertThat(matches(new Filter.Substring(p("s"), "worlds"), d)).isFalse();
            assertThat(matches(new Filter.Substring(p("a"), "hello"), d)).isFalse();
        }

        @Test
        void regexFindsAnywhereUnlessAnchored() {
            Value.Obj d = obj("s", "abc123", "n", 123);
            assertThat(matches(regex("s", "\\d+", ""), d)).isTrue();
            assertThat(matches(regex("s", "^\\d+", ""), d)).isFalse();
            assertThat(matches(regex("s", "^abc\\d{3}$", ""), d)).isTrue();
            assertThat(matches(regex("s", "ABC", ""), d)).isFalse();
            assertThat(matches(regex("n", "123", ""), d)).isFalse();
            assertThat(matches(regex("missing", ".*", ""), d)).isFalse();
        }

        @Test
        void regexFlagIIgnoresCaseIncludingNonAscii() {
            assertThat(matches(regex("s", "^abc$", "i"), obj("s", "AbC"))).isTrue();
            assertThat(matches(regex("s", "^é$", "i"), obj("s", "É"))).isTrue();
            assertThat(matches(regex("s", "^é$", ""), obj("s", "É"))).isFalse();
        }

        @Test
        void regexFlagMAnchorsAtLines() {
            Value.Obj d = obj("s", "first\nsecond");
            assertThat(matches(regex("s", "^second$", ""), d)).isFalse();
            assertThat(matches(regex("s", "^second$", "m"), d)).isTrue();
            assertThat(matches(regex("s", "^first$", "m"), d)).isTrue();
        }

        @Test
        void regexFlagSLetsDotMatchNewline() {
            Value.Obj d = obj("s", "a\nb");
            assertThat(matches(regex("s", "a.b", ""), d)).isFalse();
            assertThat(matches(regex("s", "a.b", "s"), d)).isTrue();
        }

        @Test
        void regexFlagXIgnoresWhitespaceAndComments() {
            Value.Obj d = obj("s", "abc");
            assertThat(matches(regex("s", "a b c # letters", ""), d)).isFalse();
            assertThat(matches(regex("s", "a b c # letters", "x"), d)).isTrue();
            assertThat(matches(regex("s", "a b c", "x"), obj("s", "a b c"))).isFalse();
        }

        @Test
        void regexFlagsCombine() {
            Value.Obj d = obj("s", "x\nFOO\nBAR");
            assertThat(matches(regex("s", "^foo.bar$", "ims"), d)).isTrue();
            assertThat(matches(regex("s", "^foo.bar$", "im"), d)).isFalse();
            assertThat(matches(regex("s", "^ foo . bar $", "smix"), d)).isTrue();
        }

        @Test
        void invalidRegexIsInvalidInputOnValidate() {
            NimbusException e = invalid(() -> FilterEvaluator.validate(regex("s", "a(b", "")));
            assertThat(e.getMessage()).contains("regex");
            invalid(() -> FilterEvaluator.validate(regex("s", "[a-", "")));
            invalid(() -> FilterEvaluator.validate(regex("s", "*a", "")));
        }

        @Test
        void unknownRegexFlagIsInvalidInputOnValidate() {
            NimbusException e = invalid(() -> FilterEvaluator.validate(regex("s", "a", "g")));
            assertThat(e.getMessage()).contains("'g'");
            invalid(() -> FilterEvaluator.validate(regex("s", "a", "iu")));
            invalid(() -> FilterEvaluator.validate(regex("s", "a", "I")));
        }

        @Test
        void overlongRegexIsInvalidInputOnValidate() {
            String ok = "a".repeat(FilterEvaluator.REGEX_LENGTH_MAX);
            assertThatCode(() -> FilterEvaluator.validate(regex("s", ok, ""))).doesNotThrowAnyException();
            invalid(() -> FilterEvaluator.validate(regex("s", ok + "a", "")));
        }

        @Test
        void validateFindsBadRegexesNestedInLogicAndElemMatch() {
            Filter bad = regex("s", "(", "");
            invalid(() -> FilterEvaluator.validate(Filter.and(eq("a", 1), bad)));
            invalid(() -> FilterEvaluator.validate(new Filter.Or(List.of(eq("a", 1), bad))));
            invalid(() -> FilterEvaluator.validate(new Filter.Not(bad)));
            invalid(() -> FilterEvaluator.validate(new Filter.ElemMatch(p("items"), bad)));
            invalid(() -> FilterEvaluator.validate(Filter.and(new Filter.Not(new Filter.Or(List.of(regex("s", "a", "q")))))));
        }

        @Test
        void validateAcceptsWellFormedFilters() {
            Filter f = Filter.and(regex("s", "^a.*$", "imsx"), new Filter.Not(eq("a", 1)),
                    new Filter.ElemMatch(p("items"), regex("$", "x", "")), new Filter.Size(p("a"), 2));
            assertThatCode(() -> FilterEvaluator.validate(f)).doesNotThrowAnyException();
        }
    }

    // ---- array / set nodes ---------------------------------------------------------------------

    @Nested
    class ArrayNodes {
        @Test
        void arrayContainsFindsAnEqualElement() {
            Value.Obj d = obj("a", arr("x", 2, arr(1, 2), obj("k", 1)));
            assertThat(matches(new Filter.ArrayContains(p("a"), v("x")), d)).isTrue();
            assertThat(matches(new Filter.ArrayContains(p("a"), v(2.0)), d)).isTrue();
            assertThat(matches(new Filter.ArrayContains(p("a"), dec("2.000")), d)).isTrue();
            assertThat(matches(new Filter.ArrayContains(p("a"), arr(1.0, 2)), d)).isTrue();
            assertThat(matches(new Filter.ArrayContains(p("a"), obj("k", 1.0)), d)).isTrue();
            assertThat(matches(new Filter.ArrayContains(p("a"), v("y")), d)).isFalse();
            assertThat(matches(new Filter.ArrayContains(p("a"), v(1)), d)).as("no recursion into nested arrays").isFalse();
            assertThat(matches(new Filter.ArrayContains(p("a"), v("2")), d)).isFalse();
        }

        @Test
        void arrayContainsWorksOnTypedSets() {
            Value.Obj d = obj("ss", stringSet("red", "blue"), "ns", numberSet(Value.of(1L), Value.of(2.5)));
            assertThat(matches(new Filter.ArrayContains(p("ss"), v("red")), d)).isTrue();
            assertThat(matches(new Filter.ArrayContains(p("ss"), v("green")), d)).isFalse();
            assertThat(matches(new Filter.ArrayContains(p("ns"), v(1.0)), d)).isTrue();
            assertThat(matches(new Filter.ArrayContains(p("ns"), dec("2.50")), d)).isTrue();
            assertThat(matches(new Filter.ArrayContains(p("ns"), v(3)), d)).isFalse();
        }

        @Test
        void arrayContainsOnNonArraysIsFalse() {
            Value.Obj d = obj("s", "hello", "o", obj("x", 1), "n", 1);
            assertThat(matches(new Filter.ArrayContains(p("s"), v("hello")), d)).isFalse();
            assertThat(matches(new Filter.ArrayContains(p("s"), v("ell")), d)).isFalse();
            assertThat(matches(new Filter.ArrayContains(p("o"), v(1)), d)).isFalse();
            assertThat(matches(new Filter.ArrayContains(p("n"), v(1)), d)).isFalse();
            assertThat(matches(new Filter.ArrayContains(p("missing"), v(1)), d)).isFalse();
        }

        @Test
        void arrayContainsAnyMatchesOneOfTheValues() {
            Value.Obj d = obj("a", arr("x", "y", 3));
            assertThat(matches(new Filter.ArrayContainsAny(p("a"), List.of(v("q"), v("y")), false), d)).isTrue();
            assertThat(matches(new Filter.ArrayContainsAny(p("a"), List.of(v(3.0)), false), d)).isTrue();
            assertThat(matches(new Filter.ArrayContainsAny(p("a"), List.of(v("q"), v("z")), false), d)).isFalse();
            assertThat(matches(new Filter.ArrayContainsAny(p("a"), List.of(), false), d)).isFalse();
            assertThat(matches(new Filter.ArrayContainsAny(p("a"), List.of(v("x")), false), obj("a", arr()))).isFalse();
        }

        @Test
        void arrayContainsAllNeedsEveryValue() {
            Value.Obj d = obj("a", arr("x", "y", 3));
            assertThat(matches(new Filter.ArrayContainsAny(p("a"), List.of(v("x"), v(dec("3.0"))), true), d)).isTrue();
            assertThat(matches(new Filter.ArrayContainsAny(p("a"), List.of(v("x"), v("y"), v(3)), true), d)).isTrue();
            assertThat(matches(new Filter.ArrayContainsAny(p("a"), List.of(v("x"), v("x")), true), d)).isTrue();
            assertThat(matches(new Filter.ArrayContainsAny(p("a"), List.of(v("x"), v("q")), true), d)).isFalse();
            assertThat(matches(new Filter.ArrayContainsAny(p("a"), List.of(), true), d)).isFalse();
        }

        @Test
        void arrayContainsAnyAndAllWorkOnTypedSets() {
            Value.Obj d = obj("ss", stringSet("red", "blue"));
            assertThat(matches(new Filter.ArrayContainsAny(p("ss"), List.of(v("green"), v("blue")), false), d)).isTrue();
            assertThat(matches(new Filter.ArrayContainsAny(p("ss"), List.of(v("red"), v("blue")), true), d)).isTrue();
            assertThat(matches(new Filter.ArrayContainsAny(p("ss"), List.of(v("red"), v("green")), true), d)).isFalse();
            assertThat(matches(new Filter.ArrayContainsAny(p("s"), List.of(v("x")), false), obj("s", "x"))).isFalse();
        }

        @Test
        void elemMatchAppliesAllConditionsToOneElement() {
            Value.Obj d = obj("items", arr(obj("sku", "a", "qty", 1), obj("sku", "b", "qty", 5)));
            Filter sameElement = new Filter.ElemMatch(p("items"),
                    Filter.and(eq("sku", "b"), cmp("qty", Op.GT, 3)));
            Filter acrossElements = new Filter.ElemMatch(p("items"),
                    Filter.and(eq("sku", "a"), cmp("qty", Op.GT, 3)));
            assertThat(matches(sameElement, d)).isTrue();
            assertThat(matches(acrossElements, d)).isFalse();
            // Paths may also name the element explicitly with "$".
            assertThat(matches(new Filter.ElemMatch(p("items"), eq("$.sku", "a")), d)).isTrue();
            assertThat(matches(new Filter.ElemMatch(p("items"), new Filter.Exists(p("price"), true)), d)).isFalse();
        }

        @Test
        void elemMatchOnScalarsUsesDollarPath() {
            Value.Obj d = obj("scores", arr(3, 7.5, "x"));
            assertThat(matches(new Filter.ElemMatch(p("scores"), cmp("$", Op.GT, 7)), d)).isTrue();
            assertThat(matches(new Filter.ElemMatch(p("scores"), cmp("$", Op.GT, 8)), d)).isFalse();
            assertThat(matches(new Filter.ElemMatch(p("scores"),
                    Filter.and(cmp("$", Op.GT, 2), cmp("$", Op.LT, 4))), d)).isTrue();
            assertThat(matches(new Filter.ElemMatch(p("scores"),
                    Filter.and(cmp("$", Op.GT, 4), cmp("$", Op.LT, 7))), d)).isFalse();
            assertThat(matches(new Filter.ElemMatch(p("scores"), eq("$", dec("7.50"))), d)).isTrue();
            assertThat(matches(new Filter.ElemMatch(p("scores"), new Filter.Prefix(p("$"), "x")), d)).isTrue();
        }

        @Test
        void elemMatchNeedsAnArrayWithAMatchingElement() {
            assertThat(matches(new Filter.ElemMatch(p("a"), Filter.all()), obj("a", arr()))).isFalse();
            assertThat(matches(new Filter.ElemMatch(p("a"), Filter.all()), obj("a", arr((Object) null)))).isTrue();
            assertThat(matches(new Filter.ElemMatch(p("a"), Filter.all()), obj("a", "str"))).isFalse();
            assertThat(matches(new Filter.ElemMatch(p("a"), Filter.all()), obj("a", obj("x", 1)))).isFalse();
            assertThat(matches(new Filter.ElemMatch(p("a"), Filter.all()), obj())).isFalse();
        }

        @Test
        void nestedElemMatch() {
            Value.Obj d = obj("orders", arr(
                    obj("id", 1, "lines", arr(obj("sku", "a"), obj("sku", "b"))),
                    obj("id", 2, "lines", arr(obj("sku", "c")))));
            Filter f = new Filter.ElemMatch(p("orders"), Filter.and(eq("id", 2),
                    new Filter.ElemMatch(p("lines"), eq("sku", "c"))));
            Filter g = new Filter.ElemMatch(p("orders"), Filter.and(eq("id", 2),
                    new Filter.ElemMatch(p("lines"), eq("sku", "a"))));
            assertThat(matches(f, d)).isTrue();
            assertThat(matches(g, d)).isFalse();
        }

        @Test
        void sizeCountsArrayAndSetElements() {
            Value.Obj d = obj("a", arr(1, arr(2, 3), obj()), "e", arr(), "set", stringSet("x", "y", "x"));
            assertThat(matches(new Filter.Size(p("a"), 3), d)).isTrue();
            assertThat(matches(new Filter.Size(p("a"), 4), d)).isFalse();
            assertThat(matches(new Filter.Size(p("e"), 0), d)).isTrue();
            assertThat(matches(new Filter.Size(p("set"), 2), d)).as("sets are deduplicated").isTrue();
        }

        @Test
        void sizeCountsStringCodePointsAndBytes() {
            Value.Obj d = obj("s", "a\uD83D\uDE00b", "e", "", "b", Value.of(new byte[] {0, (byte) 0xFF, 7}),
                    "eb", Value.of(new byte[0]));
            assertThat(matches(new Filter.Size(p("s"), 3), d)).as("an emoji is one code point").isTrue();
            assertThat(matches(new Filter.Size(p("s"), 4), d)).as("not UTF-16 units").isFalse();
            assertThat(matches(new Filter.Size(p("e"), 0), d)).isTrue();
            assertThat(matches(new Filter.Size(p("b"), 3), d)).isTrue();
            assertThat(matches(new Filter.Size(p("eb"), 0), d)).isTrue();
        }

        @Test
        void sizeOfOtherKindsNeverMatches() {
            Value.Obj d = obj("n", 0, "z", null, "o", obj(), "o1", obj("x", 1));
            assertThat(matches(new Filter.Size(p("n"), 0), d)).isFalse();
            assertThat(matches(new Filter.Size(p("z"), 0), d)).isFalse();
            assertThat(matches(new Filter.Size(p("o"), 0), d)).isFalse();
            assertThat(matches(new Filter.Size(p("o1"), 1), d)).isFalse();
            assertThat(matches(new Filter.Size(p("missing"), 0), d)).isFalse();
        }
    }

    // ---- paths ---------------------------------------------------------------------------------

    @Nested
    class Paths {
        final Value.Obj doc = obj(
                "address", obj("city", "Oslo", "geo", obj("lat", 59.9)),
                "items", arr(obj("sku", "A1", "qty", 2), obj("sku", "B2", "qty", 0)),
                "matrix", arr(arr(1, 2), arr(3, 4)),
                "map", obj("0", "zero", "01", "zero-one"));

        @Test
        void dottedPathsWalkNestedObjects() {
            assertThat(matches(eq("address.city", "Oslo"), doc)).isTrue();
            assertThat(matches(cmp("address.geo.lat", Op.GT, 59), doc)).isTrue();
            assertThat(matches(eq("address.country", "NO"), doc)).isFalse();
            assertThat(matches(new Filter.Exists(p("address.geo"), true), doc)).isTrue();
        }

        @Test
        void numericSegmentsIndexArrays() {
            assertThat(matches(eq("items.0.sku", "A1"), doc)).isTrue();
            assertThat(matches(eq("items.1.sku", "B2"), doc)).isTrue();
            assertThat(matches(eq("items.1.qty", 0), doc)).isTrue();
            assertThat(matches(eq("matrix.1.0", 3), doc)).isTrue();
            assertThat(matches(eq("items.0", obj("qty", 2, "sku", "A1")), doc)).isTrue();
        }

        @Test
        void outOfRangeAndNonCanonicalIndexesAreMissing() {
            assertThat(matches(new Filter.Exists(p("items.2"), false), doc)).isTrue();
            assertThat(matches(new Filter.Exists(p("items.2.sku"), false), doc)).isTrue();
            assertThat(matches(new Filter.Exists(p("items.-1"), false), doc)).isTrue();
            assertThat(matches(new Filter.Exists(p("items.01"), false), doc)).isTrue();
            assertThat(matches(new Filter.Exists(p("items.x"), false), doc)).isTrue();
            assertThat(matches(new Filter.Exists(p("items.99999999999"), false), doc)).isTrue();
        }

        @Test
        void numericSegmentsNameFieldsOfObjects() {
            assertThat(matches(eq("map.0", "zero"), doc)).isTrue();
            assertThat(matches(eq("map.01", "zero-one"), doc)).isTrue();
        }

        @Test
        void noImplicitArrayTraversal() {
            assertThat(matches(eq("items.sku", "A1"), doc)).isFalse();
            assertThat(matches(new Filter.Exists(p("items.sku"), true), doc)).isFalse();
            assertThat(matches(cmp("items.qty", Op.NE, 5), doc)).isFalse();
            assertThat(matches(eq("tags", "a"), obj("tags", arr("a", "b")))).isFalse();
            assertThat(matches(in("tags", false, "a"), obj("tags", arr("a", "b")))).isFalse();
        }

        @Test
        void dollarPathIsTheRoot() {
            assertThat(matches(eq("$", 5), Value.of(5L))).isTrue();
            assertThat(matches(cmp("$", Op.GT, 5), Value.of(5.5))).isTrue();
            assertThat(matches(eq("$.address.city", "Oslo"), doc)).isTrue();
            assertThat(matches(new Filter.Size(p("$"), 2), arr(1, 2))).isTrue();
        }

        @Test
        void segmentsMayContainDotsWhenBuiltFromSegments() {
            Value.Obj d = obj("a.b", 1, "a", obj("b", 2));
            assertThat(matches(new Filter.Compare(FieldPath.of("a.b"), Op.EQ, v(1)), d)).isTrue();
            assertThat(matches(eq("a.b", 2), d)).isTrue();
        }

        @Test
        void resolveReturnsTheValueAtAPath() {
            assertThat(FilterEvaluator.resolve(doc, p("items.1.sku"))).contains(Value.of("B2"));
            assertThat(FilterEvaluator.resolve(doc, p("items.sku"))).isEmpty();
            assertThat(FilterEvaluator.resolve(doc, p("$"))).contains(doc);
        }
    }

    // ---- missing fields ------------------------------------------------------------------------

    @Test
    void missingFieldMatchesOnlyExistsFalseAndNot() {
        Value.Obj d = obj("present", 1);
        List<Filter> neverMatch = new ArrayList<>();
        for (Op op : Op.values()) {
            neverMatch.add(cmp("missing", op, 1));
            neverMatch.add(cmp("missing", op, null));
        }
        neverMatch.add(in("missing", false, 1, null));
        neverMatch.add(in("missing", true, 1));
        neverMatch.add(new Filter.Exists(p("missing"), true));
        neverMatch.add(new Filter.TypeIs(p("missing"), Set.of(Value.Kind.values())));
        neverMatch.add(new Filter.Prefix(p("missing"), ""));
        neverMatch.add(regex("missing", "", ""));
        neverMatch.add(new Filter.Substring(p("missing"), ""));
        neverMatch.add(new Filter.ArrayContains(p("missing"), v(1)));
        neverMatch.add(new Filter.ArrayContainsAny(p("missing"), List.of(v(1)), false));
        neverMatch.add(new Filter.ArrayContainsAny(p("missing"), List.of(v(1)), true));
        neverMatch.add(new Filter.ElemMatch(p("missing"), Filter.all()));
        neverMatch.add(new Filter.Size(p("missing"), 0));
        for (Filter f : neverMatch) {
            assertThat(matches(f, d)).as("%s", f).isFalse();
            assertThat(matches(new Filter.Not(f), d)).as("not %s", f).isTrue();
        }
        assertThat(matches(new Filter.Exists(p("missing"), false), d)).isTrue();
        assertThat(matches(new Filter.Exists(p("present.missing"), false), d)).isTrue();
    }

    @Test
    void sameValueIsNumericAtAnyDepthAndExactOtherwise() {
        assertThat(FilterEvaluator.sameValue(v(1), v(1.0))).isTrue();
        assertThat(FilterEvaluator.sameValue(arr(obj("x", 1)), arr(obj("x", dec("1.0"))))).isTrue();
        assertThat(FilterEvaluator.sameValue(v("a"), v("a"))).isTrue();
        assertThat(FilterEvaluator.sameValue(v("a"), v("b"))).isFalse();
        assertThat(FilterEvaluator.sameValue(v(1), v("1"))).isFalse();
        assertThat(FilterEvaluator.sameValue(stringSet("a"), arr("a"))).isFalse();
        assertThat(FilterEvaluator.sameValue(Value.of(new byte[] {1, 2}), Value.of(new byte[] {1, 2}))).isTrue();
    }

    @Test
    void sortPutsMissingFirstThenValueOrder() {
        java.util.Optional<Value> missing = java.util.Optional.empty();
        assertThat(FilterEvaluator.compareForSort(missing, java.util.Optional.of(Value.nullValue()))).isNegative();
        assertThat(FilterEvaluator.compareForSort(java.util.Optional.of(Value.nullValue()), missing)).isPositive();
        assertThat(FilterEvaluator.compareForSort(missing, missing)).isZero();
        assertThat(FilterEvaluator.compareForSort(java.util.Optional.of(v(1)), java.util.Optional.of(v("a")))).isNegative();
        assertThat(FilterEvaluator.compareForSort(java.util.Optional.of(v(1)), java.util.Optional.of(v(1.0)))).isNegative();
    }
}
