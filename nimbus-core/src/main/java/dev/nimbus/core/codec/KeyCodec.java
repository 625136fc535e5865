package dev.nimbus.core.codec;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueOrder;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Order-preserving byte encoding of values and tuples of values: for all values a and b,
 * {@code sign(ValueOrder.compare(a, b)) == sign(Arrays.compareUnsigned(encode(a), encode(b)))}
 * and {@code decode(encode(v)).equals(v)}. Every encoding is self-delimiting, so a tuple is the
 * concatenation of its elements and a tuple's encoding is a byte prefix of any longer tuple that
 * starts with it: an index range scan is a byte-range scan on every storage provider.
 *
 * <p>The byte layout is specified in docs/storage-format.md ("Key encoding"); it is part of the
 * on-disk format, so any change is a format version change.
 */
public final class KeyCodec {
    private KeyCodec() {
    }

    // Type tags, in the order of Value.TypeClass. 0x00 is reserved as the terminator of arrays,
    // sets and objects, so every tag is above it.
    static final int TAG_NULL = 0x10;
    static final int TAG_FALSE = 0x20;
    static final int TAG_TRUE = 0x21;
    static final int TAG_NAN = 0x30;
    static final int TAG_NEGATIVE_INFINITY = 0x31;
    static final int TAG_NEGATIVE = 0x32;
    static final int TAG_ZERO = 0x33;
    static final int TAG_POSITIVE = 0x34;
    static final int TAG_POSITIVE_INFINITY = 0x35;
    static final int TAG_TIMESTAMP = 0x40;
    static final int TAG_STRING = 0x50;
    static final int TAG_BYTES = 0x60;
    static final int TAG_OBJECT_ID = 0x70;
    static final int TAG_REFERENCE = 0x78;
    static final int TAG_GEO_POINT = 0x80;
    static final int TAG_SET = 0x88;
    static final int TAG_ARRAY = 0x90;
    static final int TAG_OBJECT = 0xA0;

    /**
     * Marks a missing field inside an index key tuple. It is not a value (decode rejects it)
     * and sorts below every value, so documents lacking an indexed field come first in an index
     * and are never inside a range built from values.
     */
    static final int TAG_ABSENT = 0x08;

    static final int END = 0x00;
    static final int OBJECT_FIELD = 0x01;

    // Representation suffix of a number (the tie-break of numerically equal numbers).
    static final int REPR_INT64 = 0x01;
    static final int REPR_FLOAT64_NEGATIVE_ZERO = 0x02;
    static final int REPR_FLOAT64 = 0x03;
    static final int REPR_DECIMAL = 0x04;

    /** Deepest nesting of arrays/objects/sets the codec accepts; bounds recursion. */
    public static final int DEPTH_MAX = 64;

    public static byte[] encode(Value value) {
        ByteSink sink = new ByteSink(32);
        write(sink, value, 0);
        return sink.toByteArray();
    }

    public static byte[] encodeTuple(List<? extends Value> values) {
        ByteSink sink = new ByteSink(32 * Math.max(1, values.size()));
        for (Value v : values) {
            write(sink, v, 0);
        }
        return sink.toByteArray();
    }

    /** Appends the absent-field marker (see {@link #TAG_ABSENT}). */
    public static void writeAbsent(ByteSink sink) {
        sink.put(TAG_ABSENT);
    }

    /** The first byte string of a type class: every value of the class sorts at or after it. */
    public static byte[] typeClassStart(Value.TypeClass c) {
        return new byte[] {(byte) firstTag(c)};
    }

    /** The byte string just above every value of a type class (an exclusive upper bound). */
    public static byte[] typeClassEnd(Value.TypeClass c) {
        return new byte[] {(byte) (lastTag(c) + 1)};
    }

