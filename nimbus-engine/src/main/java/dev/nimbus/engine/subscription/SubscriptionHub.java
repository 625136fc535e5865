package dev.nimbus.engine.subscription;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.commit.CommittedWrite;
import dev.nimbus.engine.query.FilterEvaluator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tenant's live queries and its delivery worker. The writer hands over each applied batch
 * (never blocking: a full hand-over queue coalesces into "everything is dirty"); the worker
 * marks the subscriptions a write could affect — the changed document matched the query's
 * filter before or after the write — and re-evaluates each dirty one once on a fresh snapshot,
 * so overlapping wake-ups coalesce.
 */
public final class SubscriptionHub {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionHub.class);

    /**
     * Told of every applied batch on the tenant's delivery worker (after the batch is applied,
     * in commit order), e.g. to re-run a query function whose read set a write touched. Must not
     * block: hand work to another thread.
     */
    public interface CommitListener {
        void onCommits(List<CommittedWrite> writes);

        /** Batches were coalesced away under load: assume anything may have changed. */
        void onOverflow();
    }

    /** Evaluates a query for a principal on a snapshot at or after the applied watermark. */
    public interface Evaluator {
        SubscriptionUpdate evaluate(Query query, Principal principal);
    }

    private final TenantId tenant;
    private final int subscriptionsMax;
    private final Evaluator evaluator;
    private final Map<Long, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final BlockingQueue<List<CommittedWrite>> changes;
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Subscription> dirty = new ConcurrentLinkedQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private final java.util.concurrent.CopyOnWriteArrayList<CommitListener> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread worker;
    private volatile boolean running = true;

    public SubscriptionHub(TenantId tenant, int subscriptionsMax, int changeQueueMax, Evaluator evaluator) {
        this.tenant = tenant;
        this.subscriptionsMax = subscriptionsMax;
        this.evaluator = evaluator;
        this.changes = new ArrayBlockingQueue<>(changeQueueMax);
        this.worker = Thread.ofPlatform().name("nimbus-delivery-" + tenant).daemon(true).unstarted(this::run);
        worker.start();
    }

    /**
     * Registers a query and delivers its first result before returning. Registration comes
     * first, so a commit racing with the first evaluation is never missed.
     */
    public Subscription subscribe(Query query, Principal principal, Runnable onUpdate) {
        FilterEvaluator.validate(query.filter());
        if (subscriptions.size() >= subscriptionsMax) {
            throw new NimbusException(ErrorCode.RESOURCE_EXHAUSTED, "tenant " + tenant + " has "
                    + subscriptionsMax + " live subscriptions", Map.of("limit", Value.of((long) subscriptionsMax)));
        }
        Subscription s = new Subscription(ids.incrementAndGet(), query, principal, onUpdate, this);
        subscriptions.put(s.id, s);
        try {
            s.offer(evaluator.evaluate(query, principal));
        } catch (RuntimeException e) {
            subscriptions.remove(s.id);
            throw e;
        }
        return s;
    }

    /** Adds a commit listener; closing the handle removes it. Counts against the subscription cap. */
    public AutoCloseable listen(CommitListener listener) {
        if (subscriptions.size() + listeners.size() >= subscriptionsMax) {
            throw new NimbusException(ErrorCode.RESOURCE_EXHAUSTED, "tenant " + tenant + " has "
                    + subscriptionsMax + " live subscriptions", Map.of("limit", Value.of((long) subscriptionsMax)));
        }
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void remove(Subscription s) {
        subscriptions.remove(s.id);
    }

    public int size() {
        return subscriptions.size();
    }

    /** Called by the writer after a batch is applied. Never blocks. */
    public void onApplied(List<CommittedWrite> writes) {
        if (!changes.offer(writes)) {
            overflowed.set(true);
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private void run() {
        while (running) {
            try {
                List<CommittedWrite> batch = changes.poll(100, TimeUnit.MILLISECONDS);
                if (batch != null) {
                    List<List<CommittedWrite>> more = new ArrayList<>();
                    more.add(batch);
                    changes.drainTo(more);
                    for (List<CommittedWrite> b : more) {
                        markAffected(b);
                        for (CommitListener l : listeners) {
                            l.onCommits(b);
                        }
                    }
                }
                if (overflowed.getAndSet(false)) {
                    subscriptions.values().forEach(this::markDirty);
                    listeners.forEach(CommitListener::onOverflow);
                }
                deliverDirty();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("delivery worker of tenant {} failed", tenant, e);
            }
        }
    }

    private void markAffected(List<CommittedWrite> writes) {
        // Many subscribers often share one query: test each distinct query once per batch.
        Map<Query, Boolean> affected = new java.util.HashMap<>();
        for (Subscription s : subscriptions.values()) {
            if (s.dirty.get()) {
                continue;
            }
            boolean hit = affected.computeIfAbsent(s.query, q -> {
                for (CommittedWrite w : writes) {
                    if (couldAffect(q, w)) {
                        return true;
                    }
                }
                return false;
            });
            if (hit) {
                markDirty(s);
            }
        }
    }

    private void markDirty(Subscription s) {
        if (s.dirty.compareAndSet(false, true)) {
            dirty.add(s);
        }
    }

    /** Precise for filters: a document matching neither before nor after cannot change the result. */
    static boolean couldAffect(Query q, CommittedWrite w) {
        if (!q.table().equals(w.table())) {
            return false;
        }
        return matches(q, w.before()) || matches(q, w.after());
    }

    private static boolean matches(Query q, java.util.Optional<Document> d) {
        return d.isPresent() && FilterEvaluator.matches(q.filter(), d.get().toObject());
    }

    /** The same query for the same principal is evaluated once per round, for all its subscribers. */
    private record Shared(Query query, Principal principal) {
    }

    private void deliverDirty() {
        Map<Shared, List<Subscription>> rounds = new java.util.LinkedHashMap<>();
        Subscription s;
        while ((s = dirty.poll()) != null) {
            s.dirty.set(false); // cleared before evaluating: a later write marks it again
            if (!s.isClosed()) {
                rounds.computeIfAbsent(new Shared(s.query, s.principal), k -> new ArrayList<>()).add(s);
            }
        }
        for (Map.Entry<Shared, List<Subscription>> round : rounds.entrySet()) {
            try {
                SubscriptionUpdate update = evaluator.evaluate(round.getKey().query(), round.getKey().principal());
                for (Subscription sub : round.getValue()) {
                    sub.offer(update);
                }
            } catch (RuntimeException e) {
                LOG.warn("re-evaluating a subscription of tenant {} failed: {}", tenant, e.getMessage());
            }
        }
    }

    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Subscription s : List.copyOf(subscriptions.values())) {
            s.close();
        }
    }
}
