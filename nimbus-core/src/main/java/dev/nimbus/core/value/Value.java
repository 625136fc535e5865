package dev.nimbus.core.value;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One value of a document, from any surface. The set of kinds is closed: every dialect maps its
 * data onto these so that all surfaces share one engine, one total order ({@link ValueOrder}) and
 * one order-preserving key encoding ({@link dev.nimbus.core.codec.KeyCodec}).
 *
 * <p>Instances are immutable. Equality is exact: {@code Int64(1)}, {@code Float64(1.0)} and
 * {@code Decimal(1.0)} are different values that compare numerically equal-first and are then
 * ordered by representation (see docs/values.md).
 */
public sealed interface Value extends Comparable<Value> {

    /** The fine-grained kind of a value; {@link #typeClass()} groups kinds that share a rank. */
    Kind kind();

    default TypeClass typeClass() {
        return kind().typeClass();
    }

    @Override
    default int compareTo(Value other) {
        return ValueOrder.compare(this, other);
    }

    /** The ordered classes of the total order, lowest first. */
    enum TypeClass {
        NULL, BOOLEAN, NUMBER, TIMESTAMP, STRING, BYTES, OBJECT_ID, REFERENCE, GEO_POINT, SET, ARRAY, OBJECT
    }

    enum Kind {
        NULL(TypeClass.NULL),
        BOOLEAN(TypeClass.BOOLEAN),
        INT64(TypeClass.NUMBER),
        FLOAT64(TypeClass.NUMBER),
        DECIMAL(TypeClass.NUMBER),
        TIMESTAMP(TypeClass.TIMESTAMP),
        STRING(TypeClass.STRING),
        BYTES(TypeClass.BYTES),
        OBJECT_ID(TypeClass.OBJECT_ID),
        REFERENCE(TypeClass.REFERENCE),
        GEO_POINT(TypeClass.GEO_POINT),
        SET(TypeClass.SET),
        ARRAY(TypeClass.ARRAY),
        OBJECT(TypeClass.OBJECT);

        private final TypeClass typeClass;

        Kind(TypeClass typeClass) {
            this.typeClass = typeClass;
        }

        public TypeClass typeClass() {
            return typeClass;
        }
    }

    // ---- factories -------------------------------------------------------------------------

    static Null nullValue() {
        return Null.INSTANCE;
    }

    static Bool of(boolean b) {
        return b ? Bool.TRUE : Bool.FALSE;
    }

    static Int64 of(long v) {
        return new Int64(v);
    }

    static Float64 of(double v) {
        return new Float64(v);
    }

    static Decimal of(BigDecimal v) {
        return new Decimal(v);
    }

    static Str of(String s) {
        return new Str(s);
    }

    static Bytes of(byte[] b) {
        return new Bytes(b);
    }

    static Timestamp of(Instant t) {
        return new Timestamp(t);
    }

    static Array array(Value... elements) {
        return new Array(List.of(elements));
    }

    static Array array(List<? extends Value> elements) {
        return new Array(List.copyOf(elements));
    }

    // ---- the kinds ---------------------------------------------------------------------------

    /** The absent/null value. Lowest in the total order. */
    record Null() implements Value {
        public static final Null INSTANCE = new Null();

        @Override
        public Kind kind() {
            return Kind.NULL;
        }

        @Override
        public String toString() {
            return "null";
        }
    }

    record Bool(boolean value) implements Value {
        public static final Bool TRUE = new Bool(true);
        public static final Bool FALSE = new Bool(false);

        @Override
        public Kind kind() {
            return Kind.BOOLEAN;
        }

        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    /** A signed 64-bit integer. */
    record Int64(long value) implements Value {
        @Override
        public Kind kind() {
            return Kind.INT64;
        }

        @Override
        public String toString() {
            return value + "L";
        }
    }

    /**
     * An IEEE-754 double. NaN is a single value (all NaN payloads are the same value); -0.0 and
     * 0.0 are distinct values that are numerically equal (see {@link ValueOrder}).
     */
    record Float64(double value) implements Value {
        @Override
        public Kind kind() {
            return Kind.FLOAT64;
        }

        @Override
        public String toString() {
            return Double.toString(value);
        }
    }

    /**
     * An arbitrary-precision decimal (DynamoDB numbers, Mongo Decimal128). The scale is part of
     * the value: 1.0 and 1.00 are distinct, numerically equal values.
     */
    record Decimal(BigDecimal value) implements Value {
        /** Most significant digits a decimal may carry. DynamoDB needs 38, Decimal128 34. */
        public static final int PRECISION_MAX = 256;
        /** Largest absolute scale; DynamoDB's exponent range is -130..125, Decimal128's ±6176. */
        public static final int SCALE_ABS_MAX = 10_000;

        public Decimal {
            Objects.requireNonNull(value, "value");
            if (value.precision() > PRECISION_MAX) {
                throw new IllegalArgumentException("decimal has " + value.precision()
                        + " significant digits; at most " + PRECISION_MAX + " are allowed");
            }
            if (Math.abs((long) value.scale()) > SCALE_ABS_MAX) {
                throw new IllegalArgumentException("decimal scale " + value.scale()
                        + " is out of range ±" + SCALE_ABS_MAX);
            }
        }

