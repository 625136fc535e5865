package dev.nimbus.engine.subscription;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.query.Query;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A registered query whose result is kept current. Results land in a one-slot mailbox that a
 * newer result overwrites, so a slow reader gets the latest state, never a backlog, and never
 * slows writers or other subscribers. {@code onUpdate} is called (on the delivery worker) after
 * each new result; it must not block — typically it wakes whoever drains {@link #poll()}.
 */
public final class Subscription implements AutoCloseable {
    final long id;
    final Query query;
    final Principal principal;
    private final Runnable onUpdate;
    private final SubscriptionHub hub;
    final AtomicBoolean dirty = new AtomicBoolean();
    private SubscriptionUpdate pending;
    private long lastSequence = -1;
    private java.util.List<dev.nimbus.core.model.Document> lastDocuments;
    private volatile boolean closed;

    Subscription(long id, Query query, Principal principal, Runnable onUpdate, SubscriptionHub hub) {
        this.id = id;
        this.query = query;
        this.principal = principal;
        this.onUpdate = onUpdate;
        this.hub = hub;
    }

    public Query query() {
        return query;
    }

    /**
     * Offers a result; ignored unless newer than everything offered before (monotonic delivery).
     * A newer result equal to the last one advances the sequence without waking the reader.
     */
    void offer(SubscriptionUpdate update) {
        synchronized (this) {
            if (closed || update.sequence() <= lastSequence) {
                return;
            }
            lastSequence = update.sequence();
            if (lastDocuments != null && lastDocuments.equals(update.documents())) {
                return;
            }
            lastDocuments = update.documents();
            pending = update;
            notifyAll();
        }
        try {
            onUpdate.run();
        } catch (RuntimeException ignored) {
            // a misbehaving listener must not stop delivery to others
        }
    }

    /** The newest result not yet taken, if any. */
    public synchronized Optional<SubscriptionUpdate> poll() {
        SubscriptionUpdate u = pending;
        pending = null;
        return Optional.ofNullable(u);
    }

    /** Waits up to {@code timeout} for a result not yet taken. */
    public synchronized Optional<SubscriptionUpdate> await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending == null && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(left / 1_000_000 + 1);
        }
        if (closed && pending == null) {
            throw new NimbusException(ErrorCode.CANCELLED, "the subscription is closed");
        }
        return poll();
    }

    /** Sequence of the newest result offered so far; -1 before the first. */
    public synchronized long lastSequence() {
        return lastSequence;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        hub.remove(this);
    }
}
