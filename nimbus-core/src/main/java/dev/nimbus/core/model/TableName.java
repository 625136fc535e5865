package dev.nimbus.core.model;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;

/**
 * The name of a table within a tenant: 1-255 characters of ASCII letters, digits, '_', '.' and
 * '-'. Names starting with '_' are reserved for Nimbus's own tables ({@link #system}); clients
 * get {@code op.invalid_input} for them. Dialects whose names allow more (Firestore collection
 * ids) map them onto this alphabet in their adapter.
 */
public record TableName(String value) implements Comparable<TableName> {
    public static final int LENGTH_MAX = 255;

    public TableName {
        String problem = problem(value);
        if (problem != null) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "invalid table name: " + problem);
        }
    }

    /** A table a client may name. */
    public static TableName of(String value) {
        if (value != null && value.startsWith("_")) {
            throw new NimbusException(ErrorCode.INVALID_INPUT,
                    "invalid table name: names starting with '_' are reserved for Nimbus");
        }
        return new TableName(value);
    }

    /** One of Nimbus's own tables, e.g. {@code _scheduled_jobs}. */
    public static TableName system(String value) {
        if (value == null || !value.startsWith("_")) {
            throw new IllegalArgumentException("system table names start with '_'");
        }
        return new TableName(value);
    }

    public boolean isSystem() {
        return value.startsWith("_");
    }

    @Override
    public int compareTo(TableName o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }

    private static String problem(String v) {
        if (v == null || v.isEmpty()) {
            return "empty";
        }
        if (v.length() > LENGTH_MAX) {
            return "longer than " + LENGTH_MAX + " characters";
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-';
            if (!ok) {
                return "character '" + c + "' at " + i + " is not a letter, digit, '_', '.' or '-'";
            }
        }
        return null;
    }
}
