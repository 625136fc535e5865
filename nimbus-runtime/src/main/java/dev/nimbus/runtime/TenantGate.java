package dev.nimbus.runtime;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-tenant admission for top-level invocations: at most {@code activeMax} run at once and at
 * most {@code queuedMax} wait; beyond that, or after waiting a whole timeout, the call is shed
 * with {@code rate.resource_exhausted}. One tenant's load therefore cannot occupy every context.
 */
final class TenantGate {
    private record Slots(Semaphore active, AtomicInteger queued) {
    }

    private final int activeMax;
    private final int queuedMax;
    private final long waitMillisMax;
    private final Map<TenantId, Slots> tenants = new ConcurrentHashMap<>();

    TenantGate(int activeMax, int queuedMax, long waitMillisMax) {
        this.activeMax = activeMax;
        this.queuedMax = queuedMax;
        this.waitMillisMax = waitMillisMax;
    }

    /** Blocks until the tenant has a free slot; the caller must {@link #release} it. */
    void acquire(TenantId tenant) {
        Slots s = tenants.computeIfAbsent(tenant, t -> new Slots(new Semaphore(activeMax, true), new AtomicInteger()));
        if (s.active.tryAcquire()) {
            return;
        }
        if (s.queued.incrementAndGet() > queuedMax) {
            s.queued.decrementAndGet();
            throw exhausted(tenant);
        }
        try {
            if (!s.active.tryAcquire(waitMillisMax, TimeUnit.MILLISECONDS)) {
                throw exhausted(tenant);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NimbusException(ErrorCode.CANCELLED, "interrupted while waiting for a function slot");
        } finally {
            s.queued.decrementAndGet();
        }
    }

    void release(TenantId tenant) {
        tenants.get(tenant).active.release();
    }

    private NimbusException exhausted(TenantId tenant) {
        return new NimbusException(ErrorCode.RESOURCE_EXHAUSTED, "tenant " + tenant + " has " + activeMax
                + " function invocations running and " + queuedMax + " queued; retry later",
                Map.of("activeMax", Value.of((long) activeMax), "queuedMax", Value.of((long) queuedMax)));
    }
}
