package dev.nimbus.server.http;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Nimbus's error envelope: {@code {"error": {code, message, requestId, timestamp, severity,
 * retryable, detail, remediation?}}}, with the HTTP status of the code.
 */
public final class ErrorEnvelope {
    private ErrorEnvelope() {
    }

    public static ApiResponse of(NimbusException e, String requestId) {
        ErrorCode code = e.code();
        String message = code == ErrorCode.INTERNAL ? "internal error" : e.getMessage();
        Map<String, Value> error = new LinkedHashMap<>();
        error.put("code", Value.of(code.wireName()));
        error.put("message", Value.of(message));
        error.put("requestId", Value.of(requestId));
        error.put("timestamp", Value.of(Instant.now().toString()));
        error.put("severity", Value.of(code.severity().wireName()));
        error.put("retryable", Value.of(code.retryable()));
        error.put("detail", e.detail().fields().isEmpty() ? Value.nullValue() : e.detail());
        String action = remediation(code);
        if (action != null) {
            error.put("remediation", new Value.Obj(Map.of("action", Value.of(action), "message", Value.of(message))));
        }
        return new ApiResponse(code.httpStatus(), new Value.Obj(Map.of("error", new Value.Obj(error))));
    }

    private static String remediation(ErrorCode code) {
        return switch (code) {
            case INVALID_INPUT, SCHEMA_VALIDATION, CAP_EXCEEDED -> "fix_request";
            case UNAUTHORIZED -> "reauthenticate";
            case MISSING_INDEX -> "create_index";
            case OVERLOADED, COMMITTER_FULL, RATE_LIMITED, RESOURCE_EXHAUSTED -> "wait_and_retry";
            case CONFLICT, CANCELLED, REJECTED_BEFORE_EXECUTION, STORAGE_BUSY, STORAGE_TRANSIENT, UNAVAILABLE,
                 TRANSPORT, STORAGE_IO -> "retry";
            case STORAGE_CORRUPTION, INTERNAL -> "contact_operator";
            default -> null;
        };
    }
}
