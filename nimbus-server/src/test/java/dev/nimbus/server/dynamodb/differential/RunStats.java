package dev.nimbus.server.dynamodb.differential;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a differential run exercised: per op name, how many answers were successes and how many
 * were each error code (left endpoint's answer), and the time spent on both endpoints. Printed by
 * the tests so that "0 differences" can be read against what was actually compared.
 */
public final class RunStats {
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> messages = new ConcurrentHashMap<>();
    private final Map<String, String> examples = new ConcurrentHashMap<>();

    void record(String opName, String request, Object leftAnswer, long elapsedNanos) {
        String outcome = leftAnswer instanceof Map<?, ?> m && m.containsKey("error") ? String.valueOf(m.get("error"))
                : leftAnswer instanceof Map<?, ?> m2 && m2.containsKey("clientError") ? "client:" + m2.get("clientError")
                : "ok";
        outcomes.computeIfAbsent(opName + " -> " + outcome, k -> new LongAdder()).increment();
        if (!outcome.equals("ok") && leftAnswer instanceof Map<?, ?> m) {
            String message = String.valueOf(m.get("message")).replaceAll("r[0-9a-z]+s[0-9]+x[a-z0-9]*", "<table>");
            messages.computeIfAbsent(outcome + ": " + message, k -> new LongAdder()).increment();
            examples.putIfAbsent(outcome + ": " + message, opName + " " + request);
        }
        nanos.computeIfAbsent(opName, k -> new LongAdder()).add(elapsedNanos);
    }

    /** Total ops compared. */
    public long ops() {
        return outcomes.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** One line per op name and outcome with its count, then milliseconds spent per op name. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(outcomes).forEach((k, v) -> sb.append(String.format("  %-60s %6d%n", k, v.sum())));
        if (Boolean.getBoolean("dynamodb.diff.verbose")) {
            sb.append("  error messages:\n");
            new TreeMap<>(messages).forEach((k, v) -> sb.append(String.format("    %5d %s%n          e.g. %s%n", v.sum(), k,
                    examples.get(k).substring(0, Math.min(400, examples.get(k).length())))));
        }
        sb.append("  time per op name (both endpoints, ms):");
        new TreeMap<>(nanos).forEach((k, v) -> sb.append(' ').append(k).append('=').append(v.sum() / 1_000_000));
        return sb.append('\n').toString();
    }
}
