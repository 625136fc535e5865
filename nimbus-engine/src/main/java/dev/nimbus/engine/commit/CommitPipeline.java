package dev.nimbus.engine.commit;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.DocumentIdGenerator;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.EngineLimits;
import dev.nimbus.engine.schema.PolicyCache;
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
import java.util.function.Consumer;

/**
 * A tenant's mutation path: a bounded admission queue in front of one writer thread that drains
 * admitted requests in batches (bounded by count and estimated bytes) into ONE storage write
 * transaction, commits it durably, then applies: advances the watermark, completes the callers
 * and hands the batch's writes to subscription fan-out. A request is acknowledged only after
 * its batch is durable; a caller that stops waiting does not undo it.
 */
public final class CommitPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(CommitPipeline.class);

    private final TenantId tenant;
    private final TenantStore store;
    private final EngineLimits limits;
    private final PolicyCache policies;
    private final DocumentIdGenerator ids = new DocumentIdGenerator();
    private final BlockingQueue<CommitRequest> queue;
    private final AppliedWatermark watermark;
    private final MutationApplier.WriterState state;
    private final Consumer<List<CommittedWrite>> onApplied;
    private final Thread writer;
    // Completing futures wakes the callers' threads; doing it here keeps that off the writer.
    private final java.util.concurrent.ExecutorService acknowledger;
    private volatile boolean running = true;
    private volatile boolean halted;
    private final java.util.concurrent.atomic.LongAdder batches = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder requests = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder shed = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder applyNanos = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder commitNanos = new java.util.concurrent.atomic.LongAdder();

    /**
     * Counters of the mutation path since start, for metrics: committed batches and requests,
     * requests shed by admission, requests waiting now, and the writer's time spent applying
     * requests to the transaction versus committing it (fsync).
     */
    public record Stats(long batches, long requests, long shed, int queued, long applyNanos, long commitNanos) {
    }

    public Stats stats() {
        return new Stats(batches.sum(), requests.sum(), shed.sum(), queue.size(), applyNanos.sum(), commitNanos.sum());
    }

    public CommitPipeline(TenantId tenant, TenantStore store, EngineLimits limits, PolicyCache policies,
                          long lastSequence, Consumer<List<CommittedWrite>> onApplied) {
        this.tenant = tenant;
        this.store = store;
        this.limits = limits;
        this.policies = policies;
        this.queue = new ArrayBlockingQueue<>(limits.admissionQueueMax());
        this.watermark = new AppliedWatermark(lastSequence);
        this.state = new MutationApplier.WriterState(new RecentWrites(limits.recentWritesMax(), lastSequence));
        this.onApplied = onApplied;
        this.writer = Thread.ofPlatform().name("nimbus-writer-" + tenant).daemon(true).unstarted(this::run);
        this.acknowledger = java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> Thread.ofPlatform().name("nimbus-ack-" + tenant).daemon(true).unstarted(r));
        writer.start();
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
            request.done().completeExceptionally(new NimbusException(ErrorCode.UNAVAILABLE,
                    "tenant " + tenant + " is shutting down; retry"));
            return;
        }
        if (!queue.offer(request)) {
            shed.increment();
            request.done().completeExceptionally(new NimbusException(ErrorCode.OVERLOADED,
                    "tenant " + tenant + " has " + limits.admissionQueueMax() + " writes waiting; retry after a backoff",
                    Map.of("capacity", Value.of((long) limits.admissionQueueMax()),
                            "retryability", Value.of("retryable_after_backoff"))));
        }
    }

    private void run() {
        List<CommitRequest> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            if (halted) {
                return;
            }
            try {
                CommitRequest first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long bytes = first.estimatedBytes();
                while (batch.size() < limits.batchMutationsMax() && bytes < limits.batchBytesMax()) {
                    CommitRequest next = queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    bytes += next.estimatedBytes();
                }
                commit(batch);
            } catch (InterruptedException e) {
                if (halted) {
                    return;
                }
            } catch (RuntimeException | Error e) {
                LOG.error("writer of tenant {} failed a batch", tenant, e);
                fail(batch, e);
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<CommitRequest> batch) {
        List<CommitRequest> accepted = new ArrayList<>(batch.size());
        List<CommitOutcome> outcomes = new ArrayList<>(batch.size());
        List<CommittedWrite> writes = new ArrayList<>();
        state.batch.clear();
        long started = System.nanoTime();
        try (WriteTransaction tx = store.beginWrite()) {
            MutationApplier applier = new MutationApplier(tx, state, policies, ids);
            for (CommitRequest r : batch) {
                try {
                    MutationApplier.Applied applied = applier.apply(r);
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
                long committing = System.nanoTime();
                applyNanos.add(committing - started);
                tx.commit();
                commitNanos.add(System.nanoTime() - committing);
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
        // Apply: visible to readers, known to conflict checks, then acknowledged and fanned out.
        long last = outcomes.stream().mapToLong(CommitOutcome::sequence).max().orElse(watermark.applied());
        state.recent.addAll(writes);
        watermark.advance(last);
        List<CommitRequest> acknowledged = List.copyOf(accepted);
        List<CommitOutcome> results = List.copyOf(outcomes);
        acknowledger.execute(() -> {
            for (int i = 0; i < acknowledged.size(); i++) {
                acknowledged.get(i).done().complete(results.get(i));
            }
        });
        if (!writes.isEmpty()) {
            onApplied.accept(writes);
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

    /** Stops admitting, commits what was admitted, then stops the writer. */
    public void close() {
        running = false;
        try {
            writer.join(30_000);
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
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<CommitRequest> dropped = new ArrayList<>();
        queue.drainTo(dropped);
        fail(dropped, new NimbusException(ErrorCode.UNAVAILABLE, "the engine stopped"));
        stopAcknowledger();
    }
}
