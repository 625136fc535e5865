package dev.nimbus.core.query;

import dev.nimbus.core.value.Value;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The filter language of the query IR. It is rich enough for every dialect (MongoDB query
 * operators, DynamoDB condition functions, Firestore filters, Convex's query builder) and is
 * evaluated in one place, the engine, so subscriptions can test a changed document against it.
 *
 * <p>Comparison semantics: {@link Compare} compares with {@link dev.nimbus.core.value.ValueOrder}
 * restricted to the same type class (numbers compare numerically across int64/float64/decimal);
 * a value of another type class never matches a range operator. Array-traversing semantics
 * (MongoDB's "a field equal to 1 matches [1, 2]") are expressed explicitly with
 * {@link ArrayContains} / {@link ElemMatch}, not implied.
 */
public sealed interface Filter {

    /** Matches every document. */
    record All() implements Filter {
    }

    record And(List<Filter> operands) implements Filter {
        public And {
            operands = List.copyOf(operands);
        }
    }

    record Or(List<Filter> operands) implements Filter {
        public Or {
            operands = List.copyOf(operands);
        }
    }

    record Not(Filter operand) implements Filter {
        public Not {
            Objects.requireNonNull(operand, "operand");
        }
    }

    enum Op {
        EQ, NE, LT, LTE, GT, GTE
    }

    record Compare(FieldPath path, Op op, Value value) implements Filter {
        public Compare {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(op, "op");
            Objects.requireNonNull(value, "value");
        }
    }

    /** The field's value equals one of {@code values} ({@code negated}: equals none of them). */
    record In(FieldPath path, List<Value> values, boolean negated) implements Filter {
        public In {
            Objects.requireNonNull(path, "path");
            values = List.copyOf(values);
        }
    }

    /** The field is present ({@code exists}) or absent. */
    record Exists(FieldPath path, boolean exists) implements Filter {
        public Exists {
            Objects.requireNonNull(path, "path");
        }
    }

    /** The field is present and its value is of one of the kinds. */
    record TypeIs(FieldPath path, Set<Value.Kind> kinds) implements Filter {
        public TypeIs {
            Objects.requireNonNull(path, "path");
            kinds = Set.copyOf(kinds);
        }
    }

    /** The field is a string starting with {@code prefix}. */
    record Prefix(FieldPath path, String prefix) implements Filter {
        public Prefix {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(prefix, "prefix");
        }
    }

    /** The field is a string matching {@code pattern}; flags as in MongoDB ({@code imsx}). */
    record Regex(FieldPath path, String pattern, String flags) implements Filter {
        public Regex {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(flags, "flags");
        }
    }

    /**
     * The field is an array (or set) holding an element equal to {@code value}; for a string
     * field and a string value, DynamoDB's {@code contains} substring test is {@link #substring}.
     */
    record ArrayContains(FieldPath path, Value value) implements Filter {
        public ArrayContains {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(value, "value");
        }
    }

    /** The field is an array holding at least one of {@code values} ({@code all}: every one). */
    record ArrayContainsAny(FieldPath path, List<Value> values, boolean all) implements Filter {
        public ArrayContainsAny {
            Objects.requireNonNull(path, "path");
            values = List.copyOf(values);
        }
    }

    /** The field is a string containing {@code substring}. */
    record Substring(FieldPath path, String substring) implements Filter {
        public Substring {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(substring, "substring");
        }
    }

    /** The field is an array with an element that matches {@code element} (paths relative to it). */
    record ElemMatch(FieldPath path, Filter element) implements Filter {
        public ElemMatch {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(element, "element");
        }
    }

    /** The field is an array, set, string or bytes of exactly {@code size} elements/units. */
    record Size(FieldPath path, long size) implements Filter {
        public Size {
            Objects.requireNonNull(path, "path");
        }
    }

    static Filter all() {
        return new All();
    }

    static Filter and(Filter... operands) {
        return new And(List.of(operands));
    }

    static Filter eq(String path, Value value) {
        return new Compare(FieldPath.parse(path), Op.EQ, value);
    }
}