    private static int firstTag(Value.TypeClass c) {
        return switch (c) {
            case NULL -> TAG_NULL;
            case BOOLEAN -> TAG_FALSE;
            case NUMBER -> TAG_NAN;
            case TIMESTAMP -> TAG_TIMESTAMP;
            case STRING -> TAG_STRING;
            case BYTES -> TAG_BYTES;
            case OBJECT_ID -> TAG_OBJECT_ID;
            case REFERENCE -> TAG_REFERENCE;
            case GEO_POINT -> TAG_GEO_POINT;
            case SET -> TAG_SET;
            case ARRAY -> TAG_ARRAY;
            case OBJECT -> TAG_OBJECT;
        };
    }

    private static int lastTag(Value.TypeClass c) {
        return switch (c) {
            case BOOLEAN -> TAG_TRUE;
            case NUMBER -> TAG_POSITIVE_INFINITY;
            default -> firstTag(c);
        };
    }

    /** Appends the numeric part of a number's encoding alone (see {@link #numericEqualityRange}). */
    public static void writeNumericPrefix(ByteSink sink, Value number) {
        writeNumberWithoutRepresentation(sink, number);
    }

    /** Appends the encoding of {@code value} to {@code sink}. */
    public static void write(ByteSink sink, Value value) {
        write(sink, value, 0);
    }

    public static Value decode(byte[] bytes) {
        Reader r = new Reader(bytes);
        Value v = r.value(0);
        if (r.pos != bytes.length) {
            throw new IllegalArgumentException("trailing bytes after key value at offset " + r.pos);
        }
        return v;
    }

    public static List<Value> decodeTuple(byte[] bytes) {
        Reader r = new Reader(bytes);
        List<Value> out = new ArrayList<>();
        while (r.pos < bytes.length) {
            out.add(r.value(0));
        }
        return out;
    }

    /**
     * The smallest byte string greater than every string that starts with {@code prefix}, or
     * null when there is none (the prefix is all 0xFF). Used as the exclusive upper bound of a
     * prefix scan.
     */
    public static byte[] prefixSuccessor(byte[] prefix) {
        int i = prefix.length - 1;
        while (i >= 0 && prefix[i] == (byte) 0xFF) {
            i--;
        }
        if (i < 0) {
            return null;
        }
        byte[] out = Arrays.copyOf(prefix, i + 1);
        out[i]++;
        return out;
    }

    /**
     * The byte range [lower, upperExclusive) holding every number numerically equal to
     * {@code number}, whatever its representation (int64 1, float64 1.0, decimal 1.00 ...).
     */
    public static byte[][] numericEqualityRange(Value number) {
        ByteSink sink = new ByteSink(16);
        writeNumberWithoutRepresentation(sink, number);
        byte[] lower = sink.toByteArray();
        return new byte[][] {lower, prefixSuccessor(lower)};
    }

    // ---- encoding ----------------------------------------------------------------------------

    private static void write(ByteSink out, Value value, int depth) {
        if (depth > DEPTH_MAX) {
            throw new IllegalArgumentException("value nests deeper than " + DEPTH_MAX + " levels");
        }
        switch (value) {
            case Value.Null n -> out.put(TAG_NULL);
            case Value.Bool b -> out.put(b.value() ? TAG_TRUE : TAG_FALSE);
            case Value.Int64 x -> writeNumber(out, value);
            case Value.Float64 x -> writeNumber(out, value);
            case Value.Decimal x -> writeNumber(out, value);
            case Value.Timestamp t -> {
                out.put(TAG_TIMESTAMP);
                out.putLong(t.value().getEpochSecond() ^ Long.MIN_VALUE);
                out.putInt(t.value().getNano());
            }
            case Value.Str s -> {
                out.put(TAG_STRING);
                writeEscaped(out, s.value().getBytes(StandardCharsets.UTF_8));
            }
            case Value.Bytes b -> {
                out.put(TAG_BYTES);
                writeEscaped(out, b.toByteArray());
            }
            case Value.ObjectId o -> {
                out.put(TAG_OBJECT_ID);
                out.put(o.toByteArray());
            }
            case Value.Reference r -> {
                out.put(TAG_REFERENCE);
                writeEscaped(out, r.path().getBytes(StandardCharsets.UTF_8));
            }
            case Value.GeoPoint g -> {
                out.put(TAG_GEO_POINT);
                out.putLong(sortableDouble(g.latitude()));
                out.putLong(sortableDouble(g.longitude()));
            }
            case Value.TypedSet s -> {
                out.put(TAG_SET);
                out.put(s.setKind().ordinal() + 1);
                for (Value e : s.elements()) {
                    write(out, e, depth + 1);
                }
                out.put(END);
            }
            case Value.Array a -> {
                out.put(TAG_ARRAY);
                for (Value e : a.elements()) {
                    write(out, e, depth + 1);
                }
                out.put(END);
            }
            case Value.Obj o -> {
                out.put(TAG_OBJECT);
                for (Map.Entry<String, Value> e : ValueOrder.sortedFields(o)) {
                    out.put(OBJECT_FIELD);
                    writeEscaped(out, e.getKey().getBytes(StandardCharsets.UTF_8));
                    write(out, e.getValue(), depth + 1);
                }
                out.put(END);
            }
        }
    }

