package dev.nimbus.core.value;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The one total order over all values, shared by every surface, index and the key codec.
 *
 * <ol>
 *   <li>By {@link Value.TypeClass}: null &lt; boolean &lt; number &lt; timestamp &lt; string &lt; bytes
 *       &lt; ObjectId &lt; reference &lt; GeoPoint &lt; set &lt; array &lt; object.</li>
 *   <li>Numbers by numeric value across int64, float64 and decimal, exactly (no rounding through
 *       double): NaN &lt; -Infinity &lt; finite numbers &lt; +Infinity. -0.0 is numerically zero.</li>
 *   <li>Numerically equal numbers of different representation are ordered by representation so
 *       that the order is total and agrees with {@code equals}: int64 &lt; float64 -0.0 &lt; float64
 *       &lt; decimal, decimals by ascending scale (1.0 &lt; 1.00).</li>
 *   <li>Strings, references and object keys by Unicode code point; bytes and ObjectIds unsigned
 *       lexicographically; arrays and sets element by element, a prefix first; objects field by
 *       field in code-point order of their keys (key, then value), a prefix first.</li>
 * </ol>
 * Queries that want "1 == 1.0" use {@link #compareNumerically}.
 */
public final class ValueOrder {
    private ValueOrder() {
    }

    public static int compare(Value a, Value b) {
        int byClass = Integer.compare(a.typeClass().ordinal(), b.typeClass().ordinal());
        if (byClass != 0) {
            return byClass;
        }
        return switch (a) {
            case Value.Null n -> 0;
            case Value.Bool x -> Boolean.compare(x.value(), ((Value.Bool) b).value());
            case Value.Int64 x -> compareNumbers(a, b);
            case Value.Float64 x -> compareNumbers(a, b);
            case Value.Decimal x -> compareNumbers(a, b);
            case Value.Timestamp x -> x.value().compareTo(((Value.Timestamp) b).value());
            case Value.Str x -> Strings.compareCodePoints(x.value(), ((Value.Str) b).value());
            case Value.Bytes x -> compareBytes(x.toByteArray(), ((Value.Bytes) b).toByteArray());
            case Value.ObjectId x -> compareBytes(x.toByteArray(), ((Value.ObjectId) b).toByteArray());
            case Value.Reference x -> Strings.compareCodePoints(x.path(), ((Value.Reference) b).path());
            case Value.GeoPoint x -> {
                Value.GeoPoint y = (Value.GeoPoint) b;
                int c = Double.compare(x.latitude(), y.latitude());
                yield c != 0 ? c : Double.compare(x.longitude(), y.longitude());
            }
            case Value.TypedSet x -> {
                Value.TypedSet y = (Value.TypedSet) b;
                int c = Integer.compare(x.setKind().ordinal(), y.setKind().ordinal());
                yield c != 0 ? c : compareLists(x.elements(), y.elements());
            }
            case Value.Array x -> compareLists(x.elements(), ((Value.Array) b).elements());
            case Value.Obj x -> compareObjects(x, (Value.Obj) b);
        };
    }

    /**
     * Numeric comparison only: 0 when both are numbers of equal value whatever their
     * representation. Both arguments must be numbers.
     */
    public static int compareNumerically(Value a, Value b) {
        int ca = numericCategory(a);
        int cb = numericCategory(b);
        if (ca != cb || ca != FINITE) {
            return Integer.compare(ca, cb);
        }
        if (a instanceof Value.Int64 x && b instanceof Value.Int64 y) {
            return Long.compare(x.value(), y.value());
        }
        if (a instanceof Value.Float64 x && b instanceof Value.Float64 y) {
            return x.value() == y.value() ? 0 : Double.compare(x.value(), y.value());
        }
        return exact(a).compareTo(exact(b));
    }

    static final int NAN = 0;
    static final int NEGATIVE_INFINITY = 1;
    static final int FINITE = 2;
    static final int POSITIVE_INFINITY = 3;

    static int numericCategory(Value v) {
        if (v instanceof Value.Float64 f) {
            double d = f.value();
            if (Double.isNaN(d)) {
                return NAN;
            }
            if (Double.isInfinite(d)) {
                return d < 0 ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
            }
        } else if (!(v instanceof Value.Int64) && !(v instanceof Value.Decimal)) {
            throw new IllegalArgumentException("not a number: " + v.kind());
        }
        return FINITE;
    }

    /** The exact value of a finite number. */
    static BigDecimal exact(Value v) {
        return switch (v) {
            case Value.Int64 x -> BigDecimal.valueOf(x.value());
            case Value.Float64 x -> new BigDecimal(x.value());
            case Value.Decimal x -> x.value();
            default -> throw new IllegalArgumentException("not a number: " + v.kind());
        };
    }

    /** Rank of a number's representation, the tie-break between numerically equal numbers. */
    static int representationRank(Value v) {
        return switch (v) {
            case Value.Int64 x -> 0;
            case Value.Float64 x -> isNegativeZero(x.value()) ? 1 : 2;
            case Value.Decimal x -> 3;
            default -> throw new IllegalArgumentException("not a number: " + v.kind());
        };
    }

    static boolean isNegativeZero(double d) {
        return d == 0.0 && Double.doubleToRawLongBits(d) != 0L;
    }

    private static int compareNumbers(Value a, Value b) {
        int c = compareNumerically(a, b);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(representationRank(a), representationRank(b));
        if (c != 0) {
            return c;
        }
        if (a instanceof Value.Decimal x && b instanceof Value.Decimal y) {
            return Integer.compare(x.value().scale(), y.value().scale());
        }
        return 0;
    }

    public static int compareBytes(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(a, b);
    }

    private static int compareLists(List<Value> a, List<Value> b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            int c = compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private static int compareObjects(Value.Obj a, Value.Obj b) {
        Iterator<Map.Entry<String, Value>> x = sortedFields(a).iterator();
        Iterator<Map.Entry<String, Value>> y = sortedFields(b).iterator();
        while (x.hasNext() && y.hasNext()) {
            Map.Entry<String, Value> ex = x.next();
            Map.Entry<String, Value> ey = y.next();
            int c = Strings.compareCodePoints(ex.getKey(), ey.getKey());
            if (c != 0) {
                return c;
            }
            c = compare(ex.getValue(), ey.getValue());
            if (c != 0) {
                return c;
            }
        }
        return Boolean.compare(x.hasNext(), y.hasNext());
    }

    /** The fields of an object in code-point order of their names. */
    public static List<Map.Entry<String, Value>> sortedFields(Value.Obj o) {
        List<Map.Entry<String, Value>> entries = new ArrayList<>(o.fields().entrySet());
        entries.sort((p, q) -> Strings.compareCodePoints(p.getKey(), q.getKey()));
        return entries;
    }
}
