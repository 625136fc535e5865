package dev.nimbus.engine;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.commit.CommitOutcome;
import dev.nimbus.engine.commit.CommitRequest;
import dev.nimbus.engine.commit.Operation;
import dev.nimbus.engine.commit.ReadSet;
import dev.nimbus.engine.query.QueryPlan;
import dev.nimbus.engine.query.QueryPlanner;
import dev.nimbus.engine.query.QueryRunner;
import dev.nimbus.engine.schema.PolicyCache;
import dev.nimbus.engine.scheduler.Scheduler;
import dev.nimbus.engine.subscription.Subscription;
import dev.nimbus.engine.transaction.Transaction;
import dev.nimbus.engine.verify.VerifyReport;
import dev.nimbus.engine.verify.Verifier;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.StoreReader;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The one door for every read, write, subscription and scheduled job, from every surface.
 * Validation, authorization, indexing, journaling and fan-out happen behind it and nowhere
 * else. Each tenant has one writer (group commit) and one delivery worker; reads run on
 * snapshots at the applied watermark. Thread-safe.
 */
public final class Engine implements AutoCloseable {
    private final StorageProvider storage;
    private final EngineLimits limits;
    private final PolicyCache policies = new PolicyCache();
    private final Map<TenantId, TenantEngine> tenants = new ConcurrentHashMap<>();
    private final Scheduler scheduler;
    private volatile boolean closed;

    public Engine(StorageProvider storage) {
        this(storage, EngineLimits.fromEnvironment());
    }

    public Engine(StorageProvider storage, EngineLimits limits) {
        this.storage = storage;
        this.limits = limits;
        this.scheduler = new Scheduler(this, limits.schedulerPollMillis());
        for (TenantId t : storage.list()) {
            scheduler.watch(t);
        }
        scheduler.start();
    }

    public EngineLimits limits() {
        return limits;
    }

    // ---- tenants ---------------------------------------------------------------------------

    public void createTenant(TenantId tenant) {
        storage.create(tenant);
        scheduler.watch(tenant);
    }

    public boolean tenantExists(TenantId tenant) {
        return storage.exists(tenant);
    }

    public List<TenantId> tenants() {
        return storage.list().stream().filter(t -> !t.isSystem()).toList();
    }

    public void dropTenant(TenantId tenant) {
        scheduler.unwatch(tenant);
        TenantEngine t = tenants.remove(tenant);
        if (t != null) {
            t.close();
        }
        storage.drop(tenant);
    }

    TenantEngine tenant(TenantId tenant) {
        if (closed) {
            throw new NimbusException(ErrorCode.UNAVAILABLE, "the engine is closed");
        }
        TenantEngine t = tenants.get(tenant);
        if (t != null) {
            return t;
        }
        return tenants.computeIfAbsent(tenant, id -> new TenantEngine(id, storage.open(id), limits, policies,
                writes -> scheduler.onApplied(id, writes)));
    }

    // ---- writes ----------------------------------------------------------------------------

    /** Submits one mutation; the future completes once it is durable and applied. */
    public CompletableFuture<CommitOutcome> submit(TenantId tenant, Principal principal, Mutation mutation) {
        Operation.Write write;
        try {
            write = new Operation.Write(mutation);
        } catch (NimbusException e) {
            return CompletableFuture.failedFuture(e);
        }
        return tenant(tenant).submit(CommitRequest.of(List.of(write), principal));
    }

    public CommitOutcome mutate(TenantId tenant, Principal principal, Mutation mutation) {
        return commit(tenant, principal, List.of(mutation));
    }

    /** Applies several mutations atomically (all or none), each with its own journal record. */
    public CommitOutcome commit(TenantId tenant, Principal principal, List<Mutation> mutations) {
        return commit(tenant, principal, mutations, m -> false);
    }

