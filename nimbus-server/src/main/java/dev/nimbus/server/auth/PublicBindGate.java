package dev.nimbus.server.auth;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;

import java.time.Duration;
import java.util.List;

/**
 * Decides whether the server may bind its host. Loopback is always allowed. A non-loopback host
 * needs {@code --allow-network} and an admin token that was rotated at least once (the
 * first-boot token never qualifies); a token whose current generation is older than
 * {@link #TOKEN_AGE_WARN} still starts, with a warning (Nimbus's newer hardening rule: warn,
 * do not block).
 */
public final class PublicBindGate {
    /** Past this age a public bind starts with a warning asking for a rotation. */
    public static final Duration TOKEN_AGE_WARN = Duration.ofDays(30);

    private PublicBindGate() {
    }

    /**
     * @return the warnings to log and show (empty when there is nothing to say)
     * @throws NimbusException {@code op.invalid_input} when the bind is refused
     */
    public static List<String> check(String host, boolean loopback, boolean allowNetwork, AdminToken token) {
        if (loopback) {
            return List.of();
        }
        if (!allowNetwork) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "refusing to bind " + host
                    + ": a non-loopback host needs --allow-network");
        }
        if (!token.rotatedAtLeastOnce()) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "refusing to bind " + host
                    + ": the admin token was never rotated; run 'nimbus token rotate' first");
        }
        Duration age = token.age();
        if (age.compareTo(TOKEN_AGE_WARN) > 0) {
            return List.of("the admin token (generation " + token.generation() + ") was issued " + age.toDays()
                    + " days ago, more than " + TOKEN_AGE_WARN.toDays() + " days, and the server listens on " + host
                    + "; rotate it with 'nimbus token rotate'");
        }
        return List.of();
    }
}