    /** 0x00 inside the payload becomes 0x00 0xFF; the payload ends with 0x00 0x01. */
    private static void writeEscaped(ByteSink out, byte[] bytes) {
        for (byte b : bytes) {
            out.put(b);
            if (b == 0) {
                out.put(0xFF);
            }
        }
        out.put(0x00);
        out.put(0x01);
    }

    private static void writeNumber(ByteSink out, Value number) {
        writeNumberWithoutRepresentation(out, number);
        switch (number) {
            case Value.Int64 x -> out.put(REPR_INT64);
            case Value.Float64 x -> out.put(
                    isNegativeZero(x.value()) ? REPR_FLOAT64_NEGATIVE_ZERO : REPR_FLOAT64);
            case Value.Decimal x -> {
                out.put(REPR_DECIMAL);
                out.putInt(x.value().scale() ^ Integer.MIN_VALUE);
            }
            default -> throw new IllegalArgumentException("not a number");
        }
    }

    private static boolean isNegativeZero(double d) {
        return d == 0.0 && Double.doubleToRawLongBits(d) != 0L;
    }

    /**
     * The numeric value alone: a category tag, and for non-zero finite numbers the decimal
     * exponent and digits of the magnitude 0.d1d2... x 10^E (bytes complemented if negative).
     */
    private static void writeNumberWithoutRepresentation(ByteSink out, Value number) {
        if (number instanceof Value.Float64 f) {
            double d = f.value();
            if (Double.isNaN(d)) {
                out.put(TAG_NAN);
                return;
            }
            if (Double.isInfinite(d)) {
                out.put(d < 0 ? TAG_NEGATIVE_INFINITY : TAG_POSITIVE_INFINITY);
                return;
            }
        }
        BigDecimal exact = switch (number) {
            case Value.Int64 x -> BigDecimal.valueOf(x.value());
            case Value.Float64 x -> new BigDecimal(x.value());
            case Value.Decimal x -> x.value();
            default -> throw new IllegalArgumentException("not a number: " + number.kind());
        };
        int sign = exact.signum();
        if (sign == 0) {
            out.put(TAG_ZERO);
            return;
        }
        BigDecimal magnitude = exact.abs().stripTrailingZeros();
        String digits = magnitude.unscaledValue().toString();
        long exponent = (long) digits.length() - magnitude.scale();
        int start = out.size();
        out.put(sign < 0 ? TAG_NEGATIVE : TAG_POSITIVE);
        int bodyStart = out.size();
        out.putInt((int) exponent ^ Integer.MIN_VALUE);
        for (int i = 0; i < digits.length(); i += 2) {
            int hi = digits.charAt(i) - '0';
            int lo = i + 1 < digits.length() ? digits.charAt(i + 1) - '0' : 0;
            out.put(hi * 10 + lo + 1); // 1..100, so the terminator 0x00 sorts below any pair
        }
        out.put(END);
        if (sign < 0) {
            out.complement(bodyStart, out.size());
        }
        assert out.size() > start;
    }

