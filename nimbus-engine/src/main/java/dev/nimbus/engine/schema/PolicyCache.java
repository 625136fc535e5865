package dev.nimbus.engine.schema;

import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.engine.policy.AccessPolicies;
import dev.nimbus.engine.policy.CompiledPolicy;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiled access policies by their source, so each rule is compiled once, when its schema is
 * set, and shared by every read and write of every tenant using the same rules.
 */
public final class PolicyCache {
    private static final int ENTRIES_MAX = 10_000;
    private final Map<TableSchema.AccessPolicy, CompiledPolicy> compiled = new ConcurrentHashMap<>();

    public CompiledPolicy of(Optional<TableSchema> schema) {
        Optional<TableSchema.AccessPolicy> policy = schema.flatMap(TableSchema::policy);
        if (policy.isEmpty()) {
            return CompiledPolicy.ALLOW_ALL;
        }
        CompiledPolicy p = compiled.get(policy.get());
        if (p == null) {
            p = AccessPolicies.compile(policy.get());
            if (compiled.size() >= ENTRIES_MAX) {
                compiled.clear();
            }
            compiled.put(policy.get(), p);
        }
        return p;
    }
}
