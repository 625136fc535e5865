package dev.nimbus.engine.commit;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;

/**
 * The tenant's applied journal sequence: monotonic, advanced by the writer after a commit is
 * durable and its in-memory effects are in place. Readers that see a newer durable sequence in
 * their snapshot wait here until it is applied, so nobody observes a durable-but-unapplied write.
 */
public final class AppliedWatermark {
    private long applied;

    public AppliedWatermark(long initial) {
        this.applied = initial;
    }

    public synchronized long applied() {
        return applied;
    }

    synchronized void advance(long sequence) {
        if (sequence > applied) {
            applied = sequence;
            notifyAll();
        }
    }

    /** Waits until at least {@code sequence} is applied. */
    public synchronized void awaitApplied(long sequence, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (applied < sequence) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new NimbusException(ErrorCode.UNAVAILABLE,
                        "a committed write was not applied within " + timeoutMillis + " ms; retry");
            }
            try {
                wait(left / 1_000_000 + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NimbusException(ErrorCode.CANCELLED, "interrupted while waiting for visibility");
            }
        }
    }
}
