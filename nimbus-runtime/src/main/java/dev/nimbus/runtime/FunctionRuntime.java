package dev.nimbus.runtime;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs functions of deployed bundles in GraalJS. All contexts share one polyglot {@link Engine}
 * (parsed code is cached once); each invocation takes a warm context of its tenant's bundle,
 * binds it to the invocation's {@link HostBridge}, and runs the handler under the
 * {@link RuntimeLimits}: a wall-clock watchdog that cancels the context (the server keeps
 * serving), a statement bound, a result-size cap, a log cap and per-tenant admission. Queries and
 * mutations see a seeded {@code Math.random} and a fixed {@code Date.now()}. Thread-safe.
 */
public final class FunctionRuntime implements AutoCloseable {
    private record Verified(Bundle bundle, String sha256) {
    }

    private final RuntimeLimits limits;
    private final Engine engine;
    private final ContextPool pool;
    private final TenantGate gate;
    /** The bundle instance last hashed per tenant (one entry per tenant that ran a function). */
    private final Map<dev.nimbus.core.model.TenantId, Verified> verified = new ConcurrentHashMap<>();
    private final Watchdog watchdog = new Watchdog("nimbus-runtime-watchdog");

    public FunctionRuntime(RuntimeLimits limits) {
        this.limits = limits;
        this.engine = Engine.newBuilder("js")
                .option("engine.WarnInterpreterOnly", "false")
                .build();
        this.pool = new ContextPool(engine, limits);
        this.gate = new TenantGate(limits.tenantActiveMax(), limits.tenantQueuedMax(), limits.timeoutMillis());
    }

    public RuntimeLimits limits() {
        return limits;
    }

    /** True when GraalJS runs with the optimizing Graal compiler, false when interpreted only. */
    public boolean compiled() {
        return !engine.getImplementationName().toLowerCase(java.util.Locale.ROOT).contains("interpret");
    }

    /** The polyglot engine's implementation name (for diagnostics and benchmarks). */
    public String engineName() {
        return engine.getImplementationName();
    }

    /**
     * Loads {@code bundle} in a throwaway context and lists its functions: what deploy records as
     * the manifest. A module that fails to load is an {@code op.invalid_input} error.
     */
    public Manifest analyze(Bundle bundle) {
        return pool.describe(bundle);
    }

    /** Forgets warm contexts of a tenant's previous bundles once a new one is active. */
    public void activated(dev.nimbus.core.model.TenantId tenant, String sha256) {
        pool.retain(tenant, sha256);
    }

