package dev.nimbus.server.functions;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.DocumentIdGenerator;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.runtime.Bundle;
import dev.nimbus.runtime.Deployment;
import dev.nimbus.runtime.Manifest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each tenant's deployed code. A deploy writes the bundle (modules, manifest, SHA-256,
 * environment) as one document of the tenant's system table {@code _function_bundles} through the
 * engine, then swaps the tenant's active {@link Deployment} atomically: in-flight invocations keep
 * the generation they started with. Invocations take the bundle's bytes from the store (through
 * {@link VerifiedBundles}, which reuses them while they are proven unchanged) and the runtime
 * hashes them, so bytes changed after deploy are refused. After a restart the newest stored
 * bundle is active again.
 */
public final class Deployments {
    static final TableName TABLE = TableName.system("_function_bundles");
    /** Generations kept in the store: the active one and the one before (for in-flight calls). */
    static final int STORED_GENERATIONS_MAX = 2;
    private static final DocumentIdGenerator IDS = new DocumentIdGenerator();

    /** What a tenant runs: the deployment and its environment variables. */
    public record Active(Deployment deployment, Map<String, String> environment) {
    }

    /** A tenant's active deployment as loaded for one incarnation of the tenant in the engine. */
    private record Loaded(long incarnation, Optional<Active> active) {
    }

    private final Engine engine;
    // Keyed by tenant, checked against the engine's incarnation: a tenant dropped and created
    // again starts with nothing deployed, whatever was loaded for its earlier incarnation.
    private final Map<TenantId, Loaded> active = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong();

    public Deployments(Engine engine) {
        this.engine = engine;
    }

    /** The tenant's active deployment, loading it from the store on first use. */
    public Optional<Active> active(TenantId tenant) {
        if (!engine.isLoaded(tenant) && !engine.tenantExists(tenant)) {
            active.remove(tenant);
            return Optional.empty();
        }
        long incarnation = engine.incarnation(tenant);
        Loaded a = active.get(tenant);
        if (a != null && a.incarnation() == incarnation) {
            return a.active();
        }
        return active.compute(tenant, (t, old) -> old != null && old.incarnation() == incarnation ? old
                : new Loaded(incarnation, load(t))).active();
    }

    /** Tenants with a deployment loaded in this process. */
    public List<TenantId> tenants() {
        return active.entrySet().stream().filter(e -> e.getValue().active().isPresent()).map(Map.Entry::getKey).toList();
    }

    public long generation() {
        return generations.get();
    }

    /** Stores the bundle and makes it the tenant's active generation; returns the new one. */
    public synchronized Active activate(TenantId tenant, Bundle bundle, Manifest manifest, Map<String, String> environment) {
        String sha = bundle.sha256();
        DocumentId id = IDS.next();
        long generation = generations.incrementAndGet();
        Map<String, Value> fields = new LinkedHashMap<>();
        fields.put("generation", Value.of(generation));
        fields.put("sha256", Value.of(sha));
        fields.put("manifest", Value.of(manifest.toJson()));
        List<Value> modules = new ArrayList<>();
        bundle.modules().forEach((path, source) -> modules.add(new Value.Obj(Map.of("path", Value.of(path),
                "source", Value.of(source)))));
        fields.put("modules", Value.array(modules));
        Map<String, Value> env = new LinkedHashMap<>();
        environment.forEach((k, v) -> env.put(k, Value.of(v)));
        fields.put("environment", new Value.Obj(env));
        fields.put("deployedAt", Value.of(System.currentTimeMillis()));
        engine.mutate(tenant, Principal.SYSTEM, new Mutation.Insert(TABLE, Optional.of(id), new Value.Obj(fields)));
        Active a = new Active(new Deployment(generation, sha, manifest, () -> read(tenant, id)), Map.copyOf(environment));
        active.put(tenant, new Loaded(engine.incarnation(tenant), Optional.of(a)));
        prune(tenant);
        return a;
    }

    private Optional<Active> load(TenantId tenant) {
        List<Document> newest = engine.query(tenant, Principal.SYSTEM, new Query(TABLE, Filter.all(),
                List.of(new Query.SortKey(FieldPath.of("deployedAt"), Query.Direction.DESC)), OptionalInt.of(1)));
        if (newest.isEmpty()) {
            return Optional.empty();
        }
        Document d = newest.get(0);
        Value.Obj f = d.fields();
        Map<String, String> env = new LinkedHashMap<>();
        if (f.get("environment") instanceof Value.Obj e) {
            e.fields().forEach((k, v) -> env.put(k, ((Value.Str) v).value()));
        }
        long generation = generations.incrementAndGet();
        Deployment deployment = new Deployment(generation, ((Value.Str) f.get("sha256")).value(),
                Manifest.fromJson(((Value.Str) f.get("manifest")).value()), () -> read(tenant, d.id()));
        return Optional.of(new Active(deployment, env));
    }

    /** The bundle's bytes as stored now (possibly changed since deploy: the runtime re-hashes them). */
    private Bundle read(TenantId tenant, DocumentId id) {
        Document d = engine.get(tenant, Principal.SYSTEM, TABLE, id).orElseThrow(() ->
                new NimbusException(ErrorCode.STORAGE_CORRUPTION, "the deployed bundle is missing from the store; redeploy"));
        Map<String, String> modules = new LinkedHashMap<>();
        if (d.fields().get("modules") instanceof Value.Array a) {
            for (Value m : a.elements()) {
                Value.Obj o = (Value.Obj) m;
                modules.put(((Value.Str) o.get("path")).value(), ((Value.Str) o.get("source")).value());
            }
        }
        return new Bundle(modules);
    }

    private void prune(TenantId tenant) {
        List<Document> all = engine.query(tenant, Principal.SYSTEM, new Query(TABLE, Filter.all(),
                List.of(new Query.SortKey(FieldPath.of("deployedAt"), Query.Direction.DESC)), OptionalInt.empty()));
        for (int i = STORED_GENERATIONS_MAX; i < all.size(); i++) {
            engine.mutate(tenant, Principal.SYSTEM, new Mutation.Delete(TABLE, all.get(i).id()));
        }
    }
}
