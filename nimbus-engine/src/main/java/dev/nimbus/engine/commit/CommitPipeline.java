package dev.nimbus.engine.commit;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.DocumentIdGenerator;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.EngineLimits;
import dev.nimbus.engine.schema.PolicyCache;
import dev.nimbus.storage.PendingDurability;
import dev.nimbus.storage.TenantStore;
import dev.nimbus.storage.WriteTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A tenant's mutation path: a bounded admission queue in front of one writer thread that drains
 * admitted requests in batches (bounded by count and estimated bytes) into ONE storage write
 * transaction and commits it; a syncer thread then waits for the commit to be durable and
 * applies it: advances the watermark, completes the callers and hands the batch's writes to
 * subscription fan-out. The two overlap: while the disk syncs batch N, the writer validates and
 * writes batch N+1 (a pipelined group commit), and one sync covers every batch committed before
 * it started. A request is acknowledged only after its batch is durable; nothing of a batch is
 * visible to readers before then (they wait on the watermark); a caller that stops waiting does
 * not undo it.
 */
public final class CommitPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(CommitPipeline.class);
    /** Committed batches that may wait for one sync; more make the writer wait for the disk. */
    static final int IN_FLIGHT_BATCHES_MAX = 8;
    /**
     * The longest the writer sleeps per try while it gathers a batch and the syncer is busy; a
     * submit or the syncer finishing wakes it sooner.
     */
    static final long GATHER_PARK_NANOS = 1_000_000;
    /**
     * Requests applied since the last flush before a waiting writer flushes: fewer would send
     * rows one by one as requests trickle in, and the provider's multi-row inserts save more.
     */
    static final int FLUSH_AFTER_REQUESTS = 8;

    private final TenantId tenant;
    private final TenantStore store;
    private final EngineLimits limits;
    private final PolicyCache policies;
    private final DocumentIdGenerator ids = new DocumentIdGenerator();
    private final AdmissionQueue queue;
    private final AppliedWatermark watermark;
    private final MutationApplier.WriterState state;
    private final Consumer<List<CommittedWrite>> onApplied;
    private final Thread writer;
    private final Thread syncer;
    // Committed batches waiting to be durable, in commit order. Bounded: a writer that runs
    // ahead of the disk waits here.
    private final BlockingQueue<InFlight> inFlight = new ArrayBlockingQueue<>(IN_FLIGHT_BATCHES_MAX);
    private volatile boolean writerDone;
    private volatile boolean syncing;
    // Set while the writer sleeps in nextForBatch; whoever makes it worth waking (a submit, the
    // syncer going idle) unparks it.
    private volatile boolean gathering;
    private int appliedSinceFlush; // the writer's
    private volatile NimbusException broken;
    // Completing futures wakes the callers' threads; doing it here keeps that off the writer.
    private final java.util.concurrent.ExecutorService acknowledger;
    private volatile boolean running = true;
    private volatile boolean halted;
    private final java.util.concurrent.atomic.LongAdder batches = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder requests = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder shed = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder applyNanos = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder commitNanos = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder syncs = new java.util.concurrent.atomic.LongAdder();
    // Per table, the highest applied sequence that wrote it since this pipeline started; tables
    // not written since then answer the sequence it started at (they may have been written up
    // to there). Updated before the watermark moves past the write.
    private final java.util.concurrent.ConcurrentHashMap<dev.nimbus.core.model.TableName, Long> lastWrites =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final long startedAt;
    // Per table, the highest sequence the writer has committed (or is about to commit) a write
    // to it at: set before the storage commit, so a snapshot that holds such a write always
    // finds it here. Only ever ahead of what is applied.
    private final java.util.concurrent.ConcurrentHashMap<dev.nimbus.core.model.TableName, Long> committedWrites =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Counters of the mutation path since start, for metrics: committed batches and requests,
     * requests shed by admission, requests waiting now, the writer's time spent applying and
     * committing batches, and the syncer's waits for durability (fsync) and their total time.
     */
    public record Stats(long batches, long requests, long shed, int queued, long applyNanos, long syncs,
                        long commitNanos) {
    }

    public Stats stats() {
        return new Stats(batches.sum(), requests.sum(), shed.sum(), queue.size(), applyNanos.sum(), syncs.sum(),
                commitNanos.sum());
    }

    public CommitPipeline(TenantId tenant, TenantStore store, EngineLimits limits, PolicyCache policies,
                          long lastSequence, Consumer<List<CommittedWrite>> onApplied) {
        this.tenant = tenant;
        this.store = store;
        this.limits = limits;
        this.policies = policies;
        this.watermark = new AppliedWatermark(lastSequence);
        this.startedAt = lastSequence;
        this.state = new MutationApplier.WriterState(new RecentWrites(limits.recentWritesMax(), lastSequence));
        this.onApplied = onApplied;
        this.writer = Thread.ofPlatform().name("nimbus-writer-" + tenant).daemon(true).unstarted(this::run);
        this.queue = new AdmissionQueue(limits.admissionQueueMax(), writer);
        this.acknowledger = java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> Thread.ofPlatform().name("nimbus-ack-" + tenant).daemon(true).unstarted(r));
        this.syncer = Thread.ofPlatform().name("nimbus-sync-" + tenant).daemon(true).unstarted(this::sync);
        writer.start();
        syncer.start();
    }

    /** A committed batch on its way to durability. */
    private record InFlight(PendingDurability durability, List<CommitRequest> accepted,
                            List<CommitOutcome> outcomes, List<CommittedWrite> writes, long lastSequence) {
    }

    public AppliedWatermark watermark() {
        return watermark;
    }

    /**
     * Admits a request or sheds it at once with {@code rate.overloaded}, before any durable work.
     * The returned future completes after the request's batch is durable and applied.
     */
    public void submit(CommitRequest request) {
        if (!running) {
            request.done().completeExceptionally(broken != null ? broken : new NimbusException(ErrorCode.UNAVAILABLE,
                    "tenant " + tenant + " is shutting down; retry"));
            return;
        }
        if (queue.offer(request)) {
            wakeGatheringWriter();
        } else {
            shed.increment();
            request.done().completeExceptionally(new NimbusException(ErrorCode.OVERLOADED,
                    "tenant " + tenant + " has " + limits.admissionQueueMax() + " writes waiting; retry after a backoff",
                    Map.of("capacity", Value.of((long) limits.admissionQueueMax()),
                            "retryability", Value.of("retryable_after_backoff"))));
        }
    }

    private void run() {
        List<CommitRequest> batch = new ArrayList<>();
        while ((running || !queue.isEmpty()) && broken == null) {
            if (halted) {
                return;
            }
            try {
                CommitRequest first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (Thread.interrupted() && halted) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                commit(batch);
            } catch (RuntimeException | Error e) {
                LOG.error("writer of tenant {} failed a batch", tenant, e);
                fail(batch, e);
            } finally {
                batch.clear();
            }
        }
        if (broken != null) {
            List<CommitRequest> dropped = new ArrayList<>();
            queue.drainTo(dropped);
            fail(dropped, broken);
        }
        writerDone = true;
    }

    private void commit(List<CommitRequest> batch) {
        List<CommitRequest> accepted = new ArrayList<>(batch.size());
        List<CommitOutcome> outcomes = new ArrayList<>(batch.size());
        List<CommittedWrite> writes = new ArrayList<>();
        state.batch.clear();
        appliedSinceFlush = 0;
        long started = System.nanoTime();
        PendingDurability durability = PendingDurability.DURABLE;
        try (WriteTransaction tx = store.beginWrite()) {
            MutationApplier applier = new MutationApplier(tx, state, policies, ids);
            long bytes = 0;
            for (int i = 0; i < batch.size(); i++) {
                CommitRequest r = batch.get(i);
                bytes += r.estimatedBytes();
                if (batch.size() == i + 1 && batch.size() < limits.batchMutationsMax() && bytes < limits.batchBytesMax()) {
                    CommitRequest next = nextForBatch(tx);
                    if (next != null) {
                        batch.add(next);
                    }
                }
                try {
                    MutationApplier.Applied applied = applier.apply(r);
                    appliedSinceFlush++;
                    accepted.add(r);
                    outcomes.add(applied.outcome());
                    writes.addAll(applied.writes());
                } catch (NimbusException e) {
                    if (isStorageFailure(e)) {
                        throw e; // the transaction is spoiled: the whole batch fails below
                    }
                    r.done().completeExceptionally(e);
                }
            }
            if (halted) {
                // Simulated crash: the transaction rolls back and nobody is acknowledged.
                fail(batch, new NimbusException(ErrorCode.UNAVAILABLE, "the engine stopped"));
                return;
            }
            if (!accepted.isEmpty()) {
                markTables(committedWrites, writes);
                durability = tx.commitDeferred();
                applyNanos.add(System.nanoTime() - started);
                batches.increment();
                requests.add(accepted.size());
            }
        } catch (RuntimeException e) {
            state.schemas.clear(); // the cache may hold schemas of the rolled-back batch
            // Every request of the batch not yet refused on its own fails: the ones applied before
            // the failure, the one that hit it, and the ones not reached.
            fail(batch, e);
            return;
        }
        if (accepted.isEmpty()) {
            return;
        }
        // Known to the next batch's conflict checks at once; applied once durable (sync()).
        long last = outcomes.stream().mapToLong(CommitOutcome::sequence).max().orElse(watermark.applied());
        state.recent.addAll(writes);
        InFlight committed = new InFlight(durability, List.copyOf(accepted), List.copyOf(outcomes), writes, last);
        while (true) {
            try {
                inFlight.put(committed);
                return;
            } catch (InterruptedException e) {
                if (halted) {
                    fail(committed.accepted(), new NimbusException(ErrorCode.UNAVAILABLE, "the engine stopped"));
                    return;
                }
            }
        }
    }

    /**
     * The syncer: takes committed batches in commit order, waits once for the newest of those
     * waiting to be durable (which covers the earlier ones), then applies each: visible to
     * readers, acknowledged, fanned out.
     */
    private void sync() {
        List<InFlight> group = new ArrayList<>();
        while (!(writerDone && inFlight.isEmpty())) {
            if (halted) {
                return;
            }
            try {
                InFlight first = inFlight.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                syncing = true;
                group.add(first);
                inFlight.drainTo(group);
                long syncing = System.nanoTime();
                for (InFlight f : group) {
                    f.durability().await(); // the first wait syncs; the others are covered by it
                }
                commitNanos.add(System.nanoTime() - syncing);
                syncs.increment();
                // The disk is free: the writer may commit its next batch while this group is
                // applied (the next sync still starts only after that).
                this.syncing = false;
                wakeGatheringWriter();
                if (halted) { // simulated crash: durable, perhaps, but nobody hears of it
                    NimbusException stopped = new NimbusException(ErrorCode.UNAVAILABLE, "the engine stopped");
                    group.forEach(f -> fail(f.accepted(), stopped));
                    return;
                }
                for (InFlight f : group) {
                    apply(f);
                }
            } catch (InterruptedException e) {
                if (halted) {
                    return;
                }
            } catch (RuntimeException | Error e) {
                breakDown(group, e);
                return;
            } finally {
                group.clear();
                syncing = false;
                wakeGatheringWriter();
            }
        }
    }

    /**
     * The highest applied sequence that wrote {@code table}, or a sequence at or after it: once
     * the watermark shows a write, this shows it too. O(1), no waiting.
     */
    public long lastAppliedWrite(dev.nimbus.core.model.TableName table) {
        return lastWrites.getOrDefault(table, startedAt);
    }

    /**
     * At least the sequence of every write to {@code table} in a committed (or committing) batch,
     * applied or not; if it is not past the watermark, nothing unapplied touches the table.
     */
    public long lastCommittedWrite(dev.nimbus.core.model.TableName table) {
        return committedWrites.getOrDefault(table, startedAt);
    }

    /**
     * Raises each written table's mark to its highest sequence in {@code writes}: one map update
     * per run of writes to the same table (a batch usually writes one table).
     */
    private static void markTables(java.util.concurrent.ConcurrentHashMap<dev.nimbus.core.model.TableName, Long> marks,
                                   List<CommittedWrite> writes) {
        dev.nimbus.core.model.TableName table = null;
        long highest = 0;
        for (CommittedWrite w : writes) {
            if (!w.table().equals(table)) {
                if (table != null) {
                    marks.merge(table, highest, Math::max);
                }
                table = w.table();
                highest = w.sequence();
            } else {
                highest = Math.max(highest, w.sequence());
            }
        }
        if (table != null) {
            marks.merge(table, highest, Math::max);
        }
    }

    private void apply(InFlight f) {
        markTables(lastWrites, f.writes());
        watermark.advance(f.lastSequence());
        acknowledger.execute(() -> {
            for (int i = 0; i < f.accepted().size(); i++) {
                f.accepted().get(i).done().complete(f.outcomes().get(i));
            }
        });
        if (!f.writes().isEmpty()) {
            onApplied.accept(f.writes());
        }
    }

    /**
     * A commit could not be made durable. Its writes are in the store but may not survive a
     * crash, so they are never applied (readers keep waiting on the watermark and time out) and
     * the tenant stops taking writes until it is reopened; every caller waiting is told.
     */
    private void breakDown(List<InFlight> group, Throwable cause) {
        LOG.error("tenant {}: a commit could not be made durable; the tenant stops taking writes", tenant, cause);
        NimbusException e = new NimbusException(ErrorCode.STORAGE_IO, "tenant " + tenant
                + ": a write could not be made durable; the tenant takes no writes until the server restarts");
        broken = e;
        running = false;
        List<InFlight> waiting = new ArrayList<>(group);
        inFlight.drainTo(waiting);
        for (InFlight f : waiting) {
            fail(f.accepted(), e);
        }
        while (!writerDone) { // bounded: the writer stops after its current batch
            InFlight more = inFlight.poll();
            if (more != null) {
                fail(more.accepted(), e);
            } else {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
        List<InFlight> rest = new ArrayList<>();
        inFlight.drainTo(rest);
        for (InFlight f : rest) {
            fail(f.accepted(), e);
        }
    }

    /**
     * The next request for the open batch: one already waiting, or, while the syncer is still
     * busy with earlier batches (so committing now would only wait for it), one that arrives
     * meanwhile. Bigger batches mean fewer commits and syncs for the same writes. Before it
     * waits, the writer hands the transaction's buffered rows to the store, so that when the
     * syncer frees up the commit has little left to do; a submit or the syncer finishing wakes
     * it at once.
     */
    private CommitRequest nextForBatch(WriteTransaction tx) {
        CommitRequest next = queue.poll();
        while (next == null && syncerBusy() && !halted) {
            if (appliedSinceFlush >= FLUSH_AFTER_REQUESTS) {
                tx.flush();
                appliedSinceFlush = 0;
                next = queue.poll();
                continue;
            }
            gathering = true;
            try {
                next = queue.poll();
                if (next == null && syncerBusy()) {
                    LockSupport.parkNanos(this, GATHER_PARK_NANOS);
                    if (Thread.interrupted()) {
                        return null; // halting: the batch is failed by the caller's check
                    }
                    next = queue.poll();
                }
            } finally {
                gathering = false;
            }
        }
        return next;
    }

    private boolean syncerBusy() {
        return syncing || !inFlight.isEmpty();
    }

    /** Wakes the writer if it is waiting for a request or for the syncer to finish. */
    private void wakeGatheringWriter() {
        if (gathering) {
            LockSupport.unpark(writer);
        }
    }

    private static boolean isStorageFailure(NimbusException e) {
        return switch (e.code()) {
            case STORAGE_BUSY, STORAGE_IO, STORAGE_CORRUPTION, STORAGE_OTHER, STORAGE_TRANSIENT, UNAVAILABLE,
                 INTERNAL -> true;
            default -> false;
        };
    }

    private static void fail(List<CommitRequest> requests, Throwable cause) {
        NimbusException e = cause instanceof NimbusException ne ? ne
                : new NimbusException(ErrorCode.INTERNAL, "internal error", Value.Obj.EMPTY, cause);
        for (CommitRequest r : requests) {
            r.done().completeExceptionally(e);
        }
    }

    /** Stops admitting, commits and syncs what was admitted, then stops the writer and syncer. */
    public void close() {
        running = false;
        try {
            writer.join(30_000);
            syncer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopAcknowledger();
    }

    private void stopAcknowledger() {
        acknowledger.shutdown();
        try {
            acknowledger.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops at once as a crash would: the current batch is not committed, queued requests are dropped. */
    public void halt() {
        halted = true;
        running = false;
        writer.interrupt();
        syncer.interrupt();
        try {
            writer.join(30_000);
            syncer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        NimbusException stopped = new NimbusException(ErrorCode.UNAVAILABLE, "the engine stopped");
        List<CommitRequest> dropped = new ArrayList<>();
        queue.drainTo(dropped);
        fail(dropped, stopped);
        List<InFlight> unsynced = new ArrayList<>();
        inFlight.drainTo(unsynced);
        for (InFlight f : unsynced) {
            try {
                f.durability().await(); // releases what the provider holds for it
            } catch (RuntimeException ignored) {
                // stopping anyway
            }
            fail(f.accepted(), stopped);
        }
        stopAcknowledger();
    }
}
