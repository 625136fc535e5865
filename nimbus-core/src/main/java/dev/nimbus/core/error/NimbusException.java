package dev.nimbus.core.error;

import dev.nimbus.core.value.Value;

import java.util.Map;
import java.util.Objects;

/**
 * The one exception type every Nimbus layer throws for an outcome a client should see. The
 * message says what was wrong and what to do; it must never carry another tenant's data,
 * secrets or internals. {@code detail} holds structured facts ({@code documentId}, {@code table})
 * that surfaces render into their own error shape.
 */
public class NimbusException extends RuntimeException {
    private final ErrorCode code;
    private final Value.Obj detail;

    public NimbusException(ErrorCode code, String message) {
        this(code, message, Value.Obj.EMPTY, null);
    }

    public NimbusException(ErrorCode code, String message, Map<String, Value> detail) {
        this(code, message, new Value.Obj(detail), null);
    }

    public NimbusException(ErrorCode code, String message, Value.Obj detail, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.detail = detail == null ? Value.Obj.EMPTY : detail;
    }

    public ErrorCode code() {
        return code;
    }

    public Value.Obj detail() {
        return detail;
    }

    public boolean retryable() {
        return code.retryable();
    }
}
