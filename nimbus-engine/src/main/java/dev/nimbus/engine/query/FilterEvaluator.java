package dev.nimbus.engine.query;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueOrder;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The one evaluator of the query IR's filters, used by queries, subscriptions (to test a
 * changed document) and every dialect. Semantics, pinned by FilterEvaluatorTest:
 *
 * <ul>
 *   <li>Paths walk objects by field name and arrays by decimal index; there is no implicit
 *       traversal of arrays. A path starting with {@code $} denotes the root itself (inside
 *       {@link Filter.ElemMatch}, the element).</li>
 *   <li>A missing field matches nothing but {@code Exists(false)} and {@code Not(...)}.</li>
 *   <li>Equality is value equality where numbers compare numerically at any depth
 *       ({@code 1 == 1.0}, {@code [1] == [1.0]}); NaN equals NaN.</li>
 *   <li>Range comparisons match only values of the same type class as the operand (numbers
 *       numerically across int64/float64/decimal), ordered by {@link ValueOrder}.</li>
 * </ul>
 */
public final class FilterEvaluator {
    /** Longest regex pattern accepted; bounds compile cost. */
    public static final int REGEX_LENGTH_MAX = 1024;
    private static final int REGEX_CACHE_MAX = 256;

    private static final Map<String, Pattern> REGEX_CACHE = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pattern> eldest) {
            return size() > REGEX_CACHE_MAX;
        }
    };

    private FilterEvaluator() {
    }

    /** Whether {@code root} (a document's {@code toObject()}, or any value) matches. */
    public static boolean matches(Filter filter, Value root) {
        return switch (filter) {
            case Filter.All a -> true;
            case Filter.And and -> {
                for (Filter f : and.operands()) {
                    if (!matches(f, root)) {
                        yield false;
                    }
                }
                yield true;
            }
            case Filter.Or or -> {
                for (Filter f : or.operands()) {
                    if (matches(f, root)) {
                        yield true;
                    }
                }
                yield false;
            }
            case Filter.Not not -> !matches(not.operand(), root);
            case Filter.Compare c -> resolve(root, c.path()).map(x -> compare(x, c.op(), c.value())).orElse(false);
            case Filter.In in -> resolve(root, in.path()).map(x -> {
                boolean any = in.values().stream().anyMatch(v -> sameValue(x, v));
                return in.negated() != any;
            }).orElse(false);
            case Filter.Exists e -> resolve(root, e.path()).isPresent() == e.exists();
            case Filter.TypeIs t -> resolve(root, t.path()).map(x -> t.kinds().contains(x.kind())).orElse(false);
            case Filter.Prefix p -> resolve(root, p.path())
                    .map(x -> x instanceof Value.Str s && s.value().startsWith(p.prefix())).orElse(false);
            case Filter.Regex r -> resolve(root, r.path())
                    .map(x -> x instanceof Value.Str s && pattern(r.pattern(), r.flags()).matcher(s.value()).find())
                    .orElse(false);
            case Filter.Substring s -> resolve(root, s.path())
                    .map(x -> x instanceof Value.Str str && str.value().contains(s.substring())).orElse(false);
            case Filter.ArrayContains ac -> elements(resolve(root, ac.path()))
                    .map(es -> es.stream().anyMatch(e -> sameValue(e, ac.value()))).orElse(false);
            case Filter.ArrayContainsAny any -> elements(resolve(root, any.path())).map(es -> {
                if (any.all()) {
                    return !any.values().isEmpty()
                            && any.values().stream().allMatch(v -> es.stream().anyMatch(e -> sameValue(e, v)));
                }
                return es.stream().anyMatch(e -> any.values().stream().anyMatch(v -> sameValue(e, v)));
            }).orElse(false);
            case Filter.ElemMatch em -> resolve(root, em.path())
                    .map(x -> x instanceof Value.Array a
                            && a.elements().stream().anyMatch(e -> matches(em.element(), e)))
                    .orElse(false);
            case Filter.Size sz -> resolve(root, sz.path()).map(x -> switch (x) {
                case Value.Array a -> a.elements().size() == sz.size();
                case Value.TypedSet s -> s.elements().size() == sz.size();
                case Value.Str s -> s.value().codePointCount(0, s.value().length()) == sz.size();
                case Value.Bytes b -> b.length() == sz.size();
                default -> false;
            }).orElse(false);
        };
    }

    /**
     * Checks what can be checked before evaluation (regexes compile, flags are known), so bad
     * input is {@code op.invalid_input} up front and not a surprise in a subscription.
     */
    public static void validate(Filter filter) {
        switch (filter) {
            case Filter.And and -> and.operands().forEach(FilterEvaluator::validate);
            case Filter.Or or -> or.operands().forEach(FilterEvaluator::validate);
            case Filter.Not not -> validate(not.operand());
            case Filter.ElemMatch em -> validate(em.element());
            case Filter.Regex r -> pattern(r.pattern(), r.flags());
            default -> { }
        }
    }

    /** The value at {@code path} under {@code root}, if there is one. */
    public static Optional<Value> resolve(Value root, FieldPath path) {
        Value current = root;
        Iterator<String> segments = path.segments().iterator();
        if (path.first().equals("$")) {
            segments.next();
        }
        while (segments.hasNext()) {
            String segment = segments.next();
            switch (current) {
                case Value.Obj o -> {
                    current = o.get(segment);
                    if (current == null) {
                        return Optional.empty();
                    }
                }
                case Value.Array a -> {
                    int i = arrayIndex(segment);
                    if (i < 0 || i >= a.elements().size()) {
                        return Optional.empty();
                    }
                    current = a.elements().get(i);
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(current);
    }

    private static int arrayIndex(String segment) {
        if (segment.isEmpty() || segment.length() > 9) {
            return -1;
        }
        for (int i = 0; i < segment.length(); i++) {
            if (segment.charAt(i) < '0' || segment.charAt(i) > '9') {
                return -1;
            }
        }
        if (segment.length() > 1 && segment.charAt(0) == '0') {
            return -1;
        }
        return Integer.parseInt(segment);
    }

    /** Value equality with numbers compared numerically at any depth. */
    public static boolean sameValue(Value a, Value b) {
        if (a.typeClass() != b.typeClass()) {
            return false;
        }
        return switch (a) {
            case Value.Int64 x -> ValueOrder.compareNumerically(a, b) == 0;
            case Value.Float64 x -> ValueOrder.compareNumerically(a, b) == 0;
            case Value.Decimal x -> ValueOrder.compareNumerically(a, b) == 0;
            case Value.Array x -> sameElements(x.elements(), ((Value.Array) b).elements());
            case Value.TypedSet x -> x.setKind() == ((Value.TypedSet) b).setKind()
                    && sameElements(x.elements(), ((Value.TypedSet) b).elements());
            case Value.Obj x -> {
                Value.Obj y = (Value.Obj) b;
                if (x.fields().size() != y.fields().size()) {
                    yield false;
                }
                for (Map.Entry<String, Value> e : x.fields().entrySet()) {
                    Value other = y.get(e.getKey());
                    if (other == null || !sameValue(e.getValue(), other)) {
                        yield false;
                    }
                }
                yield true;
            }
            default -> a.equals(b);
        };
    }

    private static boolean sameElements(List<Value> a, List<Value> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!sameValue(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Orders values of one type class; numbers numerically. */
    private static int compareWithinClass(Value a, Value b) {
        if (a.typeClass() == Value.TypeClass.NUMBER) {
            return ValueOrder.compareNumerically(a, b);
        }
        return ValueOrder.compare(a, b);
    }

    private static boolean compare(Value x, Filter.Op op, Value operand) {
        return switch (op) {
            case EQ -> sameValue(x, operand);
            case NE -> !sameValue(x, operand);
            case LT, LTE, GT, GTE -> {
                if (x.typeClass() != operand.typeClass()) {
                    yield false;
                }
                int c = compareWithinClass(x, operand);
                yield switch (op) {
                    case LT -> c < 0;
                    case LTE -> c <= 0;
                    case GT -> c > 0;
                    default -> c >= 0;
                };
            }
        };
    }

    private static Optional<List<Value>> elements(Optional<Value> v) {
        return v.flatMap(x -> switch (x) {
            case Value.Array a -> Optional.of(a.elements());
            case Value.TypedSet s -> Optional.of(s.elements());
            default -> Optional.empty();
        });
    }

    static Pattern pattern(String pattern, String flags) {
        if (pattern.length() > REGEX_LENGTH_MAX) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "regex is longer than " + REGEX_LENGTH_MAX + " characters");
        }
        int bits = 0;
        for (char f : flags.toCharArray()) {
            bits |= switch (f) {
                case 'i' -> Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
                case 'm' -> Pattern.MULTILINE;
                case 's' -> Pattern.DOTALL;
                case 'x' -> Pattern.COMMENTS;
                default -> throw new NimbusException(ErrorCode.INVALID_INPUT,
                        "unknown regex flag '" + f + "'; supported flags are i, m, s and x");
            };
        }
        String key = bits + "/" + pattern;
        synchronized (REGEX_CACHE) {
            Pattern cached = REGEX_CACHE.get(key);
            if (cached != null) {
                return cached;
            }
        }
        Pattern compiled;
        try {
            compiled = Pattern.compile(pattern, bits);
        } catch (PatternSyntaxException e) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "invalid regex: " + e.getDescription());
        }
        synchronized (REGEX_CACHE) {
            REGEX_CACHE.put(key, compiled);
        }
        return compiled;
    }

    /** Sort order of possibly-missing values: missing first, then {@link ValueOrder}. */
    public static int compareForSort(Optional<Value> a, Optional<Value> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return Boolean.compare(a.isPresent(), b.isPresent());
        }
        return ValueOrder.compare(a.get(), b.get());
    }
}