        @Override
        public Kind kind() {
            return Kind.DECIMAL;
        }

        @Override
        public String toString() {
            return value.toString() + "m";
        }
    }

    /** A Unicode string. Unpaired surrogates are rejected, so every string has a UTF-8 form. */
    record Str(String value) implements Value {
        public Str {
            Objects.requireNonNull(value, "value");
            int bad = Strings.firstUnpairedSurrogate(value);
            if (bad >= 0) {
                throw new IllegalArgumentException("string has an unpaired surrogate at index " + bad);
            }
        }

        @Override
        public Kind kind() {
            return Kind.STRING;
        }

        @Override
        public String toString() {
            return '"' + value + '"';
        }
    }

    /** An immutable byte string. */
    final class Bytes implements Value {
        private final byte[] bytes;

        public Bytes(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        /** A copy of the bytes. */
        public byte[] toByteArray() {
            return bytes.clone();
        }

        public int length() {
            return bytes.length;
        }

        public byte byteAt(int i) {
            return bytes[i];
        }

        @Override
        public Kind kind() {
            return Kind.BYTES;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "b'" + HexFormat.of().formatHex(bytes) + "'";
        }
    }

    /** A point in time with nanosecond precision. */
    record Timestamp(Instant value) implements Value {
        public Timestamp {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public Kind kind() {
            return Kind.TIMESTAMP;
        }
    }

    /** A MongoDB ObjectId: exactly 12 bytes. Rendered elsewhere as 24 lowercase hex digits. */
    final class ObjectId implements Value {
        public static final int LENGTH = 12;
        private final byte[] bytes;

        public ObjectId(byte[] bytes) {
            if (bytes.length != LENGTH) {
                throw new IllegalArgumentException("an ObjectId has 12 bytes, got " + bytes.length);
            }
            this.bytes = bytes.clone();
        }

        public static ObjectId fromHex(String hex) {
            if (hex.length() != 2 * LENGTH) {
                throw new IllegalArgumentException("an ObjectId is 24 hex digits");
            }
            return new ObjectId(HexFormat.of().parseHex(hex));
        }

        public byte[] toByteArray() {
            return bytes.clone();
        }

        public String toHex() {
            return HexFormat.of().formatHex(bytes);
        }

        @Override
        public Kind kind() {
            return Kind.OBJECT_ID;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ObjectId b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "ObjectId(" + toHex() + ")";
        }
    }

    /** A Firestore document reference: a slash-separated path. Rendered elsewhere as the string. */
    record Reference(String path) implements Value {
        public Reference {
            new Str(path); // same well-formedness rule as strings
            if (path.isEmpty()) {
                throw new IllegalArgumentException("a reference path is not empty");
            }
        }

        @Override
        public Kind kind() {
            return Kind.REFERENCE;
        }
    }

    /** A Firestore GeoPoint. Ordered by latitude, then longitude. */
    record GeoPoint(double latitude, double longitude) implements Value {
        public GeoPoint {
            if (!(latitude >= -90 && latitude <= 90)) {
                throw new IllegalArgumentException("latitude must be within [-90, 90]");
            }
            if (!(longitude >= -180 && longitude <= 180)) {
                throw new IllegalArgumentException("longitude must be within [-180, 180]");
            }
        }

        @Override
        public Kind kind() {
            return Kind.GEO_POINT;
        }
    }

    /**
     * A DynamoDB set (SS, NS, BS): non-empty, elements of one class, kept sorted and unique by
     * {@link ValueOrder}. Rendered elsewhere as an array.
     */
    record TypedSet(SetKind setKind, List<Value> elements) implements Value {
        public enum SetKind {
            STRING, NUMBER, BYTES
        }

        public TypedSet {
            Objects.requireNonNull(setKind, "setKind");
            if (elements.isEmpty()) {
                throw new IllegalArgumentException("a set has at least one element");
            }
            for (Value e : elements) {
                TypeClass expected = switch (setKind) {
                    case STRING -> TypeClass.STRING;
                    case NUMBER -> TypeClass.NUMBER;
                    case BYTES -> TypeClass.BYTES;
                };
                if (e.typeClass() != expected) {
                    throw new IllegalArgumentException("a " + setKind + " set cannot hold " + e.kind());
                }
            }
            elements = strictlyAscending(elements) ? List.copyOf(elements)
                    : elements.stream().sorted(ValueOrder::compare).distinct().toList();
        }