    /**
     * {@link #commit(TenantId, Principal, List)} where {@code generatedId} tells which inserts
     * carry an id freshly made by a {@link dev.nimbus.core.model.DocumentIdGenerator} for them:
     * new by construction, so the writer does not look them up.
     */
    public CommitOutcome commit(TenantId tenant, Principal principal, List<Mutation> mutations,
                                java.util.function.Predicate<Mutation> generatedId) {
        if (mutations.isEmpty()) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "nothing to commit");
        }
        List<Operation> ops = mutations.stream()
                .map(m -> (Operation) new Operation.Write(m, generatedId.test(m))).toList();
        return tenant(tenant).await(CommitRequest.of(ops, principal));
    }

    /** Commits with an execution id: a second commit with the same id applies nothing. */
    public CommitOutcome commitOnce(TenantId tenant, Principal principal, List<Operation> operations, String executionId) {
        CommitRequest r = new CommitRequest(operations, principal, -1, Optional.empty(), Optional.of(executionId),
                new CompletableFuture<>(), 256L * operations.size());
        return tenant(tenant).await(r);
    }

    // ---- schemas ---------------------------------------------------------------------------

    /** Sets or replaces a table's schema; changed indexes are rebuilt in the same transaction. */
    public void setSchema(TenantId tenant, Principal principal, TableSchema schema) {
        tenant(tenant).await(CommitRequest.of(List.of(new Operation.SetSchema(schema)), principal));
    }

    public void deleteSchema(TenantId tenant, Principal principal, TableName table) {
        tenant(tenant).await(CommitRequest.of(List.of(new Operation.DeleteSchema(table)), principal));
    }

    public Optional<TableSchema> schema(TenantId tenant, TableName table) {
        try (TenantEngine.ReadView v = tenant(tenant).read()) {
            return v.snapshot().schema(table);
        }
    }

    public List<TableName> tables(TenantId tenant) {
        try (TenantEngine.ReadView v = tenant(tenant).read()) {
            return v.snapshot().tables().stream().filter(t -> !t.isSystem()).toList();
        }
    }

    // ---- reads -----------------------------------------------------------------------------

    public Optional<Document> get(TenantId tenant, Principal principal, TableName table, DocumentId id) {
        TenantEngine t = tenant(tenant);
        try (TenantEngine.ReadView v = t.readOf(table)) {
            Optional<Document> d = v.snapshot().get(table, id);
            if (d.isPresent() && !t.readable(v.snapshot(), table, principal).test(d.get())) {
                throw new NimbusException(ErrorCode.PERMISSION_DENIED, "the access policy of table " + table
                        + " does not allow reading this document", Map.of("table", Value.of(table.value())));
            }
            return d;
        }
    }

    /** The whole result of a query (its limit, if any, applies). */
    public List<Document> query(TenantId tenant, Principal principal, Query query) {
        return page(tenant, principal, query, TenantEngine.limitOf(query), Optional.empty()).documents();
    }

    /**
     * One page in the query's effective order; {@code cursor} is the {@code nextCursor} of the
     * previous page. Pages are stable: each row appears once even when writes happen between pages.
     */
    public QueryRunner.Page page(TenantId tenant, Principal principal, Query query, int pageSize, Optional<String> cursor) {
        if (query.limit().isPresent() && query.limit().getAsInt() == 0) {
            return new QueryRunner.Page(List.of(), Optional.empty(), false);
        }
        if (pageSize == 0 || pageSize < -1) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "page size must be positive");
        }
        int size = query.limit().isPresent() && (pageSize < 0 || query.limit().getAsInt() < pageSize)
                ? query.limit().getAsInt() : pageSize;
        TenantEngine t = tenant(tenant);
        try (TenantEngine.ReadView v = t.readOf(query.table())) {
            if (size == 0) {
                return new QueryRunner.Page(List.of(), Optional.empty(), false);
            }
            return t.query(v.snapshot(), query, principal, size, cursor, QueryRunner.ReadRecorder.NONE);
        }
    }

    /** Which plan the query would run with: the index and range, or a table scan. */
    public QueryPlan explain(TenantId tenant, Query query) {
        return QueryPlanner.plan(query, schema(tenant, query.table()));
    }

    /** Registers a live query; its first result is available before this returns. */
    public Subscription subscribe(TenantId tenant, Principal principal, Query query, Runnable onUpdate) {
        return tenant(tenant).hub.subscribe(query, principal, onUpdate);
    }

    /**
     * Tells {@code listener} of every batch applied to the tenant from now on (on the tenant's
     * delivery worker); closing the handle stops it. For subscriptions whose invalidation the
     * caller decides itself, e.g. a query function re-run when its read set was written.
     */
    public AutoCloseable watchCommits(TenantId tenant, dev.nimbus.engine.subscription.SubscriptionHub.CommitListener listener) {
        return tenant(tenant).hub.listen(listener);
    }

    /** Commit counters of a tenant's mutation path (batches, requests, shed, queued). */
    public dev.nimbus.engine.commit.CommitPipeline.Stats commitStats(TenantId tenant) {
        return tenant(tenant).pipeline.stats();
    }

    /** Tenants this engine has open now (for metrics; opening none). */
    /** Whether the tenant is open in this engine now (then it exists; cheaper than {@link #tenantExists}). */
    public boolean isLoaded(TenantId tenant) {
        return tenants.containsKey(tenant);
    }

    public java.util.Set<TenantId> loadedTenants() {
        return java.util.Set.copyOf(tenants.keySet());
    }

    /** Live subscriptions of a tenant. */
    public int subscriptionCount(TenantId tenant) {
        return tenant(tenant).hub.size();
    }

    public long appliedSequence(TenantId tenant) {
        return tenant(tenant).pipeline.watermark().applied();
    }

    /**
     * Where the tenant's last applied write to {@code table} landed, without waiting or reading
     * storage: {@code sequence} is at least the sequence of every applied write to the table
     * (exact once the table has been written since the tenant was opened). {@code incarnation}
     * tells apart the tenant's openings in this engine (sequences of a tenant dropped and created
     * again start over), so compare marks only with the same incarnation.
     */
    public TableWriteMark lastAppliedWrite(TenantId tenant, TableName table) {
        TenantEngine t = tenant(tenant);
        return new TableWriteMark(t.incarnation, t.pipeline.lastAppliedWrite(table));
    }

    /** See {@link #lastAppliedWrite}. */
    public record TableWriteMark(long incarnation, long sequence) {
    }

    /**
     * Which opening of the tenant in this engine serves it now: it changes when the tenant is
     * dropped and created again, so state cached about a tenant can carry it and be dropped when
     * it no longer matches.
     */
    public long incarnation(TenantId tenant) {
        return tenant(tenant).incarnation;
    }

    public List<JournalRecord> journal(TenantId tenant, long afterSequence, int limit) {
        try (TenantEngine.ReadView v = tenant(tenant).read()) {
            return v.snapshot().readJournal(afterSequence, limit);
        }
    }

    /** A consistent copy of a tenant at one applied sequence: what a replica starts from. */
    public record Bootstrap(long sequence, Map<TableName, TableSchema> schemas, Map<TableName, List<Document>> documents,
                            List<String> executionIds) {
    }

    /**
     * Every user table's schema and documents, and the executed scheduled-job ids, from one
     * snapshot; resume the journal after {@link Bootstrap#sequence()}. Bounded by
     * {@link EngineLimits#docsScannedMax()} documents ({@code op.cap_exceeded} beyond).
     */
    public Bootstrap bootstrap(TenantId tenant) {
        try (TenantEngine.ReadView v = tenant(tenant).read()) {
            Map<TableName, TableSchema> schemas = new java.util.LinkedHashMap<>();
            Map<TableName, List<Document>> documents = new java.util.LinkedHashMap<>();
            List<String> executions = new java.util.ArrayList<>();
            int count = 0;
            for (TableName table : v.snapshot().tables()) {
                List<Document> docs = new java.util.ArrayList<>();
                Optional<DocumentId> after = Optional.empty();
                while (true) {
                    List<Document> page = v.snapshot().scanDocuments(table, new dev.nimbus.storage.DocumentScan(after, false, 1000));
                    count += page.size();
                    if (count > limits.docsScannedMax()) {
                        throw new NimbusException(ErrorCode.CAP_EXCEEDED, "the tenant holds more than "
                                + limits.docsScannedMax() + " documents; page through the journal instead");
                    }
                    docs.addAll(page);
                    if (page.size() < 1000) {
                        break;
                    }
                    after = Optional.of(page.get(page.size() - 1).id());
                }
                if (table.value().equals("_executions")) {
                    docs.forEach(d -> {
                        if (d.fields().get("execution_id") instanceof Value.Str id) {
                            executions.add(id.value());
                        }
                    });
                } else if (!table.isSystem()) {
                    documents.put(table, docs);
                    v.snapshot().schema(table).ifPresent(sc -> schemas.put(table, sc));
                }
            }
            return new Bootstrap(v.sequence(), schemas, documents, executions);
        }
    }

    // ---- transactions ----------------------------------------------------------------------

    /**
     * Runs {@code body} as an optimistic transaction, retrying on conflict up to
     * {@link EngineLimits#occAttemptsMax()} attempts with jittered exponential backoff; then
     * fails with {@code op.conflict}. Other errors end it at once. {@code body} may run more than
     * once and must have no effects outside the transaction.
     */
    public <T> T transact(TenantId tenant, Principal principal, Function<Transaction, T> body) {
        return transactDetailed(tenant, principal, body).value();
    }

    /** What a transaction returned and, if it wrote anything, where its commit landed. */
    public record TransactionResult<T>(T value, Optional<CommitOutcome> commit) {
    }

    /** {@link #transact} that also reports the commit (sequence, touched ids). */
    public <T> TransactionResult<T> transactDetailed(TenantId tenant, Principal principal, Function<Transaction, T> body) {
        TenantEngine t = tenant(tenant);
        NimbusException last = null;
        for (int attempt = 1; attempt <= limits.occAttemptsMax(); attempt++) {
            T result;
            Transaction tx;
            boolean read;
            long readAt;
            // The snapshot opens on the first read: a transaction that only inserts (new ids)
            // reads nothing and commits as plain writes, without waiting for one.
            try (LazyReadView v = new LazyReadView(t)) {
                ReadSet readSet = new ReadSet();
                tx = new Transaction(reads(t, v, principal, readSet), readSet, v::snapshotSequence);
                result = body.apply(tx);
                read = v.opened();
                readAt = read ? v.readSequence() : -1;
            }
            if (tx.stagedMutations().isEmpty()) {
                return new TransactionResult<>(result, Optional.empty());
            }
            List<Operation> ops = tx.stagedMutations().stream()
                    .map(m -> (Operation) new Operation.Write(m, tx.hasGeneratedId(m))).toList();
            CommitRequest r = read
                    ? new CommitRequest(ops, principal, readAt, Optional.of(tx.readSet()),
                            Optional.empty(), new CompletableFuture<>(), 256L * ops.size())
                    : CommitRequest.of(ops, principal);
            try {
                return new TransactionResult<>(result, Optional.of(t.await(r)));
            } catch (NimbusException e) {
                if (e.code() != ErrorCode.CONFLICT) {
                    throw e;
                }
                last = e;
            }
            backoff(attempt);
        }
        throw new NimbusException(ErrorCode.CONFLICT, "the transaction conflicted with other writes "
                + limits.occAttemptsMax() + " times; retry later", new Value.Obj(Map.of(
                "attempts", Value.of((long) limits.occAttemptsMax()), "retryability", Value.of("retryable"))),
                last);
    }

    private void backoff(int attempt) {
        long ceiling = Math.min(limits.occMaxBackoffMillis(),
                limits.occInitialBackoffMillis() << Math.min(20, attempt - 1));
        if (ceiling <= 0) {
            return;
        }
        long sleep = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        try {
            Thread.sleep(sleep);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NimbusException(ErrorCode.CANCELLED, "interrupted while retrying a transaction");
        }
    }

    /**
     * A transaction's snapshot, opened on first use and read table by table
     * ({@link TenantEngine.ScopedView}): a read waits for a commit in flight only if that commit
     * wrote the table read. {@link #snapshotSequence} (what {@code Transaction.snapshotSequence}
     * returns, e.g. to key a cache by) makes the whole snapshot applied state first.
     */
    private static final class LazyReadView implements AutoCloseable {
        private final TenantEngine tenant;
        private TenantEngine.ScopedView view;

        LazyReadView(TenantEngine tenant) {
            this.tenant = tenant;
        }

        StoreReader reader(TableName table) {
            return view().reader(table);
        }

        /** The snapshot's sequence, every table of it applied state. */
        long snapshotSequence() {
            TenantEngine.ScopedView v = view();
            v.awaitAll();
            return v.sequence();
        }

        /** The applied sequence the tables read so far correspond to (for the commit's conflict check). */
        long readSequence() {
            return view().sequence();
        }

        boolean opened() {
            return view != null;
        }

        private TenantEngine.ScopedView view() {
            if (view == null) {
                view = tenant.new ScopedView();
            }
            return view;
        }

        @Override
        public void close() {
            if (view != null) {
                view.close();
            }
        }
    }

    private static Transaction.Reads reads(TenantEngine t, LazyReadView view, Principal principal, ReadSet readSet) {
        return new Transaction.Reads() {
            @Override
            public Optional<Document> get(TableName table, DocumentId id) {
                StoreReader snapshot = view.reader(table);
                readSet.document(table, id);
                Optional<Document> d = snapshot.get(table, id);
                if (d.isPresent() && !t.readable(snapshot, table, principal).test(d.get())) {
                    throw new NimbusException(ErrorCode.PERMISSION_DENIED, "the access policy of table " + table
                            + " does not allow reading this document");
                }
                return d;
            }

            @Override
            public List<Document> query(Query query) {
                return t.query(view.reader(query.table()), query, principal, TenantEngine.limitOf(query),
                        Optional.empty(), readSet).documents();
            }

            @Override
            public List<Document> order(Query query, List<Document> documents) {
                return QueryRunner.order(query, QueryPlanner.plan(query, view.reader(query.table()).schema(query.table())),
                        documents);
            }
        };
    }

    // ---- scheduling and verification -------------------------------------------------------

    public Scheduler scheduler() {
        return scheduler;
    }

    /** Checks index entries against documents and the journal against documents. */
    public VerifyReport verify(TenantId tenant) {
        try (TenantEngine.ReadView v = tenant(tenant).read()) {
            return Verifier.verify(v.snapshot());
        }
    }

    /** Stops admitting writes, commits what was admitted, stops workers. Storage stays open. */
    @Override
    public void close() {
        closed = true;
        scheduler.close();
        for (TenantEngine t : tenants.values()) {
            t.close();
        }
        tenants.clear();
    }

    /** Stops as a crash would: in-flight batches are not committed, queued writes are dropped. */
    public void halt() {
        closed = true;
        scheduler.close();
        for (TenantEngine t : tenants.values()) {
            t.halt();
        }
        tenants.clear();
    }
}
