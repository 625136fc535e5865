package dev.nimbus.server.functions;

import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.commit.CommittedWrite;
import dev.nimbus.engine.commit.ReadSet;
import dev.nimbus.engine.subscription.SubscriptionHub;
import dev.nimbus.runtime.FunctionKind;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A live query function. Each run records the function's read set (documents, index ranges,
 * scanned tables) and the snapshot it read at; a commit after that snapshot re-runs it only if a
 * write conflicts with the read set — a write to a table it never read does not. Commits that
 * arrive while a run is in progress are buffered and checked against the new read set, so none
 * is missed. Re-runs are serial per subscription, and a result equal to the last one delivered
 * is not delivered again.
 */
final class QueryFunctionSubscription implements SubscriptionHub.CommitListener, AutoCloseable {
    private final FunctionService service;
    private final TenantId tenant;
    private final Principal principal;
    private final String name;
    private final Value args;
    private final Consumer<Value> onResult;
    private final Consumer<NimbusException> onError;
    private final AtomicLong runs = new AtomicLong();
    private final Object lock = new Object();
    private AutoCloseable handle;
    private ReadSet reads;
    private long snapshot;
    private boolean running = true;
    private boolean overflowed;
    private boolean closed;
    private List<CommittedWrite> buffered = new ArrayList<>();
    private Value last;

    private QueryFunctionSubscription(FunctionService service, TenantId tenant, Principal principal, String name,
                                      Value args, Consumer<Value> onResult, Consumer<NimbusException> onError) {
        this.service = service;
        this.tenant = tenant;
        this.principal = principal;
        this.name = name;
        this.args = args;
        this.onResult = onResult;
        this.onError = onError;
    }

    /** Registers, runs once (throwing the function's error) and delivers the first result. */
    static QueryFunctionSubscription start(FunctionService service, Engine engine, TenantId tenant, Principal principal,
                                           String name, Value args, Consumer<Value> onResult,
                                           Consumer<NimbusException> onError) {
        QueryFunctionSubscription s = new QueryFunctionSubscription(service, tenant, principal, name, args, onResult, onError);
        s.handle = engine.watchCommits(tenant, s); // before the first run: no commit slips between
        try {
            s.runUntilQuiet(true);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** How many times the function ran (first run included). */
    long runs() {
        return runs.get();
    }

    @Override
    public void onCommits(List<CommittedWrite> writes) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (running) {
                buffered.addAll(writes);
                return;
            }
            if (!affected(writes)) {
                return;
            }
            running = true;
        }
        Thread.ofVirtual().name("nimbus-query-fn-" + name).start(() -> runUntilQuiet(false));
    }

    @Override
    public void onOverflow() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (running) {
                overflowed = true;
                return;
            }
            running = true;
        }
        Thread.ofVirtual().name("nimbus-query-fn-" + name).start(() -> runUntilQuiet(false));
    }

    private boolean affected(List<CommittedWrite> writes) {
        for (CommittedWrite w : writes) {
            if (w.sequence() > snapshot && reads.conflictsWith(w)) {
                return true;
            }
        }
        return false;
    }

    /** Runs the function until no buffered commit touches its latest read set. */
    private void runUntilQuiet(boolean first) {
        while (true) {
            FunctionService.Outcome outcome;
            try {
                runs.incrementAndGet();
                outcome = service.call(tenant, principal, name, FunctionKind.QUERY, args);
            } catch (NimbusException e) {
                if (first) {
                    throw e;
                }
                synchronized (lock) {
                    running = false;
                    buffered = new ArrayList<>();
                }
                onError.accept(e);
                return;
            }
            first = false;
            boolean again;
            synchronized (lock) {
                reads = outcome.readSet().orElseThrow();
                snapshot = outcome.snapshotSequence();
                again = overflowed || affected(buffered);
                overflowed = false;
                buffered = new ArrayList<>();
                running = again && !closed;
            }
            if (!outcome.value().equals(last)) {
                last = outcome.value();
                onResult.accept(outcome.value());
            }
            if (!again || isClosed()) {
                return;
            }
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        try {
            if (handle != null) {
                handle.close();
            }
        } catch (Exception ignored) {
            // removing a listener cannot fail
        }
    }
}
