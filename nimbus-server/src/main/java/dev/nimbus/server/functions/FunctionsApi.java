package dev.nimbus.server.functions;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.runtime.Bundle;
import dev.nimbus.runtime.FunctionKind;
import dev.nimbus.runtime.FunctionSpec;
import dev.nimbus.runtime.Manifest;
import dev.nimbus.server.auth.AdminToken;
import dev.nimbus.server.http.ApiRequest;
import dev.nimbus.server.http.ApiResponse;
import dev.nimbus.server.http.Router;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The function routes of the native API:
 * <ul>
 *   <li>{@code POST /api/admin/deploy} — deploy a tenant's bundle (deploy token as bearer AND the
 *       admin token as {@code X-Nimbus-Admin-Token}); dry run, diff, atomic generation swap.</li>
 *   <li>{@code GET /api/tenants/{tenant_id}/functions} — the active deployment's manifest.</li>
 *   <li>{@code POST /api/tenants/{tenant_id}/functions/{query|mutation|action}} with
 *       {@code {"name":"module:fn","args":{...}}} — 200 with the function's return value as bare
 *       JSON, or the native error envelope.</li>
 * </ul>
 */
public final class FunctionsApi {
    private final Engine engine;
    private final FunctionService functions;
    private final AdminToken adminToken;

    public FunctionsApi(Engine engine, FunctionService functions, AdminToken adminToken) {
        this.engine = engine;
        this.functions = functions;
        this.adminToken = adminToken;
    }

    public Router routes(Router r) {
        String t = "/api/tenants/{tenant_id}/functions";
        return r
                .add("POST", "/api/admin/deploy", Router.Access.PUBLIC, this::deploy)
                .add("GET", t, Router.Access.ADMIN, this::list)
                .add("POST", t + "/query", Router.Access.ADMIN, q -> call(q, FunctionKind.QUERY))
                .add("POST", t + "/mutation", Router.Access.ADMIN, q -> call(q, FunctionKind.MUTATION))
                .add("POST", t + "/action", Router.Access.ADMIN, q -> call(q, FunctionKind.ACTION));
    }

    private TenantId tenant(String raw) {
        TenantId tenant;
        try {
            tenant = TenantId.of(raw);
        } catch (NimbusException e) {
            throw tenantNotFound(raw);
        }
        if (!engine.tenantExists(tenant)) {
            throw tenantNotFound(raw);
        }
        return tenant;
    }

    private static NimbusException tenantNotFound(String raw) {
        return new NimbusException(ErrorCode.TENANT_NOT_FOUND, "tenant " + raw + " does not exist",
                Map.of("tenantId", Value.of(String.valueOf(raw))));
    }