    /** A held per-tenant invocation slot; closing it frees the slot. */
    public interface Admission extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes one of the tenant's invocation slots (waiting in the bounded queue, else
     * {@code rate.resource_exhausted}). Hosts that open resources per invocation (a storage
     * snapshot) take the slot first, then call {@link #invokeAdmitted}.
     */
    public Admission admit(dev.nimbus.core.model.TenantId tenant) {
        gate.acquire(tenant);
        return () -> gate.release(tenant);
    }

    /** {@link #invoke} for a caller that already holds the tenant's slot ({@link #admit}). */
    public InvocationResult invokeAdmitted(Invocation inv, HostBridge bridge) {
        if (inv.depth() > limits.nestedCallsMax()) {
            throw new NimbusException(ErrorCode.CAP_EXCEEDED, "more than " + limits.nestedCallsMax()
                    + " nested function calls (ctx.runQuery/runMutation/runAction)");
        }
        FunctionSpec spec = resolve(inv);
        return run(inv, spec, verifiedBundle(inv), bridge);
    }

    /** Runs one function; throws {@link NimbusException} with the engine's or the runtime's error. */
    public InvocationResult invoke(Invocation inv, HostBridge bridge) {
        if (inv.depth() > limits.nestedCallsMax()) {
            throw new NimbusException(ErrorCode.CAP_EXCEEDED, "more than " + limits.nestedCallsMax()
                    + " nested function calls (ctx.runQuery/runMutation/runAction)");
        }
        FunctionSpec spec = resolve(inv);
        Bundle bundle = verifiedBundle(inv);
        boolean gated = inv.depth() == 0;
        if (gated) {
            gate.acquire(inv.tenant());
        }
        try {
            return run(inv, spec, bundle, bridge);
        } finally {
            if (gated) {
                gate.release(inv.tenant());
            }
        }
    }

    /**
     * The invocation's bundle, hashed against the deployment's SHA-256 unless this very instance
     * was hashed for it before: a {@link Bundle} is immutable, so a source that hands back the
     * same instance (bytes it has not read again) needs no second hash, while bytes read anew are
     * always hashed.
     */
    private Bundle verifiedBundle(Invocation inv) {
        Bundle bundle = inv.deployment().source().get();
        String sha = inv.deployment().sha256();
        Verified last = verified.get(inv.tenant());
        if (last != null && last.bundle() == bundle && last.sha256().equals(sha)) {
            return bundle;
        }
        bundle.verify(sha);
        verified.put(inv.tenant(), new Verified(bundle, sha));
        return bundle;
    }

    private FunctionSpec resolve(Invocation inv) {
        FunctionSpec spec = inv.deployment().manifest().function(inv.name()).orElseThrow(() ->
                new NimbusException(ErrorCode.NOT_FOUND, "no function '" + inv.name() + "' in the deployed bundle",
                        Map.of("function", Value.of(inv.name()))));
        if (spec.internal() && inv.fromClient()) {
            throw new NimbusException(ErrorCode.NOT_FOUND, "function '" + spec.name() + "' is internal: only other "
                    + "functions and the scheduler may call it", Map.of("function", Value.of(spec.name())));
        }
        if (spec.kind() != inv.kind()) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "function '" + spec.name() + "' is a "
                    + spec.kind().wireName() + ", not a " + inv.kind().wireName(),
                    Map.of("function", Value.of(spec.name()), "kind", Value.of(spec.kind().wireName())));
        }
        return spec;
    }

    private InvocationResult run(Invocation inv, FunctionSpec spec, Bundle bundle, HostBridge bridge) {
        String sha = inv.deployment().sha256();
        PooledContext c = pool.acquire(inv.tenant(), sha, bundle);
        AtomicBoolean timedOut = new AtomicBoolean();
        boolean reusable = false;
        c.host().bind(bridge, spec.kind());
        Watchdog.Deadline timer = watchdog.arm(limits.timeoutMillis(), () -> {
            timedOut.set(true);
            c.context().close(true);
        });
        try {
            org.graalvm.polyglot.Value module = c.modules().get(spec.module());
            org.graalvm.polyglot.Value holder = c.invoke().execute(module, spec.export(), spec.kind().wireName(),
                    ValueJson.write(inv.args()), ThreadLocalRandom.current().nextLong(), (double) System.currentTimeMillis());
            // A settled success sets only "value" (a string): one read on the common path.
            org.graalvm.polyglot.Value value = holder.getMember("value");
            if (value == null || !value.isString()) {
                if (!holder.getMember("done").asBoolean()) {
                    throw new NimbusException(ErrorCode.PROMISE_STALLED, "function '" + spec.name()
                            + "' returned a promise that never settled (awaiting something other than a ctx call?)");
                }
                reusable = true;
                org.graalvm.polyglot.Value error = holder.getMember("error");
                if (error != null && !error.isNull()) {
                    throw functionError(spec, c.host(), error);
                }
            }
            reusable = true;
            String json = value.asString();
            if (json.length() > limits.resultBytesMax()) {
                throw new NimbusException(ErrorCode.CAP_EXCEEDED, "function '" + spec.name() + "' returned "
                        + json.length() + " bytes; the limit is " + limits.resultBytesMax(),
                        Map.of("limit", Value.of((long) limits.resultBytesMax())));
            }
            Value plain = PlainJsonStrings.parse(json);
            return new InvocationResult(plain != null ? plain : ValueJson.read(json), c.host().logs(),
                    c.host().logsDropped());
        } catch (PolyglotException e) {
            if (timedOut.get() || e.isCancelled()) {
                throw new NimbusException(ErrorCode.EXECUTION_TIMEOUT, "function '" + spec.name() + "' ran longer than "
                        + limits.timeoutMillis() + " ms and was stopped", Map.of("function", Value.of(spec.name()),
                        "timeoutMillis", Value.of(limits.timeoutMillis())));
            }
            if (e.isResourceExhausted()) {
                throw new NimbusException(ErrorCode.CAP_EXCEEDED, "function '" + spec.name() + "' executed more than "
                        + limits.statementsMax() + " statements and was stopped", Map.of("function",
                        Value.of(spec.name()), "statementsMax", Value.of(limits.statementsMax())));
            }
            reusable = !e.isInternalError() && !e.isExit();
            throw new NimbusException(ErrorCode.INVALID_INPUT, "function '" + spec.name() + "' failed: " + e.getMessage(),
                    Map.of("function", Value.of(spec.name())));
        } finally {
            timer.close();
            c.host().unbind();
            if (reusable && !timedOut.get()) {
                pool.release(inv.tenant(), sha, c);
            } else {
                try {
                    c.context().close(true);
                } catch (RuntimeException ignored) {
                    // already closed by the watchdog
                }
            }
        }
    }

    private static NimbusException functionError(FunctionSpec spec, JsHost host, org.graalvm.polyglot.Value error) {
        org.graalvm.polyglot.Value id = error.getMember("hostErrorId");
        if (id != null && id.isNumber()) {
            NimbusException original = host.error(id.asInt());
            if (original != null) {
                return original;
            }
        }
        String message = error.getMember("message").isNull() ? "error" : error.getMember("message").asString();
        org.graalvm.polyglot.Value stack = error.getMember("stack");
        return new NimbusException(ErrorCode.INVALID_INPUT, "function '" + spec.name() + "' threw: " + message,
                Map.of("function", Value.of(spec.name()), "kind", Value.of("function_error"),
                        "stack", stack == null || stack.isNull() ? Value.nullValue() : Value.of(stack.asString())));
    }

    @Override
    public void close() {
        watchdog.close();
        pool.close();
        engine.close(true);
    }
}
