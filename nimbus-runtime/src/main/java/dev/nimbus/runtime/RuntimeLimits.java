package dev.nimbus.runtime;

import java.util.Map;

/**
 * The function runtime's knobs, each with its default and an environment override
 * ({@code NIMBUS_RUNTIME_*}); the server exposes them as {@code nimbus start} flags.
 *
 * @param timeoutMillis            wall clock per invocation; the context is cancelled, the server keeps serving
 * @param statementsMax            JavaScript statements per invocation (a CPU bound); 0 disables counting
 * @param resultBytesMax           serialised size of a function's result
 * @param logLinesMax              console lines kept per invocation; later lines are dropped and counted
 * @param logBytesMax              console bytes kept per invocation
 * @param tenantActiveMax          invocations running at once per tenant
 * @param tenantQueuedMax          invocations waiting for a slot per tenant; beyond, {@code rate.resource_exhausted}
 * @param nestedCallsMax           depth of ctx.runQuery/runMutation/runAction chains
 * @param idleContextsPerBundle    warm contexts kept per deployed bundle
 */
public record RuntimeLimits(long timeoutMillis, long statementsMax, int resultBytesMax, int logLinesMax,
                            int logBytesMax, int tenantActiveMax, int tenantQueuedMax, int nestedCallsMax,
                            int idleContextsPerBundle) {
    public static final long TIMEOUT_MILLIS_DEFAULT = 30_000;
    /** Generous enough for real work; only a runaway loop reaches it before the wall clock. */
    public static final long STATEMENTS_MAX_DEFAULT = 500_000_000L;
    /** Convex caps a function's return value at 8 MiB. */
    public static final int RESULT_BYTES_MAX_DEFAULT = 8 * 1024 * 1024;
    public static final int LOG_LINES_MAX_DEFAULT = 256;
    public static final int LOG_BYTES_MAX_DEFAULT = 64 * 1024;
    public static final int TENANT_QUEUED_MAX_DEFAULT = 1024;
    /** Nimbus's own default (--runtime-max-nested-calls). */
    public static final int NESTED_CALLS_MAX_DEFAULT = 64;
    public static final int IDLE_CONTEXTS_PER_BUNDLE_DEFAULT = 8;

    public RuntimeLimits {
        if (timeoutMillis <= 0 || statementsMax < 0 || resultBytesMax <= 0 || logLinesMax < 0 || logBytesMax < 0
                || tenantActiveMax <= 0 || tenantQueuedMax < 0 || nestedCallsMax <= 0 || idleContextsPerBundle < 0) {
            throw new IllegalArgumentException("runtime limits must be positive: " + this);
        }
    }

    /**
     * Active invocations per tenant by default: the CPU count, at least 2 and at most 4 — each
     * running query or mutation holds one storage snapshot, and a tenant's store serves a few
     * readers at once (4 with SQLite's defaults).
     */
    public static int tenantActiveMaxDefault() {
        return Math.min(4, Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    public static RuntimeLimits defaults() {
        return fromEnvironment(Map.of());
    }

    public static RuntimeLimits fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    public static RuntimeLimits fromEnvironment(Map<String, String> env) {
        return new RuntimeLimits(
                num(env, "NIMBUS_RUNTIME_TIMEOUT_MILLIS", TIMEOUT_MILLIS_DEFAULT),
                num(env, "NIMBUS_RUNTIME_STATEMENTS_MAX", STATEMENTS_MAX_DEFAULT),
                (int) num(env, "NIMBUS_RUNTIME_RESULT_BYTES_MAX", RESULT_BYTES_MAX_DEFAULT),
                (int) num(env, "NIMBUS_RUNTIME_LOG_LINES_MAX", LOG_LINES_MAX_DEFAULT),
                (int) num(env, "NIMBUS_RUNTIME_LOG_BYTES_MAX", LOG_BYTES_MAX_DEFAULT),
                (int) num(env, "NIMBUS_RUNTIME_TENANT_ACTIVE_MAX", tenantActiveMaxDefault()),
                (int) num(env, "NIMBUS_RUNTIME_TENANT_QUEUED_MAX", TENANT_QUEUED_MAX_DEFAULT),
                (int) num(env, "NIMBUS_RUNTIME_NESTED_CALLS_MAX", NESTED_CALLS_MAX_DEFAULT),
                (int) num(env, "NIMBUS_RUNTIME_IDLE_CONTEXTS", IDLE_CONTEXTS_PER_BUNDLE_DEFAULT));
    }

    public RuntimeLimits withTimeoutMillis(long millis) {
        return new RuntimeLimits(millis, statementsMax, resultBytesMax, logLinesMax, logBytesMax, tenantActiveMax,
                tenantQueuedMax, nestedCallsMax, idleContextsPerBundle);
    }

    public RuntimeLimits withStatementsMax(long max) {
        return new RuntimeLimits(timeoutMillis, max, resultBytesMax, logLinesMax, logBytesMax, tenantActiveMax,
                tenantQueuedMax, nestedCallsMax, idleContextsPerBundle);
    }

    public RuntimeLimits withTenantActiveMax(int max) {
        return new RuntimeLimits(timeoutMillis, statementsMax, resultBytesMax, logLinesMax, logBytesMax, max,
                tenantQueuedMax, nestedCallsMax, idleContextsPerBundle);
    }

    public RuntimeLimits withResultBytesMax(int max) {
        return new RuntimeLimits(timeoutMillis, statementsMax, max, logLinesMax, logBytesMax, tenantActiveMax,
                tenantQueuedMax, nestedCallsMax, idleContextsPerBundle);
    }

    private static long num(Map<String, String> env, String key, long fallback) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
        }
    }
}
