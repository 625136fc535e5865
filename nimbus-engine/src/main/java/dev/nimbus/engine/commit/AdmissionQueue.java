package dev.nimbus.engine.commit;

import java.util.Collection;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded queue between a tenant's callers and its one writer thread. Many producers, one
 * consumer, no lock: callers that arrive together (an acknowledged batch wakes dozens at once)
 * never queue up on a lock and sleep in the kernel, which on a virtualized machine costs more
 * than the insert itself. The writer sleeps only when the queue is empty and is woken by the
 * first offer after it said so ({@link #offer}).
 */
final class AdmissionQueue {
    private final int capacity;
    private final ConcurrentLinkedQueue<CommitRequest> items = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final Thread consumer;
    // Set by the consumer before it parks for want of a request; an offer that sees it unparks.
    private volatile boolean consumerWaiting;

    AdmissionQueue(int capacity, Thread consumer) {
        this.capacity = capacity;
        this.consumer = consumer;
    }

    /** Adds {@code r} unless {@link #capacity} requests are waiting; false when full. */
    boolean offer(CommitRequest r) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        items.add(r);
        if (consumerWaiting) {
            LockSupport.unpark(consumer);
        }
        return true;
    }

    /** The oldest waiting request, or null. Consumer only. */
    CommitRequest poll() {
        CommitRequest r = items.poll();
        if (r != null) {
            size.decrementAndGet();
        }
        return r;
    }

    /**
     * The oldest waiting request, waiting up to {@code timeout} for one (null after that, or
     * when interrupted, with the interrupt status kept). Consumer only.
     */
    CommitRequest poll(long timeout, TimeUnit unit) {
        CommitRequest r = poll();
        if (r != null) {
            return r;
        }
        consumerWaiting = true;
        try {
            // Re-checked after announcing the wait: an offer either sees the flag or is seen here.
            r = poll();
            if (r == null && !Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(this, unit.toNanos(timeout));
                r = poll();
            }
            return r;
        } finally {
            consumerWaiting = false;
        }
    }

    boolean isEmpty() {
        return size.get() == 0;
    }

    int size() {
        return Math.max(0, size.get());
    }

    /** Moves every waiting request into {@code out}. */
    void drainTo(Collection<CommitRequest> out) {
        for (CommitRequest r = poll(); r != null; r = poll()) {
            out.add(r);
        }
    }
}
