package dev.nimbus.server.functions;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.commit.ReadSet;
import dev.nimbus.runtime.Bundle;
import dev.nimbus.runtime.FunctionKind;
import dev.nimbus.runtime.FunctionRuntime;
import dev.nimbus.runtime.Invocation;
import dev.nimbus.runtime.InvocationResult;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs deployed functions against the engine: the one place that decides how each kind touches
 * data. A query runs in a read-only engine transaction (one snapshot; its read set is kept for
 * subscriptions); a mutation runs in an engine OCC transaction that the engine retries on
 * conflict (bounded) and commits once; an action runs without a transaction and reaches data
 * through nested queries and mutations.
 *
 * <p>A mutation not yet seen reading runs blind first (no snapshot: its inserts are staged and
 * committed atomically with {@code Engine.commit}, which is what its transaction would commit,
 * its read set being empty); the first read ends that run, which is discarded, and the mutation
 * runs again in a transaction, as do all later calls of that function of that deployment.
 */
public final class FunctionService implements AutoCloseable, dev.nimbus.server.ws.NamedQueries {
    /**
     * A finished invocation.
     *
     * @param readSet          what a query read (empty for other kinds)
     * @param snapshotSequence the applied sequence a query read at (-1 for other kinds)
     */
    public record Outcome(Value value, List<String> logs, Optional<ReadSet> readSet, long snapshotSequence) {
    }

    private final Engine engine;
    private volatile FunctionRuntime runtime;
    private final Deployments deployments;
    private final FunctionJobs jobs;
    private final ActionFetch fetch = new ActionFetch();
    private final FunctionSettings settings;
    private final VerifiedBundles bundles;
    /** Per tenant, the mutations of its active deployment seen reading: they skip the blind run. */
    private final Map<TenantId, ReadingMutations> readingMutations = new ConcurrentHashMap<>();

    private record ReadingMutations(String sha256, Set<String> names) {
    }

    public FunctionService(Engine engine, FunctionSettings settings) {
        this.engine = engine;
        this.settings = settings;
        this.deployments = new Deployments(engine);
        this.bundles = new VerifiedBundles(engine);
        this.jobs = new FunctionJobs(engine, this);
        jobs.start();
    }

    /** The runtime, created on first use: a server without functions pays nothing for GraalJS. */
    public FunctionRuntime runtime() {
        FunctionRuntime r = runtime;
        if (r == null) {
            synchronized (this) {
                r = runtime;
                if (r == null) {
                    r = new FunctionRuntime(settings.limits());
                    runtime = r;
                }
            }
        }
        return r;
    }

    public Deployments deployments() {
        return deployments;
    }

    public FunctionSettings settings() {
        return settings;
    }

    FunctionJobs jobs() {
        return jobs;
    }

    ActionFetch fetcher() {
        return fetch;
    }

    Optional<String> environment(TenantId tenant, String name) {
        return deployments.active(tenant).map(a -> a.environment().get(name));
    }

    /** A client's call of a public function of the tenant's active deployment. */
    public Outcome call(TenantId tenant, Principal principal, String name, FunctionKind kind, Value args) {
        Deployments.Active active = deployments.active(tenant).orElseThrow(() -> new NimbusException(ErrorCode.NOT_FOUND,
                "no functions are deployed to tenant " + tenant + "; deploy them with 'nimbus deploy'",
                Map.of("tenantId", Value.of(tenant.value()))));
        return run(Invocation.client(tenant, active.deployment(), name, kind, args), principal);
    }

