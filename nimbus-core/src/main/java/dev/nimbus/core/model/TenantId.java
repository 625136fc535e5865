package dev.nimbus.core.model;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;

/**
 * A tenant: ASCII letters, digits, '_' and '-', 1-128 characters. Ids starting with '_' are
 * reserved for system tenants such as {@code _nimbus}; {@link #of} rejects them.
 */
public record TenantId(String value) implements Comparable<TenantId> {
    public static final int LENGTH_MAX = 128;
    public static final TenantId SYSTEM = new TenantId("_nimbus");

    public TenantId {
        if (value == null || value.isEmpty() || value.length() > LENGTH_MAX) {
            throw new NimbusException(ErrorCode.INVALID_INPUT,
                    "invalid tenant id: must be 1-" + LENGTH_MAX + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-';
            if (!ok) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "invalid tenant id: character '"
                        + c + "' at " + i + " is not an ASCII letter, digit, '_' or '-'");
            }
        }
    }

    /** A tenant id from a client: '_'-prefixed ids are reserved. */
    public static TenantId of(String value) {
        if (value != null && value.startsWith("_")) {
            throw new NimbusException(ErrorCode.INVALID_INPUT,
                    "invalid tenant id: ids starting with '_' are reserved");
        }
        return new TenantId(value);
    }

    public boolean isSystem() {
        return value.startsWith("_");
    }

    @Override
    public int compareTo(TenantId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
