package dev.nimbus.core.model;

import dev.nimbus.core.value.Value;

import java.util.Objects;

/**
 * Who is asking, normalized from any surface's credentials (admin token, JWT, SCRAM, SigV4).
 * Authorization happens once, in the engine, against this.
 *
 * @param kind    what sort of caller
 * @param subject a stable identifier within its issuer (user id, access key id, "admin")
 * @param claims  verified claims (JWT payload, role names); empty when there are none
 */
public record Principal(Kind kind, String subject, Value.Obj claims) {
    public enum Kind {
        /** Holds the tenant's admin token: bypasses table access policies. */
        ADMIN,
        /** An authenticated end user. */
        USER,
        /** No credential. */
        ANONYMOUS,
        /** Nimbus itself (scheduler, system jobs). */
        SYSTEM
    }

    public static final Principal ANONYMOUS = new Principal(Kind.ANONYMOUS, "", Value.Obj.EMPTY);
    public static final Principal SYSTEM = new Principal(Kind.SYSTEM, "nimbus", Value.Obj.EMPTY);
    public static final Principal ADMIN = new Principal(Kind.ADMIN, "admin", Value.Obj.EMPTY);

    public Principal {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(claims, "claims");
    }

    public static Principal user(String subject, Value.Obj claims) {
        return new Principal(Kind.USER, subject, claims);
    }

    public boolean bypassesPolicies() {
        return kind == Kind.ADMIN || kind == Kind.SYSTEM;
    }
}
