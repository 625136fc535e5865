package dev.nimbus.engine.query;

import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Filter.Op;
import dev.nimbus.core.testing.RandomValues;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueOrder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deterministic randomized checks of the evaluator's algebra (plain loops over fixed seeds, so
 * a failure names its seed and reproduces).
 */
class FilterEvaluatorPropertyTest {
    private static final int CASES = 3000;
    private static final List<String> PATHS = List.of("a", "b", "c", "a.x", "b.0", "missing");

    /** A random document over a few fields, with shared values so that filters often match. */
    private static Value.Obj document(Random r, RandomValues rv, List<Value> shared) {
        Map<String, Value> fields = new LinkedHashMap<>();
        for (String f : List.of("a", "b", "c")) {
            int pick = r.nextInt(10);
            if (pick < 2) {
                continue; // missing
            }
            fields.put(f, pick < 5 ? shared.get(r.nextInt(shared.size())) : rv.value());
        }
        if (r.nextInt(4) == 0) {
            fields.put("a", new Value.Obj(Map.of("x", shared.get(r.nextInt(shared.size())))));
        }
        return new Value.Obj(fields);
    }

    private static Filter filter(Random r, RandomValues rv, List<Value> shared, int depth) {
        int kind = r.nextInt(depth >= 3 ? 8 : 12);
        FieldPath path = FieldPath.parse(PATHS.get(r.nextInt(PATHS.size())));
        Value operand = r.nextBoolean() ? shared.get(r.nextInt(shared.size())) : rv.scalar();
        return switch (kind) {
            case 0, 1 -> new Filter.Compare(path, Op.values()[r.nextInt(Op.values().length)], operand);
            case 2 -> {
                List<Value> values = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    values.add(r.nextBoolean() ? shared.get(r.nextInt(shared.size())) : rv.scalar());
                }
                yield new Filter.In(path, values, r.nextBoolean());
            }
            case 3 -> new Filter.Exists(path, r.nextBoolean());
            case 4 -> new Filter.TypeIs(path, Set.of(Value.Kind.values()[r.nextInt(Value.Kind.values().length)]));
            case 5 -> new Filter.Size(path, r.nextInt(4));
            case 6 -> new Filter.ArrayContains(path, operand);
            case 7 -> new Filter.Prefix(path, rv.string());
            case 8 -> new Filter.Not(filter(r, rv, shared, depth + 1));
            case 9, 10 -> {
                List<Filter> ops = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    ops.add(filter(r, rv, shared, depth + 1));
                }
                yield r.nextBoolean() ? new Filter.And(ops) : new Filter.Or(ops);
            }
            default -> new Filter.ElemMatch(path, filter(r, rv, shared, depth + 1));
        };
    }

    private static List<Value> shared(Random r, RandomValues rv) {
        List<Value> out = new ArrayList<>(List.of(Value.of(1L), Value.of(1.0), Value.of(new java.math.BigDecimal("1.00")),
                Value.of(Double.NaN), Value.of(-0.0), Value.of(0L), Value.of("a"), Value.nullValue()));
        for (int i = 0; i < 6; i++) {
            out.add(rv.value());
        }
        return out;
    }

    @Test
    void notIsTheComplementAndAndOrAgreeWithBooleanLogic() {
        for (int seed = 0; seed < CASES; seed++) {
            Random r = new Random(seed);
            RandomValues rv = new RandomValues(r, 2);
            List<Value> shared = shared(r, rv);
            Value.Obj doc = document(r, rv, shared);
            Filter f = filter(r, rv, shared, 0);
            Filter g = filter(r, rv, shared, 0);
            boolean mf = FilterEvaluator.matches(f, doc);
            boolean mg = FilterEvaluator.matches(g, doc);
            String context = "seed " + seed + ": doc " + doc + ", f " + f + ", g " + g;

            assertThat(FilterEvaluator.matches(new Filter.Not(f), doc)).as(context).isEqualTo(!mf);
            assertThat(FilterEvaluator.matches(new Filter.Not(new Filter.Not(f)), doc)).as(context).isEqualTo(mf);
            assertThat(FilterEvaluator.matches(Filter.and(f, g), doc)).as(context).isEqualTo(mf && mg);
            assertThat(FilterEvaluator.matches(new Filter.Or(List.of(f, g)), doc)).as(context).isEqualTo(mf || mg);
            // De Morgan.
            assertThat(FilterEvaluator.matches(new Filter.Not(Filter.and(f, g)), doc)).as(context)
                    .isEqualTo(FilterEvaluator.matches(new Filter.Or(List.of(new Filter.Not(f), new Filter.Not(g))), doc));
            // Evaluation does not depend on operand order.
            assertThat(FilterEvaluator.matches(Filter.and(g, f), doc)).as(context).isEqualTo(mf && mg);
            assertThat(FilterEvaluator.matches(new Filter.Or(List.of(g, f)), doc)).as(context).isEqualTo(mf || mg);
        }
    }

    @Test
    void neAndNotInAreComplementsOfEqAndInOnPresentFields() {
        for (int seed = 0; seed < CASES; seed++) {
            Random r = new Random(seed);
            RandomValues rv = new RandomValues(r, 2);
            List<Value> shared = shared(r, rv);
            Value.Obj doc = document(r, rv, shared);
            FieldPath path = FieldPath.parse(PATHS.get(r.nextInt(PATHS.size())));
            Value operand = r.nextBoolean() ? shared.get(r.nextInt(shared.size())) : rv.value();
            List<Value> values = List.of(operand, shared.get(r.nextInt(shared.size())));
            boolean present = FilterEvaluator.resolve(doc, path).isPresent();
            boolean eq = FilterEvaluator.matches(new Filter.Compare(path, Op.EQ, operand), doc);
            boolean ne = FilterEvaluator.matches(new Filter.Compare(path, Op.NE, operand), doc);
            boolean in = FilterEvaluator.matches(new Filter.In(path, values, false), doc);
            boolean notIn = FilterEvaluator.matches(new Filter.In(path, values, true), doc);
            String context = "seed " + seed + ": doc " + doc + ", path " + path + ", operand " + operand;
            if (present) {
                assertThat(ne).as(context).isEqualTo(!eq);
                assertThat(notIn).as(context).isEqualTo(!in);
                // In of a list is the Or of equalities.
                boolean anyEq = values.stream().anyMatch(v -> FilterEvaluator.matches(new Filter.Compare(path, Op.EQ, v), doc));
                assertThat(in).as(context).isEqualTo(anyEq);
            } else {
                assertThat(eq || ne || in || notIn).as(context).isFalse();
            }
        }
    }

    private static int withinClass(Value a, Value b) {
        return a.typeClass() == Value.TypeClass.NUMBER ? ValueOrder.compareNumerically(a, b) : ValueOrder.compare(a, b);
    }

    private static Value scalarOfClass(RandomValues rv, Value.TypeClass cls) {
        for (int i = 0; i < 1000; i++) {
            Value v = rv.scalar();
            if (v.typeClass() == cls) {
                return v;
            }
        }
        throw new AssertionError("no scalar of class " + cls);
    }

    @Test
    void rangeComparisonsOfSameClassScalarsAgreeWithValueOrder() {
        int sameClass = 0;
        for (int seed = 0; seed < CASES; seed++) {
            Random r = new Random(seed);
            RandomValues rv = new RandomValues(r);
            Value x = rv.scalar();
            Value y = switch (r.nextInt(4)) {
                case 0 -> x; // equal values
                case 1 -> rv.scalar(); // usually another class
                default -> scalarOfClass(rv, x.typeClass());
            };
            Value.Obj doc = new Value.Obj(Map.of("f", x));
            FieldPath f = FieldPath.of("f");
            Map<Op, Boolean> got = new LinkedHashMap<>();
            for (Op op : Op.values()) {
                got.put(op, FilterEvaluator.matches(new Filter.Compare(f, op, y), doc));
            }
            String context = "seed " + seed + ": " + x + " vs " + y;
            if (x.typeClass() == y.typeClass()) {
                sameClass++;
                int c = withinClass(x, y);
                assertThat(got.get(Op.LT)).as(context).isEqualTo(c < 0);
                assertThat(got.get(Op.LTE)).as(context).isEqualTo(c <= 0);
                assertThat(got.get(Op.GT)).as(context).isEqualTo(c > 0);
                assertThat(got.get(Op.GTE)).as(context).isEqualTo(c >= 0);
                assertThat(got.get(Op.EQ)).as(context).isEqualTo(c == 0);
                assertThat(got.get(Op.NE)).as(context).isEqualTo(c != 0);
                // Antisymmetry: x < y exactly when y > x.
                boolean yGtX = FilterEvaluator.matches(new Filter.Compare(f, Op.GT, x), new Value.Obj(Map.of("f", y)));
                assertThat(yGtX).as(context).isEqualTo(got.get(Op.LT));
                // Within a class, ValueOrder only refines numeric equality by representation.
                if (c != 0) {
                    assertThat(Integer.signum(ValueOrder.compare(x, y))).as(context).isEqualTo(Integer.signum(c));
                }
            } else {
                assertThat(got.get(Op.LT) || got.get(Op.LTE) || got.get(Op.GT) || got.get(Op.GTE) || got.get(Op.EQ))
                        .as(context).isFalse();
                assertThat(got.get(Op.NE)).as(context).isTrue();
            }
        }
        assertThat(sameClass).isGreaterThan(CASES / 2);
    }

    @Test
    void resolveAgreesWithExists() {
        for (int seed = 0; seed < CASES; seed++) {
            Random r = new Random(seed);
            RandomValues rv = new RandomValues(r, 2);
            Value.Obj doc = document(r, rv, shared(r, rv));
            FieldPath path = FieldPath.parse(PATHS.get(r.nextInt(PATHS.size())));
            Optional<Value> v = FilterEvaluator.resolve(doc, path);
            assertThat(FilterEvaluator.matches(new Filter.Exists(path, true), doc)).isEqualTo(v.isPresent());
            assertThat(FilterEvaluator.matches(new Filter.Exists(path, false), doc)).isEqualTo(v.isEmpty());
            if (v.isPresent()) {
                assertThat(FilterEvaluator.matches(new Filter.Compare(path, Op.EQ, v.get()), doc))
                        .as("seed %d: a value equals itself", seed).isTrue();
            }
        }
    }
}