    static long sortableDouble(double d) {
        long bits = Double.doubleToLongBits(d);
        return bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
    }

    static double unsortableDouble(long sortable) {
        long bits = sortable < 0 ? sortable ^ Long.MIN_VALUE : ~sortable;
        return Double.longBitsToDouble(bits);
    }

    // ---- decoding ----------------------------------------------------------------------------

    private static final class Reader {
        final byte[] buf;
        int pos;

        Reader(byte[] buf) {
            this.buf = buf;
        }

        int next() {
            if (pos >= buf.length) {
                throw new IllegalArgumentException("key value is truncated");
            }
            return buf[pos++] & 0xFF;
        }

        int peek() {
            if (pos >= buf.length) {
                throw new IllegalArgumentException("key value is truncated");
            }
            return buf[pos] & 0xFF;
        }

        long readLong() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | next();
            }
            return v;
        }

        int readInt() {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                v = (v << 8) | next();
            }
            return v;
        }

        byte[] readEscaped() {
            ByteSink out = new ByteSink(16);
            while (true) {
                int b = next();
                if (b != 0) {
                    out.put(b);
                    continue;
                }
                int marker = next();
                if (marker == 0xFF) {
                    out.put(0);
                } else if (marker == 0x01) {
                    return out.toByteArray();
                } else {
                    throw new IllegalArgumentException("bad escape in key string at offset " + pos);
                }
            }
        }

        String readString() {
            byte[] utf8 = readEscaped();
            var decoder = StandardCharsets.UTF_8.newDecoder();
            try {
                return decoder.decode(java.nio.ByteBuffer.wrap(utf8)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new IllegalArgumentException("key string is not UTF-8");
            }
        }

        Value value(int depth) {
            if (depth > DEPTH_MAX) {
                throw new IllegalArgumentException("key value nests deeper than " + DEPTH_MAX);
            }
            int tag = next();
            switch (tag) {
                case TAG_NULL:
                    return Value.nullValue();
                case TAG_FALSE:
                    return Value.of(false);
                case TAG_TRUE:
                    return Value.of(true);
                case TAG_NAN:
                case TAG_NEGATIVE_INFINITY:
                case TAG_NEGATIVE:
                case TAG_ZERO:
                case TAG_POSITIVE:
                case TAG_POSITIVE_INFINITY:
                    return number(tag);
                case TAG_TIMESTAMP: {
                    long seconds = readLong() ^ Long.MIN_VALUE;
                    int nanos = readInt();
                    if (nanos < 0 || nanos > 999_999_999) {
                        throw new IllegalArgumentException("bad timestamp nanos");
                    }
                    return Value.of(Instant.ofEpochSecond(seconds, nanos));
                }
                case TAG_STRING:
                    return Value.of(readString());
                case TAG_BYTES:
                    return Value.of(readEscaped());
                case TAG_OBJECT_ID: {
                    if (pos + Value.ObjectId.LENGTH > buf.length) {
                        throw new IllegalArgumentException("key value is truncated");
                    }
                    byte[] id = Arrays.copyOfRange(buf, pos, pos + Value.ObjectId.LENGTH);
                    pos += Value.ObjectId.LENGTH;
                    return new Value.ObjectId(id);
                }
                case TAG_REFERENCE:
                    return new Value.Reference(readString());
                case TAG_GEO_POINT: {
                    double lat = unsortableDouble(readLong());
                    double lng = unsortableDouble(readLong());
                    return new Value.GeoPoint(lat, lng);
                }
                case TAG_SET: {
                    int kind = next() - 1;
                    Value.TypedSet.SetKind[] kinds = Value.TypedSet.SetKind.values();
                    if (kind < 0 || kind >= kinds.length) {
                        throw new IllegalArgumentException("bad set kind");
                    }
                    return new Value.TypedSet(kinds[kind], elements(depth));
                }
                case TAG_ARRAY:
                    return new Value.Array(elements(depth));
                case TAG_OBJECT: {
                    Map<String, Value> fields = new LinkedHashMap<>();
                    while (true) {
                        int marker = next();
                        if (marker == END) {
                            return new Value.Obj(fields);
                        }
                        if (marker != OBJECT_FIELD) {
                            throw new IllegalArgumentException("bad object field marker");
                        }
                        String key = readString();
                        if (fields.put(key, value(depth + 1)) != null) {
                            throw new IllegalArgumentException("duplicate object key in key value");
                        }
                    }
                }
                default:
                    throw new IllegalArgumentException("unknown key tag 0x" + Integer.toHexString(tag));
            }
        }

        List<Value> elements(int depth) {
            List<Value> out = new ArrayList<>();
            while (peek() != END) {
                out.add(value(depth + 1));
            }
            pos++;
            return out;
        }

        Value number(int tag) {
            BigDecimal exact = null;
            if (tag == TAG_ZERO) {
                exact = BigDecimal.ZERO;
            } else if (tag == TAG_NEGATIVE || tag == TAG_POSITIVE) {
                boolean negative = tag == TAG_NEGATIVE;
                int mask = negative ? 0xFF : 0x00;
                int exponent = 0;
                for (int i = 0; i < 4; i++) {
                    exponent = (exponent << 8) | (next() ^ mask);
                }
                exponent ^= Integer.MIN_VALUE;
                StringBuilder digits = new StringBuilder();
                while (true) {
                    int pair = next() ^ mask;
                    if (pair == END) {
                        break;
                    }
                    if (pair > 100) {
                        throw new IllegalArgumentException("bad digit pair in key number");
                    }
                    pair -= 1;
                    digits.append((char) ('0' + pair / 10)).append((char) ('0' + pair % 10));
                }
                if (digits.isEmpty()) {
                    throw new IllegalArgumentException("key number has no digits");
                }
                if (digits.charAt(digits.length() - 1) == '0') {
                    digits.setLength(digits.length() - 1);
                }
                BigDecimal magnitude = new BigDecimal(new BigInteger(digits.toString()),
                        digits.length() - exponent);
                exact = negative ? magnitude.negate() : magnitude;
            }
            int repr = next();
            switch (repr) {
                case REPR_INT64:
                    if (exact == null) {
                        throw new IllegalArgumentException("int64 cannot be NaN or infinite");
                    }
                    return Value.of(exact.longValueExact());
                case REPR_FLOAT64_NEGATIVE_ZERO:
                    if (tag != TAG_ZERO) {
                        throw new IllegalArgumentException("-0.0 marker on a non-zero number");
                    }
                    return Value.of(-0.0d);
                case REPR_FLOAT64: {
                    double d;
                    if (tag == TAG_NAN) {
                        d = Double.NaN;
                    } else if (tag == TAG_NEGATIVE_INFINITY) {
                        d = Double.NEGATIVE_INFINITY;
                    } else if (tag == TAG_POSITIVE_INFINITY) {
                        d = Double.POSITIVE_INFINITY;
                    } else {
                        d = exact.doubleValue();
                        if (new BigDecimal(d).compareTo(exact) != 0) {
                            throw new IllegalArgumentException("float64 key number is not exact");
                        }
                    }
                    return Value.of(d);
                }
                case REPR_DECIMAL: {
                    if (exact == null) {
                        throw new IllegalArgumentException("decimal cannot be NaN or infinite");
                    }
                    int scale = readInt() ^ Integer.MIN_VALUE;
                    return Value.of(exact.setScale(scale)); // exact: scale only grows
                }
                default:
                    throw new IllegalArgumentException("bad number representation 0x"
                            + Integer.toHexString(repr));
            }
        }
    }
}
