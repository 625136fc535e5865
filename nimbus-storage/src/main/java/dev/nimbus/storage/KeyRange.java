package dev.nimbus.storage;

import java.util.Arrays;

/**
 * A range of index keys compared as unsigned bytes. A null bound is unbounded. Keys come from
 * {@link dev.nimbus.core.codec.KeyCodec}, so a value range is a byte range.
 */
public record KeyRange(byte[] lower, boolean lowerInclusive, byte[] upper, boolean upperInclusive) {
    public static final KeyRange ALL = new KeyRange(null, true, null, false);

    public KeyRange {
        lower = lower == null ? null : lower.clone();
        upper = upper == null ? null : upper.clone();
    }

    /** Keys starting with {@code prefix}. */
    public static KeyRange prefix(byte[] prefix) {
        return new KeyRange(prefix, true, dev.nimbus.core.codec.KeyCodec.prefixSuccessor(prefix), false);
    }

    public boolean contains(byte[] key) {
        if (lower != null) {
            int c = Arrays.compareUnsigned(key, lower);
            if (c < 0 || (c == 0 && !lowerInclusive)) {
                return false;
            }
        }
        if (upper != null) {
            int c = Arrays.compareUnsigned(key, upper);
            return c < 0 || (c == 0 && upperInclusive);
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRange r && Arrays.equals(lower, r.lower) && Arrays.equals(upper, r.upper)
                && lowerInclusive == r.lowerInclusive && upperInclusive == r.upperInclusive;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(lower) * 31 + Arrays.hashCode(upper);
    }

    @Override
    public String toString() {
        java.util.HexFormat hex = java.util.HexFormat.of();
        return (lowerInclusive ? "[" : "(") + (lower == null ? "-inf" : hex.formatHex(lower)) + ", "
                + (upper == null ? "+inf" : hex.formatHex(upper)) + (upperInclusive ? "]" : ")");
    }
}
