package dev.nimbus.server.functions;

import dev.nimbus.core.model.TenantId;
import dev.nimbus.engine.Engine;
import dev.nimbus.runtime.Bundle;
import dev.nimbus.runtime.Deployment;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each tenant's deployed bundle as last read from the store, reused by later invocations for as
 * long as the engine shows its stored document unchanged; otherwise the bytes are read again (and
 * the runtime hashes the new instance). The proof is {@link Engine#lastAppliedWrite}: the cached
 * bytes were read after every write to {@code _function_bundles} applied up to a sequence, and
 * no write to that table has been applied after it. A write to the bundle (a redeploy, or bytes
 * changed after deploy) is therefore caught by the first invocation that starts after it was
 * applied, as when every invocation read the store, but without a storage snapshot per call and
 * without waiting for anything.
 *
 * <p>The ticket / use protocol lets a caller run a mutation on a bundle before its proof; here
 * every bundle handed out is proven when it is chosen, so a ticket is always caught up and a use
 * never provisional.
 */
final class VerifiedBundles implements AutoCloseable {
    /** An invocation's start; {@code caughtUp}: proof of the cached bundle needs no further wait. */
    record Ticket(TenantId tenant, boolean caughtUp) {
    }

    /** The bundle an invocation runs: {@code provisional} when cached but not yet proven current. */
    record Use(Bundle bundle, boolean provisional) {
    }

    private final Engine engine;
    private final Map<TenantId, Cached> cached = new ConcurrentHashMap<>();

    VerifiedBundles(Engine engine) {
        this.engine = engine;
    }

    Ticket start(TenantId tenant) {
        return new Ticket(tenant, true);
    }

    /** Nothing to wait for: the engine's mark is current when it is read. */
    Ticket await(Ticket ticket) {
        return ticket;
    }

    /** True if the use was current for its invocation (always: uses are proven when chosen). */
    boolean confirm(Ticket ticket, Use use) {
        return !use.provisional();
    }

    /**
     * The deployment's bundle: the cached instance if the bundles' table was not written since
     * it was read, else read now.
     */
    Use bundle(Ticket ticket, Deployment deployment, boolean provisionalOk) {
        TenantId tenant = ticket.tenant();
        Engine.TableWriteMark mark = engine.lastAppliedWrite(tenant, Deployments.TABLE);
        Cached c = cached.get(tenant);
        // By generation, not instance: a nested call's deployment is a copy reading the caller's bytes.
        if (c != null && c.deployment.generation() == deployment.generation()
                && c.deployment.sha256().equals(deployment.sha256())
                && c.incarnation == mark.incarnation() && mark.sequence() <= c.readFrom) {
            return new Use(c.bundle, false);
        }
        // Every write to the table applied up to readFrom is visible to the read that follows.
        long readFrom = engine.appliedSequence(tenant);
        Bundle read = deployment.source().get();
        Cached fresh = new Cached(deployment, read, mark.incarnation(), readFrom);
        cached.merge(tenant, fresh, (old, now) -> old.incarnation == now.incarnation && old.readFrom > now.readFrom
                && old.deployment.generation() == now.deployment.generation() ? old : now); // the newer read stays
        return new Use(read, false);
    }

    /** Forgets a tenant's cached bundle. */
    void forget(TenantId tenant) {
        cached.remove(tenant);
    }

    @Override
    public void close() {
        cached.clear();
    }

    /**
     * @param incarnation the tenant's opening in the engine when the read started
     * @param readFrom    the applied sequence before the read started (the read saw at least this)
     */
    private record Cached(Deployment deployment, Bundle bundle, long incarnation, long readFrom) {
    }
}
