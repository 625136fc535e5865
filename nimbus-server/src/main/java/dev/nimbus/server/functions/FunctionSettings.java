package dev.nimbus.server.functions;

import dev.nimbus.runtime.RuntimeLimits;

import java.util.Map;
import java.util.Optional;

/**
 * How the server runs functions: the runtime limits and the deploy token. Deploys are enabled
 * only when a deploy token was set at startup ({@code NIMBUS_DEPLOY_TOKEN}); without one every
 * deploy call is refused with 401.
 */
public record FunctionSettings(RuntimeLimits limits, Optional<String> deployToken) {
    /** A deploy token shorter than this is refused at startup (guessable). */
    public static final int DEPLOY_TOKEN_LENGTH_MIN = 16;

    public FunctionSettings {
        deployToken = deployToken.filter(t -> !t.isBlank());
        deployToken.ifPresent(t -> {
            if (t.length() < DEPLOY_TOKEN_LENGTH_MIN) {
                throw new IllegalArgumentException("NIMBUS_DEPLOY_TOKEN must be at least " + DEPLOY_TOKEN_LENGTH_MIN
                        + " characters");
            }
        });
    }

    public static FunctionSettings fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Reads {@code NIMBUS_DEPLOY_TOKEN} and the {@code NIMBUS_RUNTIME_*} limits; a system
     * property of the same name overrides the variable (in-process servers, tests, CLI flags).
     */
    public static FunctionSettings fromEnvironment(Map<String, String> env) {
        Map<String, String> merged = new java.util.HashMap<>(env);
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("NIMBUS_RUNTIME_") || k.equals("NIMBUS_DEPLOY_TOKEN"))
                .forEach(k -> merged.put(k, System.getProperty(k)));
        return new FunctionSettings(RuntimeLimits.fromEnvironment(merged),
                Optional.ofNullable(merged.get("NIMBUS_DEPLOY_TOKEN")));
    }
}
