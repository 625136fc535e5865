package dev.nimbus.server.functions;

import dev.nimbus.core.model.TenantId;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.commit.CommittedWrite;
import dev.nimbus.engine.subscription.SubscriptionHub;
import dev.nimbus.runtime.Bundle;
import dev.nimbus.runtime.Deployment;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each tenant's deployed bundle as last read from the store, reused by later invocations for as
 * long as a commit watcher proves its stored document unchanged; otherwise the bytes are read
 * again (and the runtime hashes the new instance). The proof: before an invocation uses the cached
 * bundle, the watcher has seen every batch applied up to the invocation's start and none of them
 * wrote {@code _function_bundles}, skipped a sequence or overflowed. A write to the bundle (a
 * redeploy, or bytes changed after deploy) is therefore caught by the first invocation that starts
 * after it was applied, as when every invocation read the store, but without a storage snapshot
 * per call. If the watcher cannot prove it in time, the invocation reads the store as before.
 *
 * <p>An invocation either waits for that proof before it runs ({@link #await}), or — a mutation
 * whose effects are only staged until it commits — runs on the cached bundle provisionally and
 * waits for the proof ({@link #confirm}) before committing, so the wait overlaps the run; if the
 * proof fails, the run is discarded and the mutation runs again on bytes read from the store.
 */
final class VerifiedBundles implements AutoCloseable {
    /** How long an invocation waits for the watcher to catch up before reading the store instead. */
    static final long CATCH_UP_WAIT_MILLIS_MAX = 1_000;

    /**
     * What an invocation may rely on: the tenant's watcher, the applied sequence at its start and
     * the watcher's invalidation count then; {@code caughtUp} once {@link #await} proved the start.
     */
    record Ticket(Watcher watcher, long startSequence, long generation, boolean caughtUp) {
    }

    /** The bundle an invocation runs: {@code provisional} when cached but not yet proven current. */
    record Use(Bundle bundle, boolean provisional) {
    }

    private final Engine engine;
    private final Map<TenantId, Watcher> watchers = new ConcurrentHashMap<>();

    VerifiedBundles(Engine engine) {
        this.engine = engine;
    }

    /** Starts an invocation's check: notes the applied sequence now (no waiting). */
    Ticket start(TenantId tenant) {
        Watcher w = watcher(tenant);
        if (w == null) {
            return new Ticket(null, Long.MAX_VALUE, 0, false);
        }
        long generation = w.generation;
        return new Ticket(w, engine.appliedSequence(tenant), generation, false);
    }

    /**
     * Waits (bounded, holding nothing) until the tenant's watcher has seen every batch applied
     * before the ticket's start. Call before taking the tenant's invocation slot.
     */
    Ticket await(Ticket ticket) {
        Watcher w = ticket.watcher();
        if (w == null) {
            return ticket;
        }
        boolean caughtUp = w.awaitSeen(ticket.startSequence(), CATCH_UP_WAIT_MILLIS_MAX);
        if (!caughtUp) {
            stale(w);
        }
        return new Ticket(w, ticket.startSequence(), ticket.generation(), caughtUp);
    }

    /**
     * True if a provisional bundle was current for the invocation: the watcher has seen every
     * batch up to the ticket's start and nothing invalidated the cache since the ticket was taken.
     * A bundle read from the store needs no proof (the runtime hashes it).
     */
    boolean confirm(Ticket ticket, Use use) {
        if (!use.provisional()) {
            return true;
        }
        Watcher w = ticket.watcher();
        if (!w.awaitSeen(ticket.startSequence(), CATCH_UP_WAIT_MILLIS_MAX)) {
            stale(w);
            return false;
        }
        return w.generation == ticket.generation();
    }

    /** A watcher that stopped hearing (its tenant was dropped and re-created) is replaced. */
    private void stale(Watcher w) {
        watchers.remove(w.tenant, w);
        w.close();
    }

    /**
     * The deployment's bundle: the cached instance if the ticket proves it current, or
     * provisionally (if {@code provisionalOk}) when it is cached but not proven yet; else read now.
     */
    Use bundle(Ticket ticket, Deployment deployment, boolean provisionalOk) {
        Watcher w = ticket.watcher();
        if (w == null) {
            return new Use(deployment.source().get(), false);
        }
        Cached c = w.cached;
        // By generation, not instance: a nested call's deployment is a copy reading the caller's bytes.
        if (c != null && c.deployment.generation() == deployment.generation()
                && c.deployment.sha256().equals(deployment.sha256()) && c.generation == ticket.generation()
                && (ticket.caughtUp() || provisionalOk)) {
            return new Use(c.bundle, !ticket.caughtUp());
        }
        long generation = w.generation;
        long readFrom = engine.appliedSequence(w.tenant);
        Bundle read = deployment.source().get();
        w.store(new Cached(deployment, read, generation, readFrom));
        return new Use(read, false);
    }

    private Watcher watcher(TenantId tenant) {
        Watcher w = watchers.get(tenant);
        if (w != null) {
            return w;
        }
        try {
            return watchers.computeIfAbsent(tenant, t -> new Watcher(engine, t));
        } catch (RuntimeException e) {
            // e.g. the tenant's subscription limit is reached: read the store per invocation.
            return null;
        }
    }

    /** Forgets a tenant's cached bundle and stops its watcher. */
    void forget(TenantId tenant) {
        Watcher w = watchers.remove(tenant);
        if (w != null) {
            w.close();
        }
    }

    @Override
    public void close() {
        watchers.values().forEach(Watcher::close);
        watchers.clear();
    }

    /**
     * @param generation the watcher's invalidation count when the read started
     * @param readFrom   the applied sequence before the read started (the read saw at least this)
     */
    private record Cached(Deployment deployment, Bundle bundle, long generation, long readFrom) {
    }

    /** One tenant's commit listener: the highest sequence seen and an invalidation count. */
    static final class Watcher implements SubscriptionHub.CommitListener, AutoCloseable {
        private final TenantId tenant;
        private final AutoCloseable handle;
        private final Object lock = new Object();
        /** Highest sequence seen; -1 until the first batch (any batch after registration counts). */
        private volatile long seenThrough = -1;
        /** The applied sequence when the listener was registered: everything after it is heard. */
        private final long registeredAt;
        private volatile long generation;
        private volatile Cached cached;

        Watcher(Engine engine, TenantId tenant) {
            this.tenant = tenant;
            this.handle = engine.watchCommits(tenant, this);
            this.registeredAt = engine.appliedSequence(tenant);
        }

        @Override
        public void onCommits(List<CommittedWrite> writes) {
            synchronized (lock) {
                // A commit of n mutations takes n sequences and reports its documents' writes
                // under the last one, so a run of n writes with one sequence may skip n - 1.
                // A larger skip means batches were dropped: assume the bundle changed.
                int i = 0;
                while (i < writes.size()) {
                    long sequence = writes.get(i).sequence();
                    int n = 0;
                    while (i < writes.size() && writes.get(i).sequence() == sequence) {
                        if (writes.get(i).table().equals(Deployments.TABLE)) {
                            invalidate();
                        }
                        n++;
                        i++;
                    }
                    if (seenThrough >= 0 && sequence > seenThrough + n) {
                        invalidate();
                    }
                    seenThrough = Math.max(seenThrough, sequence);
                }
                lock.notifyAll();
            }
        }

        @Override
        public void onOverflow() {
            synchronized (lock) {
                invalidate();
                lock.notifyAll();
            }
        }

        private void invalidate() {
            generation++;
            cached = null;
        }

        void store(Cached c) {
            synchronized (lock) {
                // Only a read that no invalidation overtook may be reused; a newer one stays.
                if (c.generation == generation && (cached == null || cached.readFrom <= c.readFrom)) {
                    cached = c;
                }
            }
        }

        /** True once every batch up to {@code sequence} has been seen (bounded wait). */
        boolean awaitSeen(long sequence, long waitMillisMax) {
            if (sequence <= registeredAt || seenThrough >= sequence) {
                return true; // the common case, without the lock
            }
            long deadline = System.nanoTime() + waitMillisMax * 1_000_000;
            synchronized (lock) {
                while (sequence > registeredAt && seenThrough < sequence) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        lock.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
                return true;
            }
        }

        @Override
        public void close() {
            try {
                handle.close();
            } catch (Exception ignored) {
                // the tenant is gone already
            }
        }
    }
}
