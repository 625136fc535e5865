package dev.nimbus.engine.policy;

import dev.nimbus.core.model.Principal;
import dev.nimbus.core.value.Value;

import java.util.Objects;
import java.util.Optional;

/**
 * A table's access policy, ready to evaluate. Immutable and safe to share between threads; each
 * rule's source was compiled exactly once, by {@link AccessPolicies#compile}.
 *
 * <p>Semantics, the same for both rules:
 * <ul>
 *   <li>a principal that {@linkplain Principal#bypassesPolicies() bypasses policies} (admin,
 *       system) is allowed without evaluating anything;</li>
 *   <li>an absent rule allows;</li>
 *   <li>otherwise the rule must evaluate to {@code true}; any evaluation error (missing key,
 *       type mismatch, division by zero, iteration budget) or a non-bool result denies. A policy
 *       fails closed and never throws.</li>
 * </ul>
 */
public final class CompiledPolicy {
    /** The policy of a table without rules. */
    public static final CompiledPolicy ALLOW_ALL = new CompiledPolicy(Optional.empty(), Optional.empty());

    private final Optional<CompiledRule> read;
    private final Optional<CompiledRule> write;

    CompiledPolicy(Optional<CompiledRule> read, Optional<CompiledRule> write) {
        this.read = Objects.requireNonNull(read, "read");
        this.write = Objects.requireNonNull(write, "write");
    }

    /** Whether {@code principal} may read {@code doc}, the stored document. */
    /** Whether reads are checked at all (a read rule exists): if not, every read is allowed. */
    public boolean restrictsReads() {
        return read.isPresent();
    }

    public boolean allowsRead(Principal principal, Value.Obj doc) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(doc, "doc");
        if (principal.bypassesPolicies() || read.isEmpty()) {
            return true;
        }
        return read.get().allows(RuleInputs.forRead(principal, doc));
    }

    /**
     * Whether {@code principal} may perform a write. The rule sees {@code doc} = {@code before}
     * ({@code null} on insert) and {@code write} = {@code after} ({@code null} on delete); at
     * least one of them is present.
     */
    public boolean allowsWrite(Principal principal, Value.Obj before, Value.Obj after) {
        Objects.requireNonNull(principal, "principal");
        if (before == null && after == null) {
            throw new IllegalArgumentException("a write has a document before it, after it, or both");
        }
        if (principal.bypassesPolicies() || write.isEmpty()) {
            return true;
        }
        return write.get().allows(RuleInputs.forWrite(principal, before, after));
    }

    @Override
    public String toString() {
        return "CompiledPolicy[read=" + read.isPresent() + ", write=" + write.isPresent() + "]";
    }
}
