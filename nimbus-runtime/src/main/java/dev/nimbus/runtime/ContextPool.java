package dev.nimbus.runtime;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.ResourceLimits;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Warm contexts per (tenant, bundle hash), all created on one shared polyglot {@link Engine} so
 * parsed code is cached across contexts. Module-level state persists across invocations of a
 * context (as Nimbus's warm pool does), but never crosses tenants: a tenant's contexts load only
 * its bundle and serve only its invocations. A context that was cancelled is closed, not returned.
 */
final class ContextPool implements AutoCloseable {
    private static final String PRELUDE = readPrelude();

    private record Key(TenantId tenant, String sha256) {
    }

    private final Engine engine;
    private final RuntimeLimits limits;
    private final ResourceLimits resourceLimits;
    private final Source preludeSource;
    private final Map<Key, ConcurrentLinkedDeque<PooledContext>> idle = new ConcurrentHashMap<>();

    ContextPool(Engine engine, RuntimeLimits limits) {
        this.engine = engine;
        this.limits = limits;
        this.resourceLimits = limits.statementsMax() > 0
                ? ResourceLimits.newBuilder().statementLimit(limits.statementsMax(), null).build() : null;
        this.preludeSource = Source.newBuilder("js", PRELUDE, "nimbus-prelude.js").cached(true).buildLiteral();
    }

    PooledContext acquire(TenantId tenant, String sha256, Bundle bundle) {
        ConcurrentLinkedDeque<PooledContext> q = idle.get(new Key(tenant, sha256));
        PooledContext c = q == null ? null : q.pollFirst();
        if (c != null) {
            if (resourceLimits != null) {
                c.context().resetLimits();
            }
            return c;
        }
        return create(bundle);
    }

    void release(TenantId tenant, String sha256, PooledContext c) {
        ConcurrentLinkedDeque<PooledContext> q = idle.computeIfAbsent(new Key(tenant, sha256), k -> new ConcurrentLinkedDeque<>());
        if (q.size() < limits.idleContextsPerBundle()) {
            q.addFirst(c);
        } else {
            c.context().close();
        }
    }

    /** Drops a tenant's warm contexts of other bundles (after a redeploy). */
    void retain(TenantId tenant, String sha256) {
        for (Map.Entry<Key, ConcurrentLinkedDeque<PooledContext>> e : idle.entrySet()) {
            if (e.getKey().tenant.equals(tenant) && !e.getKey().sha256.equals(sha256)) {
                ConcurrentLinkedDeque<PooledContext> q = idle.remove(e.getKey());
                if (q != null) {
                    q.forEach(c -> c.context().close());
                }
            }
        }
    }

    /** A fresh context with the prelude and every module of {@code bundle} loaded. */
    PooledContext create(Bundle bundle) {
        Context.Builder b = Context.newBuilder("js")
                .engine(engine)
                .allowHostAccess(HostAccess.newBuilder().allowAccessAnnotatedBy(HostAccess.Export.class).build())
                .allowPolyglotAccess(PolyglotAccess.NONE)
                .allowIO(IOAccess.newBuilder().fileSystem(new BundleFileSystem(bundle)).build())
                .allowCreateThread(false)
                .allowNativeAccess(false)
                .option("js.esm-eval-returns-exports", "true");
        if (resourceLimits != null) {
            b.resourceLimits(resourceLimits);
        }
        Context context = b.build();
        try {
            JsHost host = new JsHost(limits);
            context.getBindings("js").putMember("__nimbusHost", host);
            context.eval(preludeSource);
            Map<String, Value> modules = new LinkedHashMap<>();
            for (String path : bundle.modules().keySet()) {
                String name = Manifest.normalise(path + ":x");
                String module = name.substring(0, name.lastIndexOf(':'));
                Source entry = Source.newBuilder("js", "export * from '" + BundleFileSystem.ROOT + path + "';\n"
                        + "import * as all from '" + BundleFileSystem.ROOT + path + "';\nexport { all as __all };",
                        "nimbus-entry-" + path.replace('/', '_') + ".mjs").mimeType("application/javascript+module")
                        .cached(true).buildLiteral();
                modules.put(module, context.eval(entry).getMember("__all"));
            }
            Value invoke = context.getBindings("js").getMember("__nimbusInvoke");
            if (resourceLimits != null) {
                context.resetLimits();
            }
            return new PooledContext(context, host, invoke, modules);
        } catch (PolyglotException e) {
            context.close(true);
            throw new NimbusException(ErrorCode.INVALID_INPUT, "loading the bundle failed: " + e.getMessage());
        } catch (RuntimeException e) {
            context.close(true);
            throw e;
        }
    }

    /** The functions every module of {@code bundle} exports. */
    Manifest describe(Bundle bundle) {
        PooledContext c = create(bundle);
        try {
            Value describe = c.context().getBindings("js").getMember("__nimbusDescribe");
            List<FunctionSpec> specs = new ArrayList<>();
            for (Map.Entry<String, Value> m : c.modules().entrySet()) {
                dev.nimbus.core.value.Value list = dev.nimbus.core.value.ValueJson.read(describe.execute(m.getValue()).asString());
                for (dev.nimbus.core.value.Value f : ((dev.nimbus.core.value.Value.Array) list).elements()) {
                    dev.nimbus.core.value.Value.Obj o = (dev.nimbus.core.value.Value.Obj) f;
                    specs.add(new FunctionSpec(m.getKey() + ":" + ((dev.nimbus.core.value.Value.Str) o.get("export")).value(),
                            FunctionKind.fromWireName(((dev.nimbus.core.value.Value.Str) o.get("kind")).value()),
                            ((dev.nimbus.core.value.Value.Bool) o.get("internal")).value()));
                }
            }
            return Manifest.of(specs);
        } finally {
            c.context().close();
        }
    }

    @Override
    public void close() {
        idle.values().forEach(q -> q.forEach(c -> c.context().close()));
        idle.clear();
    }

    private static String readPrelude() {
        try (InputStream in = ContextPool.class.getResourceAsStream("prelude.js")) {
            if (in == null) {
                throw new IllegalStateException("prelude.js is missing from the runtime jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