    private ApiResponse call(ApiRequest q, FunctionKind kind) {
        TenantId tenant = tenant(q.param("tenant_id"));
        Value.Obj body = q.json();
        if (!(body.get("name") instanceof Value.Str name)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "the body needs \"name\": \"module:function\"");
        }
        Value args = body.get("args") == null ? Value.Obj.EMPTY : body.get("args");
        if (!(args instanceof Value.Obj)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "\"args\" must be an object");
        }
        return ApiResponse.ok(functions.call(tenant, Principal.ADMIN, name.value(), kind, args).value());
    }

    private ApiResponse list(ApiRequest q) {
        TenantId tenant = tenant(q.param("tenant_id"));
        Optional<Deployments.Active> active = functions.deployments().active(tenant);
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("generation", Value.of(active.map(a -> a.deployment().generation()).orElse(0L)));
        m.put("sha256", active.map(a -> (Value) Value.of(a.deployment().sha256())).orElse(Value.nullValue()));
        m.put("functions", Value.array(active.map(a -> describe(a.deployment().manifest())).orElse(List.of())));
        return ApiResponse.ok(new Value.Obj(m));
    }

    private static List<Value> describe(Manifest manifest) {
        return manifest.functions().values().stream().sorted(java.util.Comparator.comparing(FunctionSpec::name))
                .map(s -> (Value) spec(s)).toList();
    }

    private static Value.Obj spec(FunctionSpec s) {
        return new Value.Obj(Map.of("name", Value.of(s.name()), "kind", Value.of(s.kind().wireName()),
                "visibility", Value.of(s.internal() ? "internal" : "public")));
    }

    // ---- deploy --------------------------------------------------------------------------

    private void authorizeDeploy(ApiRequest q) {
        Optional<String> deployToken = functions.settings().deployToken();
        String authorization = q.header("authorization");
        String bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
        if (deployToken.isEmpty()) {
            throw new NimbusException(ErrorCode.UNAUTHORIZED, "deploys are disabled: start the server with "
                    + "NIMBUS_DEPLOY_TOKEN set");
        }
        boolean deployOk = bearer != null && MessageDigest.isEqual(bearer.getBytes(StandardCharsets.UTF_8),
                deployToken.get().getBytes(StandardCharsets.UTF_8));
        if (!deployOk || !adminToken.matches(q.header("x-nimbus-admin-token"))) {
            throw new NimbusException(ErrorCode.UNAUTHORIZED, "a deploy needs 'Authorization: Bearer <deploy token>' "
                    + "and 'X-Nimbus-Admin-Token: <admin token>'");
        }
    }

    private ApiResponse deploy(ApiRequest q) {
        authorizeDeploy(q);
        Value.Obj body = q.json();
        if (!(body.get("tenant") instanceof Value.Str tenantName)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "the body needs \"tenant\": the tenant to deploy to");
        }
        TenantId tenant = tenant(tenantName.value());
        boolean dryRun = body.get("dry_run") instanceof Value.Bool b && b.value();
        if (!(body.get("artifacts") instanceof Value.Obj artifacts)
                || !(artifacts.get("functions") instanceof Value.Obj art)
                || !(art.get("modules") instanceof Value.Obj modulesJson)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "the body needs \"artifacts\": {\"functions\": "
                    + "{\"modules\": {\"path.js\": \"source\", ...}}}");
        }
        Map<String, String> modules = new LinkedHashMap<>();
        modulesJson.fields().forEach((path, source) -> {
            if (!(source instanceof Value.Str s)) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "module " + path + " must be a string of JavaScript");
            }
            modules.put(path, s.value());
        });
        Map<String, String> environment = new LinkedHashMap<>();
        if (art.get("environment") instanceof Value.Obj env) {
            env.fields().forEach((k, v) -> {
                if (!(v instanceof Value.Str s)) {
                    throw new NimbusException(ErrorCode.INVALID_INPUT, "environment variable " + k + " must be a string");
                }
                environment.put(k, s.value());
            });
        }
        Bundle bundle = new Bundle(modules);
        String sha = bundle.sha256();
        if (art.get("bundle_sha256") instanceof Value.Str expected && !Bundle.normaliseSha256(expected.value()).equals(sha)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "runtime bundle integrity check failed: bundle_sha256 is "
                    + expected.value() + " but the modules hash to " + sha);
        }
        Manifest manifest = functions.runtime().analyze(bundle);
        Optional<Deployments.Active> previous = functions.deployments().active(tenant);
        Value.Obj diff = diff(previous.map(p -> p.deployment().manifest()).orElse(Manifest.of(List.of())), manifest,
                previous.map(p -> !p.deployment().sha256().equals(sha)).orElse(true));
        long previousGeneration = previous.map(p -> p.deployment().generation()).orElse(0L);
        long generation = previousGeneration;
        boolean activated = false;
        if (!dryRun) {
            Deployments.Active now = functions.deployments().activate(tenant, bundle, manifest, environment);
            functions.runtime().activated(tenant, sha);
            generation = now.deployment().generation();
            activated = true;
        }
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("dry_run", Value.of(dryRun));
        m.put("activated", Value.of(activated));
        m.put("tenant", Value.of(tenant.value()));
        m.put("generation", Value.of(generation));
        m.put("previous_generation", Value.of(previousGeneration));
        m.put("sha256", Value.of(sha));
        m.put("diff", diff);
        return ApiResponse.ok(new Value.Obj(m));
    }

    static Value.Obj diff(Manifest before, Manifest after, boolean bundleChanged) {
        List<Value> added = new ArrayList<>();
        List<Value> changed = new ArrayList<>();
        List<Value> removed = new ArrayList<>();
        after.functions().values().stream().sorted(java.util.Comparator.comparing(FunctionSpec::name)).forEach(s -> {
            Optional<FunctionSpec> old = before.function(s.name());
            if (old.isEmpty()) {
                added.add(brief(s));
            } else if (!old.get().equals(s)) {
                changed.add(brief(s));
            }
        });
        before.functions().values().stream().sorted(java.util.Comparator.comparing(FunctionSpec::name))
                .filter(s -> after.function(s.name()).isEmpty()).forEach(s -> removed.add(brief(s)));
        return new Value.Obj(Map.of("functions", new Value.Obj(Map.of("added", Value.array(added),
                        "changed", Value.array(changed), "removed", Value.array(removed))),
                "runtime_bundle_changed", Value.of(bundleChanged)));
    }

    private static Value brief(FunctionSpec s) {
        return new Value.Obj(Map.of("name", Value.of(s.name()), "kind", Value.of(s.kind().wireName())));
    }
}
