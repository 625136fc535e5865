package dev.nimbus.engine;

/**
 * Every tunable of the engine, with its default and why. Environment overrides use the names
 * in {@link #fromEnvironment()}.
 *
 * @param admissionQueueMax     mutations admitted and waiting per tenant; beyond it writes are
 *                              shed with {@code rate.overloaded} before any durable work
 * @param batchMutationsMax     requests one group commit drains at most
 * @param batchBytesMax         estimated bytes one group commit drains at most
 * @param docsScannedMax        documents one query may read before {@code op.cap_exceeded}
 *                              (Nimbus's documented cap is 32 000 for mutations)
 * @param occAttemptsMax        attempts of a conflicting transaction (Nimbus: 4)
 * @param occInitialBackoffMillis first retry backoff, doubled and jittered (Nimbus: 100 ms)
 * @param occMaxBackoffMillis   backoff ceiling (Nimbus: 2 s)
 * @param recentWritesMax       committed writes remembered for conflict checks; a transaction
 *                              whose snapshot is older than the window conflicts
 * @param subscriptionsMax      live subscriptions per tenant
 * @param changeQueueMax        committed batches waiting for the delivery worker; beyond it
 *                              batches coalesce into "re-evaluate everything"
 * @param visibilityWaitMillis  how long a read waits for a durable commit to be applied
 * @param schedulerPollMillis   longest sleep of the scheduler between checks
 */
public record EngineLimits(int admissionQueueMax, int batchMutationsMax, long batchBytesMax, int docsScannedMax,
                           int occAttemptsMax, long occInitialBackoffMillis, long occMaxBackoffMillis,
                           int recentWritesMax, int subscriptionsMax, int changeQueueMax,
                           long visibilityWaitMillis, long schedulerPollMillis) {

    public static final EngineLimits DEFAULTS = new EngineLimits(
            4096, 512, 8L * 1024 * 1024, 100_000,
            4, 100, 2_000,
            100_000, 10_000, 1024,
            5_000, 1_000);

    public EngineLimits {
        if (admissionQueueMax < 1 || batchMutationsMax < 1 || batchBytesMax < 1 || docsScannedMax < 1
                || occAttemptsMax < 1 || recentWritesMax < 1 || subscriptionsMax < 1 || changeQueueMax < 1
                || occInitialBackoffMillis < 0 || occMaxBackoffMillis < occInitialBackoffMillis
                || visibilityWaitMillis < 1 || schedulerPollMillis < 1) {
            throw new IllegalArgumentException("engine limits must be positive");
        }
    }

    /** Defaults with {@code NIMBUS_*} environment overrides. */
    public static EngineLimits fromEnvironment() {
        EngineLimits d = DEFAULTS;
        return new EngineLimits(
                env("NIMBUS_TENANT_ADMISSION_QUEUE_MAX", d.admissionQueueMax),
                env("NIMBUS_COMMIT_BATCH_MUTATIONS_MAX", d.batchMutationsMax),
                env("NIMBUS_COMMIT_BATCH_BYTES_MAX", d.batchBytesMax),
                env("NIMBUS_QUERY_DOCS_SCANNED_MAX", d.docsScannedMax),
                env("NIMBUS_MUTATION_OCC_MAX_RETRIES", d.occAttemptsMax),
                env("NIMBUS_MUTATION_OCC_INITIAL_BACKOFF_MS", d.occInitialBackoffMillis),
                env("NIMBUS_MUTATION_OCC_MAX_BACKOFF_MS", d.occMaxBackoffMillis),
                d.recentWritesMax, d.subscriptionsMax, d.changeQueueMax, d.visibilityWaitMillis,
                d.schedulerPollMillis);
    }

    public EngineLimits withAdmissionQueueMax(int n) {
        return new EngineLimits(n, batchMutationsMax, batchBytesMax, docsScannedMax, occAttemptsMax,
                occInitialBackoffMillis, occMaxBackoffMillis, recentWritesMax, subscriptionsMax, changeQueueMax,
                visibilityWaitMillis, schedulerPollMillis);
    }

    public EngineLimits withOcc(int attempts, long initialBackoffMillis, long maxBackoffMillis) {
        return new EngineLimits(admissionQueueMax, batchMutationsMax, batchBytesMax, docsScannedMax, attempts,
                initialBackoffMillis, maxBackoffMillis, recentWritesMax, subscriptionsMax, changeQueueMax,
                visibilityWaitMillis, schedulerPollMillis);
    }

    public EngineLimits withSchedulerPollMillis(long millis) {
        return new EngineLimits(admissionQueueMax, batchMutationsMax, batchBytesMax, docsScannedMax, occAttemptsMax,
                occInitialBackoffMillis, occMaxBackoffMillis, recentWritesMax, subscriptionsMax, changeQueueMax,
                visibilityWaitMillis, millis);
    }

    private static int env(String name, int fallback) {
        return (int) env(name, (long) fallback);
    }

    private static long env(String name, long fallback) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
        }
    }
}
