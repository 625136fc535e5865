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
 */
final class VerifiedBundles implements AutoCloseable {
    private final Engine engine;
    private final Map<TenantId, Cached> cached = new ConcurrentHashMap<>();

    VerifiedBundles(Engine engine) {
        this.engine = engine;
    }

    /**
     * The deployment's bundle: the cached instance if the bundles' table was not written since
     * it was read, else read now.
     */
    Bundle bundle(TenantId tenant, Deployment deployment) {
        Engine.TableWriteMark mark = engine.lastAppliedWrite(tenant, Deployments.TABLE);
        Cached c = cached.get(tenant);
        // By generation, not instance: a nested call's deployment is a copy reading the caller's bytes.
        if (c != null && c.deployment.generation() == deployment.generation()
                && c.deployment.sha256().equals(deployment.sha256())
                && c.incarnation == mark.incarnation() && mark.sequence() <= c.readFrom) {
            return c.bundle;
        }
        // Every write to the table applied up to readFrom is visible to the read that follows.
        long readFrom = engine.appliedSequence(tenant);
        Bundle read = deployment.source().get();
        Cached fresh = new Cached(deployment, read, mark.incarnation(), readFrom);
        cached.merge(tenant, fresh, (old, now) -> old.incarnation == now.incarnation && old.readFrom > now.readFrom
                && old.deployment.generation() == now.deployment.generation() ? old : now); // the newer read stays
        return read;
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
