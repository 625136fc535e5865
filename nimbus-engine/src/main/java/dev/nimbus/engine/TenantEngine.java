package dev.nimbus.engine;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.engine.commit.CommitOutcome;
import dev.nimbus.engine.commit.CommitPipeline;
import dev.nimbus.engine.commit.CommitRequest;
import dev.nimbus.engine.query.FilterEvaluator;
import dev.nimbus.engine.query.QueryPlan;
import dev.nimbus.engine.query.QueryPlanner;
import dev.nimbus.engine.query.QueryRunner;
import dev.nimbus.engine.schema.PolicyCache;
import dev.nimbus.engine.subscription.SubscriptionHub;
import dev.nimbus.engine.subscription.SubscriptionUpdate;
import dev.nimbus.storage.Snapshot;
import dev.nimbus.storage.StoreReader;
import dev.nimbus.storage.TenantStore;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

/** One tenant inside the engine: its store, its writer, its subscriptions. */
final class TenantEngine {
    final TenantId tenant;
    final TenantStore store;
    final EngineLimits limits;
    final PolicyCache policies;
    final CommitPipeline pipeline;
    private static final java.util.concurrent.atomic.AtomicLong INCARNATIONS = new java.util.concurrent.atomic.AtomicLong();
    /** Tells this opening of the tenant from earlier ones in this process. */
    final long incarnation = INCARNATIONS.incrementAndGet();
    final SubscriptionHub hub;

    /** {@code onApplied} hears of every applied batch's writes, after subscriptions do. */
    TenantEngine(TenantId tenant, TenantStore store, EngineLimits limits, PolicyCache policies,
                 java.util.function.Consumer<java.util.List<dev.nimbus.engine.commit.CommittedWrite>> onApplied) {
        this.tenant = tenant;
        this.store = store;
        this.limits = limits;
        this.policies = policies;
        long last;
        try (Snapshot s = store.snapshot()) {
            last = s.lastSequence();
        }
        this.hub = new SubscriptionHub(tenant, limits.subscriptionsMax(), limits.changeQueueMax(), this::evaluate);
        this.pipeline = new CommitPipeline(tenant, store, limits, policies, last, writes -> {
            hub.onApplied(writes);
            onApplied.accept(writes);
        });
    }

    /** A snapshot whose state is exactly the applied state at its sequence. */
    ReadView read() {
        Snapshot s = store.snapshot();
        try {
            long seq = s.lastSequence();
            pipeline.watermark().awaitApplied(seq, limits.visibilityWaitMillis());
            return new ReadView(s, seq);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * A snapshot for reading {@code table} only, whose state of that table is exactly the applied
     * state: it waits for the applied watermark only if the snapshot holds a committed batch not
     * yet applied that wrote this table (a write elsewhere in flight does not hold the read up).
     * The view's sequence is then the applied one its table's state corresponds to.
     */
    ReadView readOf(dev.nimbus.core.model.TableName table) {
        ScopedView v = new ScopedView();
        try {
            v.reader(table);
            return new ReadView(v.snapshot, v.sequence());
        } catch (RuntimeException e) {
            v.close();
            throw e;
        }
    }

    /**
     * A snapshot read table by table (a transaction's): each table's state is the applied state,
     * waiting for the applied watermark only when a table about to be read was written by a
     * batch the snapshot holds but that is not applied yet. {@link #sequence} is the applied
     * sequence every table read so far corresponds to; {@link #awaitAll} makes the whole
     * snapshot applied state (its sequence then the snapshot's).
     */
    final class ScopedView implements AutoCloseable {
        private final Snapshot snapshot;
        private final long snapshotSequence;
        private long sequence;

        ScopedView() {
            this.snapshot = store.snapshot();
            try {
                this.snapshotSequence = snapshot.lastSequence();
                this.sequence = Math.min(snapshotSequence, pipeline.watermark().applied());
            } catch (RuntimeException e) {
                snapshot.close();
                throw e;
            }
        }

        /** The snapshot, once reading {@code table} from it gives the table's applied state. */
        StoreReader reader(dev.nimbus.core.model.TableName table) {
            if (sequence < snapshotSequence && pipeline.lastCommittedWrite(table) > sequence) {
                awaitAll();
            }
            return snapshot;
        }

        void awaitAll() {
            if (sequence < snapshotSequence) {
                pipeline.watermark().awaitApplied(snapshotSequence, limits.visibilityWaitMillis());
                sequence = snapshotSequence;
            }
        }

        long sequence() {
            return sequence;
        }

        @Override
        public void close() {
            snapshot.close();
        }
    }

    record ReadView(Snapshot snapshot, long sequence) implements AutoCloseable {
        @Override
        public void close() {
            snapshot.close();
        }
    }

    CompletableFuture<CommitOutcome> submit(CommitRequest request) {
        pipeline.submit(request);
        return request.done();
    }

    CommitOutcome await(CommitRequest request) {
        try {
            return submit(request).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new NimbusException(ErrorCode.INTERNAL, "internal error");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NimbusException(ErrorCode.CANCELLED, "interrupted while waiting for the commit; "
                    + "the write may still be applied");
        }
    }

    Predicate<Document> readable(StoreReader reader, TableName table, Principal principal) {
        if (principal.bypassesPolicies()) {
            return d -> true;
        }
        var policy = policies.of(reader.schema(table));
        if (!policy.restrictsReads()) {
            return d -> true; // no read rule: nothing to evaluate, no document view to build
        }
        return d -> policy.allowsRead(principal, d.toObject());
    }

    QueryRunner.Page query(StoreReader reader, Query query, Principal principal, int pageSize,
                           Optional<String> cursor, QueryRunner.ReadRecorder recorder) {
        FilterEvaluator.validate(query.filter());
        Optional<TableSchema> schema = reader.schema(query.table());
        QueryPlan plan = QueryPlanner.plan(query, schema);
        return QueryRunner.run(reader, query, plan, readable(reader, query.table(), principal), pageSize, cursor,
                recorder, limits.docsScannedMax());
    }

    static int limitOf(Query q) {
        return q.limit().isPresent() ? q.limit().getAsInt() : -1;
    }

    private SubscriptionUpdate evaluate(Query query, Principal principal) {
        try (ReadView view = read()) {
            QueryRunner.Page page = query(view.snapshot(), query, principal, limitOf(query), Optional.empty(),
                    QueryRunner.ReadRecorder.NONE);
            return new SubscriptionUpdate(view.sequence(), page.documents());
        }
    }

    void close() {
        pipeline.close();
        hub.close();
    }

    void halt() {
        pipeline.halt();
        hub.close();
    }
}
