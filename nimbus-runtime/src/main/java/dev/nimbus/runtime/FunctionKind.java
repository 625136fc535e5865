package dev.nimbus.runtime;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;

import java.util.Locale;

/** What a deployed function is: how it may touch data and who may call it. */
public enum FunctionKind {
    /** Read-only, deterministic; its read set drives subscription re-runs. */
    QUERY,
    /** One optimistic transaction: snapshot reads, staged writes, one commit; deterministic. */
    MUTATION,
    /** Not transactional: may call queries/mutations/actions, fetch and read environment variables. */
    ACTION,
    /** An action invoked with an HTTP request, answering with an HTTP response. */
    HTTP_ACTION;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean deterministic() {
        return this == QUERY || this == MUTATION;
    }

    public static FunctionKind fromWireName(String name) {
        for (FunctionKind k : values()) {
            if (k.wireName().equals(name)) {
                return k;
            }
        }
        throw new NimbusException(ErrorCode.INVALID_INPUT, "unknown function kind '" + name
                + "'; expected query, mutation, action or http_action");
    }
}
