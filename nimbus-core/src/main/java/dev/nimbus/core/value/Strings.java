package dev.nimbus.core.value;

/** String facts the value model depends on: well-formedness and code-point order. */
public final class Strings {
    private Strings() {
    }

    /** Index of the first unpaired surrogate in {@code s}, or -1 if it is well-formed UTF-16. */
    public static int firstUnpairedSurrogate(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Compares by Unicode code point, which is also UTF-8 byte order. {@link String#compareTo}
     * compares UTF-16 units and puts U+10000.. below U+E000..U+FFFF; that would disagree with the
     * byte order of the key codec.
     */
    public static int compareCodePoints(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return Integer.compare(fixup(x), fixup(y));
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    // Moves surrogates (D800..DFFF) above E000..FFFF so unit order equals code point order.
    private static int fixup(char c) {
        if (c < 0xD800) {
            return c;
        }
        return c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }
}
