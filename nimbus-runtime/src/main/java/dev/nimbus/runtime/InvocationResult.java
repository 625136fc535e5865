package dev.nimbus.runtime;

import dev.nimbus.core.value.Value;

import java.util.List;

/**
 * What one function invocation returned.
 *
 * @param value       the handler's result (undefined becomes null)
 * @param logs        console lines kept, in order ({@code level: text})
 * @param logsDropped console lines beyond the per-invocation caps
 */
public record InvocationResult(Value value, List<String> logs, int logsDropped) {
    public InvocationResult {
        logs = List.copyOf(logs);
    }
}
