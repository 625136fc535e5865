package dev.nimbus.core.model;

import dev.nimbus.core.codec.KeyCodec;
import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;

import java.util.Arrays;

/**
 * The id of a document within its table. Two forms share one string space and both sort by
 * plain string (= byte) order:
 *
 * <ul>
 *   <li><b>Generated</b>: 26 lowercase Crockford base32 characters (a ULID): 48 bits of
 *       millisecond time then 80 bits that start random and advance by a random step within a
 *       millisecond, so ids are unique, unguessable and sort by creation. First char is 0-7.</li>
 *   <li><b>Derived</b>: {@code "k"} followed by the base32 of the {@link KeyCodec} encoding of a
 *       dialect's own key (a MongoDB {@code _id}, a DynamoDB key tuple). A lookup by that key is a
 *       point read, derived ids keep the order of their keys, and the key can be recovered with
 *       {@link #derivedKey()}.</li>
 * </ul>
 */
public final class DocumentId implements Comparable<DocumentId> {
    /** Longest id accepted; bounds the key a derived id can carry to 638 encoded bytes. */
    public static final int LENGTH_MAX = 1024;
    public static final int GENERATED_LENGTH = 26;
    static final char DERIVED_PREFIX = 'k';
    static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
    /** Membership in {@link #ALPHABET} by character (ids are checked on every decode). */
    private static final boolean[] IN_ALPHABET = new boolean[128];

    static {
        for (int i = 0; i < ALPHABET.length(); i++) {
            IN_ALPHABET[ALPHABET.charAt(i)] = true;
        }
    }

    private final String value;

    public DocumentId(String value) {
        String problem = problem(value, true);
        if (problem != null) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "invalid document id: " + problem);
        }
        this.value = value;
    }

    private DocumentId(String value, Void checked) {
        this.value = value;
    }

    /**
     * An id a storage provider reads back from its own rows. It was checked in full when it was
     * written; here only its characters and length are, not that a derived id is the canonical
     * encoding of its key (a decode and re-encode, which would run for every document read).
     * Corrupt storage is {@code service.storage_corruption}.
     */
    public static DocumentId stored(String value) {
        String problem = problem(value, false);
        if (problem != null) {
            throw new NimbusException(ErrorCode.STORAGE_CORRUPTION, "a stored document id is invalid: " + problem);
        }
        return new DocumentId(value, null);
    }

    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DocumentId other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    /** Parses an id from a client; invalid input is an {@code op.invalid_input} error. */
    public static DocumentId parse(String value) {
        return new DocumentId(value);
    }

    public static boolean isValid(String value) {
        return problem(value, true) == null;
    }

    /** The id that stands for a dialect's key value. */
    public static DocumentId derivedFrom(Value key) {
        byte[] encoded = KeyCodec.encode(key);
        String id = DERIVED_PREFIX + Base32.encode(encoded);
        if (id.length() > LENGTH_MAX) {
            throw new NimbusException(ErrorCode.INVALID_INPUT,
                    "key is too large to identify a document (" + encoded.length + " bytes encoded)");
        }
        return new DocumentId(id);
    }

    public boolean isDerived() {
        return value.charAt(0) == DERIVED_PREFIX;
    }

    /** The key a derived id was made from. */
    public Value derivedKey() {
        if (!isDerived()) {
            throw new IllegalStateException("a generated id carries no key");
        }
        return KeyCodec.decode(Base32.decode(value.substring(1)));
    }

    @Override
    public int compareTo(DocumentId o) {
        return value.compareTo(o.value); // ASCII only, so UTF-16 order is byte order
    }

    @Override
    public String toString() {
        return value;
    }

    private static String problem(String v, boolean canonicalKey) {
        if (v == null || v.isEmpty()) {
            return "empty";
        }
        if (v.length() > LENGTH_MAX) {
            return "longer than " + LENGTH_MAX + " characters";
        }
        for (int i = 0; i < v.length(); i++) {
            if (i == 0 && v.charAt(0) == DERIVED_PREFIX) {
                continue;
            }
            char c = v.charAt(i);
            if (c >= IN_ALPHABET.length || !IN_ALPHABET[c]) {
                return "character '" + v.charAt(i) + "' at " + i
                        + " is not lowercase Crockford base32";
            }
        }
        if (v.charAt(0) == DERIVED_PREFIX) {
            if (!canonicalKey) {
                return v.length() > 1 ? null : "derived id holds no key";
            }
            byte[] key = Base32.decodeOrNull(v.substring(1));
            if (key == null) {
                return "derived id is not canonical base32";
            }
            try {
                if (!Arrays.equals(KeyCodec.encode(KeyCodec.decode(key)), key)) {
                    return "derived id is not in canonical form";
                }
            } catch (IllegalArgumentException e) {
                return "derived id does not hold a valid key";
            }
            return null;
        }
        if (v.length() != GENERATED_LENGTH) {
            return "a generated id has " + GENERATED_LENGTH + " characters";
        }
        if (v.charAt(0) > '7') {
            return "time part out of range";
        }
        return null;
    }

    /** Unpadded, order-preserving base32 over the Crockford alphabet (lowercase). */
    static final class Base32 {
        private Base32() {
        }

        static String encode(byte[] bytes) {
            StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
            int buffer = 0;
            int bits = 0;
            for (byte b : bytes) {
                buffer = (buffer << 8) | (b & 0xFF);
                bits += 8;
                while (bits >= 5) {
                    out.append(ALPHABET.charAt((buffer >>> (bits - 5)) & 31));
                    bits -= 5;
                }
            }
            if (bits > 0) {
                out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
            }
            return out.toString();
        }

        static byte[] decode(String s) {
            byte[] out = decodeOrNull(s);
            if (out == null) {
                throw new IllegalArgumentException("not canonical base32");
            }
            return out;
        }

        static byte[] decodeOrNull(String s) {
            int n = s.length() * 5 / 8;
            if ((n * 8 + 4) / 5 != s.length()) {
                return null;
            }
            byte[] out = new byte[n];
            int buffer = 0;
            int bits = 0;
            int o = 0;
            for (int i = 0; i < s.length(); i++) {
                int d = ALPHABET.indexOf(s.charAt(i));
                if (d < 0) {
                    return null;
                }
                buffer = (buffer << 5) | d;
                bits += 5;
                if (bits >= 8) {
                    out[o++] = (byte) (buffer >>> (bits - 8));
                    bits -= 8;
                }
            }
            if ((buffer & ((1 << bits) - 1)) != 0) {
                return null; // padding bits must be zero
            }
            return out;
        }
    }
}
