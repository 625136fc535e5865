package dev.nimbus.engine.policy;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Objects;

/**
 * One compiled rule. {@code name} ({@code policy.read} or {@code policy.write}) only labels
 * diagnostics; the program is immutable, so concurrent evaluations need no locking.
 */
record CompiledRule(String name, CelRuntime.Program program) {
    private static final Logger LOG = LoggerFactory.getLogger(CompiledRule.class);

    CompiledRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(program, "program");
    }

    /** Whether the rule evaluates to {@code true}; an error or a non-bool result denies. */
    boolean allows(Map<String, Object> inputs) {
        try {
            return program.eval(inputs) instanceof Boolean allowed && allowed;
        } catch (CelEvaluationException | RuntimeException e) {
            // Fail closed. Unchecked exceptions are included because a policy must never turn a
            // read or write into an internal error; CEL's message names no document values.
            LOG.debug("{} rule denied access: {}", name, e.getMessage());
            return false;
        }
    }
}
