package dev.nimbus.server.control;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;
import dev.nimbus.server.auth.AdminToken;
import dev.nimbus.server.http.ApiRequest;
import dev.nimbus.server.http.ApiResponse;
import dev.nimbus.server.http.Router;

import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin-gated system and debug routes backed by the control plane: live token rotation,
 * version info, license and encryption status (as Nimbus documents them), and the JVM port's
 * own {@code /api/system/status}, {@code /api/system/tenants} and {@code /api/system/usage}.
 */
public final class SystemRoutes {
    /** Nimbus's community license entitlements: all off. */
    static final List<String> ENTITLEMENTS = List.of("hosted_service", "oem_embedding", "premium_support",
            "custom_terms", "sso", "audit_logs", "multi_node");

    private final AdminToken token;
    private final ControlPlane control;
    private final List<String> warnings;
    private volatile ServerDiscovery running;

    /**
     * @param warnings what the server said at start (e.g. an old admin token on a public bind)
     */
    public SystemRoutes(AdminToken token, ControlPlane control, List<String> warnings) {
        this.token = token;
        this.control = control;
        this.warnings = List.copyOf(warnings);
    }

    /** Called once the server listens: where it is, for the status route. */
    public void listening(ServerDiscovery record) {
        this.running = record;
    }

    public Router routes(Router r) {
        return r
                .add("POST", "/api/system/token/rotate", Router.Access.ADMIN, q -> rotate())
                .add("GET", "/api/system/version-info", Router.Access.ADMIN, q -> versionInfo())
                .add("GET", "/api/system/status", Router.Access.ADMIN, q -> status())
                .add("GET", "/api/system/tenants", Router.Access.ADMIN, q -> tenants())
                .add("GET", "/api/system/usage", Router.Access.ADMIN, this::usage)
                .add("GET", "/debug/license/status", Router.Access.ADMIN, q -> license())
                .add("GET", "/debug/encryption/status", Router.Access.ADMIN, q -> encryption());
    }

    private ApiResponse rotate() {
        token.rotate();
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("generation", Value.of(token.generation()));
        m.put("token", Value.of(token.value()));
        m.put("issued_at", Value.of(token.issuedAt().toString()));
        return ApiResponse.ok(new Value.Obj(m));
    }

    /** The JVM port never calls home: the update check is always {@code disabled}. */
    private ApiResponse versionInfo() {
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("current", Value.of(ServerVersion.CURRENT));
        m.put("latest", Value.nullValue());
        m.put("url", Value.nullValue());
        m.put("publishedAt", Value.nullValue());
        m.put("available", Value.of(false));
        m.put("upgrade", Value.nullValue());
        m.put("checkStatus", Value.of("disabled"));
        return ApiResponse.ok(new Value.Obj(m));
    }

    private ApiResponse status() {
        Map<String, Value> t = new LinkedHashMap<>();
        t.put("generation", Value.of(token.generation()));
        t.put("issued_at", Value.of(token.issuedAt().toString()));
        t.put("age_days", Value.of(token.age().toDays()));
        t.put("rotated", Value.of(token.rotatedAtLeastOnce()));
        t.put("file", Value.of(token.file().toAbsolutePath().toString()));
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("version", Value.of(ServerVersion.CURRENT));
        ServerDiscovery s = running;
        m.put("address", s == null ? Value.nullValue() : Value.of(s.address()));
        m.put("pid", Value.of(ProcessHandle.current().pid()));
        m.put("started_at", s == null ? Value.nullValue() : Value.of(s.startedAt().toString()));
        m.put("tenant_provider", s == null ? Value.nullValue() : Value.of(s.tenantProvider()));
        m.put("control_data_dir", Value.of(control.settings().controlDataDir().toAbsolutePath().toString()));
        m.put("control_db", Value.of(control.file().toString()));
        m.put("tenants", Value.of((long) control.tenants().list().size()));
        m.put("token", new Value.Obj(t));
        m.put("warnings", Value.array(warnings.stream().map(w -> (Value) Value.of(w)).toList()));
        return ApiResponse.ok(new Value.Obj(m));
    }

    private ApiResponse tenants() {
        List<Value> out = control.tenants().entries().stream().map(e -> {
            Map<String, Value> m = new LinkedHashMap<>();
            m.put("id", Value.of(e.id().value()));
            m.put("created_at", Value.of(e.createdAt().toString()));
            m.put("provider", Value.of(e.provider()));
            m.put("status", Value.of(e.status().wireName()));
            return (Value) new Value.Obj(m);
        }).toList();
        return ApiResponse.ok(new Value.Obj(Map.of("tenants", Value.array(out))));
    }

    private ApiResponse usage(ApiRequest q) {
        YearMonth month = control.usage().currentMonth();
        String raw = q.queryParam("month");
        if (raw != null) {
            try {
                month = YearMonth.parse(raw);
            } catch (DateTimeParseException e) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "query parameter month is YYYY-MM, not '" + raw + "'",
                        Map.of("month", Value.of(raw)));
            }
        }
        Map<String, Long> byTenant = control.usage().monthlyActiveUsersByTenant(month);
        Map<String, Value> tenants = new LinkedHashMap<>();
        byTenant.forEach((k, v) -> tenants.put(k, Value.of(v)));
        Map<String, Value> m = usageSummary(month, byTenant.values().stream().mapToLong(Long::longValue).sum());
        m.put("tenants", new Value.Obj(tenants));
        return ApiResponse.ok(new Value.Obj(m));
    }

    private static Map<String, Value> usageSummary(YearMonth month, long users) {
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("month", Value.of(month.toString()));
        m.put("month_start_unix_ms", Value.of(UsageLedger.monthStartMillis(month)));
        m.put("monthly_active_users", Value.of(users));
        return m;
    }

    /** The JVM port reads no license file: it always runs under Nimbus's community default. */
    private ApiResponse license() {
        Map<String, Value> source = new LinkedHashMap<>();
        source.put("kind", Value.of("community_default"));
        source.put("path", Value.nullValue());
        Map<String, Value> entitlements = new LinkedHashMap<>();
        ENTITLEMENTS.forEach(e -> entitlements.put(e, Value.of(false)));
        YearMonth month = control.usage().currentMonth();
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("source", new Value.Obj(source));
        m.put("kind", Value.of("community"));
        m.put("status", Value.of("community"));
        m.put("entitlements", new Value.Obj(entitlements));
        m.put("usage", new Value.Obj(usageSummary(month, control.usage().monthlyActiveUsers(month))));
        m.put("warnings", Value.array(List.of()));
        return ApiResponse.ok(new Value.Obj(m));
    }

    /** Encryption at rest is not implemented in the JVM port: always reported off. */
    private static ApiResponse encryption() {
        Map<String, Value> descriptor = new LinkedHashMap<>();
        descriptor.put("status", Value.of("disabled"));
        descriptor.put("provider", Value.nullValue());
        descriptor.put("path", Value.nullValue());
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("enabled", Value.of(false));
        m.put("encrypted_families", Value.array(List.of()));
        m.put("descriptor", new Value.Obj(descriptor));
        return ApiResponse.ok(new Value.Obj(m));
    }
}
