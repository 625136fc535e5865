package dev.nimbus.core.error;

/**
 * The closed set of errors any Nimbus surface can report. Wire names, HTTP statuses and
 * retryability are Nimbus's own (its error catalog); adapters map them to their dialect.
 */
public enum ErrorCode {
    INVALID_INPUT("op.invalid_input", 400, false, Severity.ERROR),
    CAP_EXCEEDED("op.cap_exceeded", 400, false, Severity.ERROR),
    UNAUTHORIZED("auth.unauthorized", 401, false, Severity.ERROR),
    FORBIDDEN("auth.forbidden", 403, false, Severity.ERROR),
    PERMISSION_DENIED("auth.permission_denied", 403, false, Severity.ERROR),
    DOCUMENT_NOT_FOUND("op.document_not_found", 404, false, Severity.ERROR),
    SCHEDULED_JOB_NOT_FOUND("op.scheduled_job_not_found", 404, false, Severity.ERROR),
    SCHEMA_NOT_FOUND("op.schema_not_found", 404, false, Severity.ERROR),
    NOT_FOUND("op.not_found", 404, false, Severity.ERROR),
    TENANT_NOT_FOUND("session.tenant_not_found", 404, false, Severity.ERROR),
    ROUTE_NOT_FOUND("service.route_not_found", 404, false, Severity.ERROR),
    /** A WebSocket upgrade offered no protocol this server speaks. */
    PROTOCOL_NO_OVERLAP("protocol.no_overlap", 400, false, Severity.ERROR),
    CANCELLED("op.cancelled", 408, true, Severity.ERROR),
    EXECUTION_TIMEOUT("runtime.execution_timeout", 408, false, Severity.ERROR),
    SYSTEM_TIMEOUT("runtime.system_timeout", 408, false, Severity.ERROR),
    CONFLICT("op.conflict", 409, true, Severity.ERROR),
    OUT_OF_RETENTION("op.out_of_retention", 409, true, Severity.ERROR),
    ALREADY_EXISTS("op.already_exists", 409, false, Severity.ERROR),
    PRECONDITION_FAILED("op.precondition_failed", 412, false, Severity.ERROR),
    MISSING_INDEX("op.missing_index", 412, false, Severity.ERROR),
    SCHEMA_VALIDATION("op.schema_validation", 422, false, Severity.ERROR),
    PROMISE_STALLED("runtime.promise_stalled", 422, false, Severity.ERROR),
    RESOURCE_EXHAUSTED("rate.resource_exhausted", 429, true, Severity.WARNING),
    OVERLOADED("rate.overloaded", 429, true, Severity.WARNING),
    COMMITTER_FULL("rate.committer_full", 429, true, Severity.WARNING),
    REJECTED_BEFORE_EXECUTION("rate.rejected_before_execution", 429, true, Severity.WARNING),
    RATE_LIMITED("rate.limited", 429, true, Severity.WARNING),
    STORAGE_BUSY("service.storage_busy", 503, true, Severity.ERROR),
    STORAGE_TRANSIENT("service.storage_transient", 503, true, Severity.ERROR),
    UNAVAILABLE("service.unavailable", 503, true, Severity.ERROR),
    TRANSPORT("service.transport", 503, true, Severity.ERROR),
    STORAGE_IO("service.storage_io", 500, true, Severity.ERROR),
    STORAGE_CORRUPTION("service.storage_corruption", 500, false, Severity.FATAL),
    STORAGE_OTHER("service.storage_other", 500, false, Severity.ERROR),
    SERIALIZATION("service.serialization", 500, false, Severity.ERROR),
    INTERNAL("service.internal", 500, false, Severity.FATAL);

    public enum Severity {
        FATAL, ERROR, WARNING;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final String wireName;
    private final int httpStatus;
    private final boolean retryable;
    private final Severity severity;

    ErrorCode(String wireName, int httpStatus, boolean retryable, Severity severity) {
        this.wireName = wireName;
        this.httpStatus = httpStatus;
        this.retryable = retryable;
        this.severity = severity;
    }

    /** The stable code clients branch on, e.g. {@code op.invalid_input}. */
    public String wireName() {
        return wireName;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public boolean retryable() {
        return retryable;
    }

    public Severity severity() {
        return severity;
    }

    public static ErrorCode fromWireName(String wireName) {
        for (ErrorCode c : values()) {
            if (c.wireName.equals(wireName)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown error code " + wireName);
    }
}
