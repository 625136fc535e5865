package dev.nimbus.engine.schema;

import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.util.BoundedMemo;
import dev.nimbus.engine.policy.AccessPolicies;
import dev.nimbus.engine.policy.CompiledPolicy;

import java.util.Optional;

/**
 * Compiled access policies by their source, so each rule is compiled once, when its schema is
 * set, and shared by every read and write of every tenant using the same rules.
 */
public final class PolicyCache {
    private final BoundedMemo<TableSchema.AccessPolicy, CompiledPolicy> compiled =
            new BoundedMemo<>(10_000, AccessPolicies::compile);

    public CompiledPolicy of(Optional<TableSchema> schema) {
        Optional<TableSchema.AccessPolicy> policy = schema.flatMap(TableSchema::policy);
        return policy.isEmpty() ? CompiledPolicy.ALLOW_ALL : compiled.get(policy.get());
    }
}
