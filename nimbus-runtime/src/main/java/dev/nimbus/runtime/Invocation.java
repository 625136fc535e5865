package dev.nimbus.runtime;

import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;

import java.util.Objects;

/**
 * One call of a deployed function.
 *
 * @param tenant     the tenant the invocation is bound to; fixed before any JavaScript runs
 * @param deployment the tenant's deployed code (its bytes are checked against its SHA-256 before the call)
 * @param name       {@code module:export}
 * @param kind       the kind the caller expects (a query route cannot run a mutation)
 * @param args       the handler's second argument
 * @param fromClient a client call: internal functions are refused
 * @param depth      0 for a top-level call, +1 per ctx.runQuery/runMutation/runAction
 */
public record Invocation(TenantId tenant, Deployment deployment, String name, FunctionKind kind, Value args,
                         boolean fromClient, int depth) {
    public Invocation {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(args, "args");
    }

    /** A call from a client (HTTP or WebSocket). */
    public static Invocation client(TenantId tenant, Deployment deployment, String name, FunctionKind kind, Value args) {
        return new Invocation(tenant, deployment, name, kind, args, true, 0);
    }

    /**
     * The same call reading its bundle's bytes from {@code source} (e.g. the snapshot the
     * invocation already holds); the SHA-256 and manifest stay those recorded at deploy.
     */
    public Invocation withSource(java.util.function.Supplier<Bundle> source) {
        return new Invocation(tenant, new Deployment(deployment.generation(), deployment.sha256(),
                deployment.manifest(), source), name, kind, args, fromClient, depth);
    }

    /** The same deployment calling {@code name} from inside a function. */
    public Invocation nested(String name, FunctionKind kind, Value args) {
        return new Invocation(tenant, deployment, name, kind, args, false, depth + 1);
    }
}