        /** Whether {@code elements} are in order without repeats already (as a set read back from storage is). */
        private static boolean strictlyAscending(List<Value> elements) {
            for (int i = 1; i < elements.size(); i++) {
                if (ValueOrder.compare(elements.get(i - 1), elements.get(i)) >= 0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Kind kind() {
            return Kind.SET;
        }
    }

    /** An ordered list of values. */
    record Array(List<Value> elements) implements Value {
        public Array {
            elements = List.copyOf(elements);
        }

        @Override
        public Kind kind() {
            return Kind.ARRAY;
        }

        @Override
        public String toString() {
            return elements.toString();
        }
    }

    /**
     * A map from field name to value. Insertion order is kept (dialects such as MongoDB show it),
     * but equality and the total order ignore it: two objects with the same fields are equal.
     */
    record Obj(Map<String, Value> fields) implements Value {
        // Before EMPTY, which the constructor builds with them.
        private static final String[] EMPTY_KEYS = new String[0];
        private static final Value[] EMPTY_VALUES = new Value[0];
        public static final Obj EMPTY = new Obj(Map.of());

        public Obj {
            if (!(fields instanceof Fields)) { // a Fields is immutable and checked already: shared, not copied
                LinkedHashMap<String, Value> copy = new LinkedHashMap<>(fields.size() * 2);
                for (Map.Entry<String, Value> e : fields.entrySet()) {
                    new Str(e.getKey()); // field names are well-formed strings
                    copy.put(e.getKey(), Objects.requireNonNull(e.getValue(), e.getKey()));
                }
                fields = new Fields(EMPTY_KEYS, EMPTY_VALUES, copy);
            }
        }

        /**
         * An object over {@code owned}, without a copy: the caller built the map, checked its
         * keys as strings and its values as non-null, and hands it over (never touches it again).
         */
        static Obj adopt(LinkedHashMap<String, Value> owned) {
            return new Obj(new Fields(EMPTY_KEYS, EMPTY_VALUES, owned));
        }

        /**
         * This object with {@code keys} (well-formed, none of them a field of this object) and
         * their values in front of its own fields, in that order; shares this object's fields
         * instead of copying them.
         */
        public Obj withLeading(String[] keys, Value[] values) {
            if (keys.length != values.length) {
                throw new IllegalArgumentException("as many values as keys");
            }
            Fields own = (Fields) fields;
            for (int i = 0; i < keys.length; i++) {
                new Str(keys[i]);
                Objects.requireNonNull(values[i], keys[i]);
                if (own.containsKey(keys[i])) {
                    throw new IllegalArgumentException("field " + keys[i] + " is already present");
                }
            }
            if (own.leadingKeys.length > 0) { // leading twice: one plain map (rare)
                LinkedHashMap<String, Value> all = new LinkedHashMap<>((keys.length + own.size()) * 2);
                for (int i = 0; i < keys.length; i++) {
                    all.put(keys[i], values[i]);
                }
                all.putAll(own);
                return new Obj(all);
            }
            return new Obj(new Fields(keys.clone(), values.clone(), own.rest));
        }

        public Value get(String field) {
            return fields.get(field);
        }

        @Override
        public Kind kind() {
            return Kind.OBJECT;
        }

        @Override
        public String toString() {
            return fields.toString();
        }

        /**
         * The fields of an object: immutable, in order. A few leading entries (a document's
         * system fields) may sit in front of a map shared with another object, so that adding
         * them copies nothing; the leading keys never occur in {@code rest}.
         */
        private static final class Fields extends AbstractMap<String, Value> {
            private final String[] leadingKeys;
            private final Value[] leadingValues;
            private final Map<String, Value> rest; // never handed out, never changed

            Fields(String[] leadingKeys, Value[] leadingValues, Map<String, Value> rest) {
                this.leadingKeys = leadingKeys;
                this.leadingValues = leadingValues;
                this.rest = rest;
            }

            @Override
            public Value get(Object key) {
                for (int i = 0; i < leadingKeys.length; i++) {
                    if (leadingKeys[i].equals(key)) {
                        return leadingValues[i];
                    }
                }
                return rest.get(key);
            }

            @Override
            public boolean containsKey(Object key) {
                return get(key) != null; // values are never null
            }

            @Override
            public int size() {
                return leadingKeys.length + rest.size();
            }

            @Override
            public boolean isEmpty() {
                return size() == 0;
            }

            @Override
            public void forEach(java.util.function.BiConsumer<? super String, ? super Value> action) {
                for (int i = 0; i < leadingKeys.length; i++) {
                    action.accept(leadingKeys[i], leadingValues[i]);
                }
                rest.forEach(action);
            }

            @Override
            public Set<Map.Entry<String, Value>> entrySet() {
                return new AbstractSet<>() {
                    @Override
                    public Iterator<Map.Entry<String, Value>> iterator() {
                        Iterator<Map.Entry<String, Value>> tail = Collections.unmodifiableMap(rest).entrySet().iterator();
                        return new Iterator<>() {
                            private int next;

                            @Override
                            public boolean hasNext() {
                                return next < leadingKeys.length || tail.hasNext();
                            }

                            @Override
                            public Map.Entry<String, Value> next() {
                                if (next < leadingKeys.length) {
                                    int i = next++;
                                    return Map.entry(leadingKeys[i], leadingValues[i]);
                                }
                                return tail.next();
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return Fields.this.size();
                    }
                };
            }
        }
    }
}