    /**
     * Runs an invocation (top-level or nested) with the engine semantics of its kind. A top-level
     * call holds one of its tenant's invocation slots while its JavaScript runs: taken before the
     * engine opens the transaction's snapshot (so queued callers hold no storage snapshot) and
     * given back before the commit (so slots do not wait for fsync, many mutations await their
     * commits at once and those commits share fsyncs).
     */
    Outcome run(Invocation call, Principal principal) {
        boolean blindFirst = call.kind() == FunctionKind.MUTATION && !knownToRead(call);
        Slot slot = new Slot(call);
        try {
            slot.take();
            // The bundle as stored: the cached instance while the engine shows its table
            // unwritten since it was read, else read now, before any snapshot of the call; the
            // runtime hashes every instance it has not hashed before.
            Bundle stored = bundles.bundle(call.tenant(), call.deployment());
            Invocation inv = call.withSource(() -> stored);
            return switch (inv.kind()) {
                case QUERY -> {
                    AtomicReference<ReadSet> reads = new AtomicReference<>();
                    long[] snapshot = {-1};
                    InvocationResult r = engine.transact(inv.tenant(), principal, tx -> {
                        reads.set(tx.readSet());
                        snapshot[0] = tx.snapshotSequence();
                        return slot.during(() -> runtime().invokeAdmitted(inv,
                                new EngineHostBridge(this, engine, inv, principal, tx)));
                    });
                    yield new Outcome(r.value(), r.logs(), Optional.of(reads.get()), snapshot[0]);
                }
                case MUTATION -> {
                    if (blindFirst) {
                        Optional<Outcome> done = blindMutation(inv, principal, slot);
                        if (done.isPresent()) {
                            yield done.get();
                        }
                        markReads(inv); // it asked for a snapshot: from now on it runs in a transaction
                    }
                    AtomicReference<EngineHostBridge> last = new AtomicReference<>();
                    InvocationResult r = engine.transact(inv.tenant(), principal, tx -> {
                        EngineHostBridge bridge = new EngineHostBridge(this, engine, inv, principal, tx);
                        last.set(bridge);
                        return slot.during(() -> runtime().invokeAdmitted(inv, bridge));
                    });
                    jobs.create(inv.tenant(), last.get().stagedJobs());
                    yield new Outcome(r.value(), r.logs(), Optional.empty(), -1);
                }
                case ACTION, HTTP_ACTION -> {
                    InvocationResult r = slot.during(() -> runtime().invokeAdmitted(inv,
                            new EngineHostBridge(this, engine, inv, principal, null)));
                    yield new Outcome(r.value(), r.logs(), Optional.empty(), -1);
                }
            };
        } finally {
            slot.give();
        }
    }

    /**
     * Runs a mutation without a snapshot and, unless it needed one, commits its inserts at once;
     * empty when it asked for a snapshot (the run is discarded: nothing committed or scheduled).
     */
    private Optional<Outcome> blindMutation(Invocation inv, Principal principal, Slot slot) {
        EngineHostBridge bridge = EngineHostBridge.blind(this, engine, inv, principal);
        InvocationResult r;
        try {
            r = slot.during(() -> runtime().invokeAdmitted(inv, bridge));
        } catch (RuntimeException e) {
            if (bridge.snapshotNeeded()) {
                return Optional.empty();
            }
            throw e;
        }
        if (bridge.snapshotNeeded()) {
            return Optional.empty(); // the function caught the refusal: its result is not trusted
        }
        List<Mutation> writes = bridge.blindWrites();
        if (!writes.isEmpty()) {
            engine.commit(inv.tenant(), principal, writes, m -> true); // only inserts, ids generated here
        }
        jobs.create(inv.tenant(), bridge.stagedJobs());
        return Optional.of(new Outcome(r.value(), r.logs(), Optional.empty(), -1));
    }

    private boolean knownToRead(Invocation inv) {
        ReadingMutations r = readingMutations.get(inv.tenant());
        return r != null && r.sha256().equals(inv.deployment().sha256()) && r.names().contains(inv.name());
    }

    private void markReads(Invocation inv) {
        String sha = inv.deployment().sha256();
        readingMutations.compute(inv.tenant(), (t, r) -> {
            ReadingMutations now = r != null && r.sha256().equals(sha) ? r
                    : new ReadingMutations(sha, ConcurrentHashMap.newKeySet());
            now.names().add(inv.name());
            return now;
        });
    }

    /** The tenant slot of one top-level invocation (nested calls run under their caller's). */
    private final class Slot {
        private final Invocation inv;
        private FunctionRuntime.Admission held;

        Slot(Invocation inv) {
            this.inv = inv;
        }

        void take() {
            if (held == null && inv.depth() == 0) {
                held = runtime().admit(inv.tenant());
            }
        }

        void give() {
            if (held != null) {
                held.close();
                held = null;
            }
        }

        /** Runs {@code work} holding the slot (re-taken on an OCC retry) and gives it back after. */
        <T> T during(java.util.function.Supplier<T> work) {
            take();
            try {
                return work.get();
            } finally {
                give();
            }
        }
    }

    @Override
    public AutoCloseable subscribe(TenantId tenant, Principal principal, String name, Value args,
                                   java.util.function.Consumer<Value> onResult,
                                   java.util.function.Consumer<NimbusException> onError) {
        return QueryFunctionSubscription.start(this, engine, tenant, principal, name, args, onResult, onError);
    }

    @Override
    public void close() {
        jobs.close();
        bundles.close();
        synchronized (this) {
            if (runtime != null) {
                runtime.close();
            }
        }
    }
}
