package dev.nimbus.runtime;

import dev.nimbus.core.value.Value;

/**
 * Shortcuts for the commonest values crossing between Java and JavaScript: a string that needs
 * no escaping (a document id, a name). JSON text for such a string is the string in quotes, so it
 * is written and read without a JSON generator or parser; anything else takes the general path.
 */
final class PlainJsonStrings {
    private PlainJsonStrings() {
    }

    /** {@code {"ok":"s"}} when {@code s} is printable ASCII without quotes or backslashes; else null. */
    static String okReply(String s) {
        return isPlain(s, 0, s.length()) ? "{\"ok\":\"" + s + "\"}" : null;
    }

    /**
     * The string {@code json} encodes when it is a quoted string without escapes or control
     * characters (what {@code JSON.stringify} gives for a string needing none); else null.
     */
    static Value.Str parse(String json) {
        int n = json.length();
        if (n < 2 || json.charAt(0) != '"' || json.charAt(n - 1) != '"') {
            return null;
        }
        for (int i = 1; i < n - 1; i++) {
            char c = json.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || Character.isSurrogate(c)) {
                return null; // escapes, or characters the general path validates
            }
        }
        return (Value.Str) Value.of(json.substring(1, n - 1));
    }

    private static boolean isPlain(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
