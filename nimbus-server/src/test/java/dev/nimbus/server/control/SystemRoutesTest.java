package dev.nimbus.server.control;

import dev.nimbus.core.value.Value;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin system and debug routes, through the JDK HTTP client against a real server. */
class SystemRoutesTest {
    static final Instant T0 = Instant.parse("2026-01-31T23:59:00Z");

    @TempDir
    Path dir;
    MutableClock clock;
    NimbusServer server;
    AdminClient client;

    @BeforeEach
    void start() {
        clock = new MutableClock(T0);
        Path data = dir.resolve("data");
        server = NimbusServer.start(ServerConfig.defaults(data, dir.resolve("auth/token")).withPort(0),
                new ControlSettings(data, clock));
        client = new AdminClient("http://127.0.0.1:" + server.port(), server.token().value());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void versionInfoReportsThisBuildAndADisabledUpdateCheck() throws Exception {
        AdminClient.Reply r = client.call("GET", "/api/system/version-info", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.get("current")).isEqualTo(Value.of(ServerVersion.CURRENT));
        assertThat(r.get("available")).isEqualTo(Value.of(false));
        assertThat(r.get("checkStatus")).isEqualTo(Value.of("disabled"));
        assertThat(r.obj().fields()).containsKeys("latest", "url", "publishedAt", "upgrade");
    }

    @Test
    void systemRoutesNeedTheAdminTokenAndAnswerWithTheFullEnvelope() throws Exception {
        for (String path : new String[] {"/api/system/version-info", "/api/system/status", "/api/system/tenants",
                "/api/system/usage", "/debug/license/status", "/debug/encryption/status"}) {
            AdminClient.Reply r = client.call("GET", path, null, "wrong");
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.errorCode()).isEqualTo("auth.unauthorized");
            assertThat(r.error().fields()).containsKeys("message", "requestId", "timestamp", "severity", "retryable",
                    "detail");
        }
        AdminClient.Reply rotate = client.call("POST", "/api/system/token/rotate", null, null);
        assertThat(rotate.status()).isEqualTo(401);
        AdminClient.Reply bad = client.call("GET", "/api/system/usage?month=January", null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorCode()).isEqualTo("op.invalid_input");
        assertThat(bad.error().get("detail")).isEqualTo(new Value.Obj(Map.of("month", Value.of("January"))));
        assertThat(bad.error().get("retryable")).isEqualTo(Value.of(false));
        assertThat(((Value.Obj) bad.error().get("remediation")).get("action")).isEqualTo(Value.of("fix_request"));
        assertThat(client.call("GET", "/api/system/version-info", null).status()).isEqualTo(200); // still serving
    }

    @Test
    void usageCountsEachPrincipalOncePerTenantAndMonth() throws Exception {
        client.call("POST", "/api/tenants", "{\"id\": \"a\"}");
        client.call("POST", "/api/tenants", "{\"id\": \"b\"}");
        for (int i = 0; i < 3; i++) {
            client.call("GET", "/api/tenants/a/documents/t", null);
        }
        client.call("GET", "/api/tenants/b/documents/t", null);
        AdminClient.Reply usage = client.call("GET", "/api/system/usage", null);
        assertThat(usage.get("month")).isEqualTo(Value.of("2026-01"));
        assertThat(usage.get("month_start_unix_ms")).isEqualTo(Value.of(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli()));
        assertThat(usage.get("monthly_active_users")).isEqualTo(Value.of(2L));
        assertThat(usage.get("tenants")).isEqualTo(new Value.Obj(Map.of("a", Value.of(1L), "b", Value.of(1L))));

        clock.advance(Duration.ofMinutes(2)); // into February
        AdminClient.Reply license = client.call("GET", "/debug/license/status", null);
        Value.Obj feb = (Value.Obj) license.get("usage");
        assertThat(feb.get("month")).isEqualTo(Value.of("2026-02"));
        assertThat(feb.get("monthly_active_users")).isEqualTo(Value.of(0L));
        client.call("GET", "/api/tenants/a/documents/t", null);
        assertThat(client.call("GET", "/api/system/usage", null).get("monthly_active_users")).isEqualTo(Value.of(1L));
        assertThat(client.call("GET", "/api/system/usage?month=2026-01", null).get("monthly_active_users"))
                .isEqualTo(Value.of(2L));
    }

    @Test
    void licenseAndEncryptionStatusSayWhatThisServerRuns() throws Exception {
        AdminClient.Reply license = client.call("GET", "/debug/license/status", null);
        assertThat(license.status()).isEqualTo(200);
        assertThat(((Value.Obj) license.get("source")).get("kind")).isEqualTo(Value.of("community_default"));
        assertThat(license.get("kind")).isEqualTo(Value.of("community"));
        assertThat(license.get("status")).isEqualTo(Value.of("community"));
        assertThat(((Value.Obj) license.get("entitlements")).fields()).hasSize(7).containsEntry("sso", Value.of(false));
        AdminClient.Reply enc = client.call("GET", "/debug/encryption/status", null);
        assertThat(enc.get("enabled")).isEqualTo(Value.of(false));
        assertThat(((Value.Obj) enc.get("descriptor")).get("status")).isEqualTo(Value.of("disabled"));
    }

    @Test
    void statusShowsTheTokenAndTheControlPlane() throws Exception {
        client.call("POST", "/api/tenants", "{\"id\": \"a\"}");
        AdminClient.Reply s = client.call("GET", "/api/system/status", null);
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.get("address")).isEqualTo(Value.of("http://127.0.0.1:" + server.port()));
        assertThat(s.get("tenants")).isEqualTo(Value.of(1L));
        assertThat(s.get("warnings")).isEqualTo(Value.array(java.util.List.of()));
        Value.Obj token = (Value.Obj) s.get("token");
        assertThat(token.get("generation")).isEqualTo(Value.of(1L));
        assertThat(token.get("issued_at")).isEqualTo(Value.of(T0.toString()));
        assertThat(token.get("rotated")).isEqualTo(Value.of(false));
        assertThat(s.toString()).doesNotContain(server.token().value());
    }

    @Test
    void liveRotationRetiresTheOldTokenAtOnce() throws Exception {
        String old = server.token().value();
        clock.advance(Duration.ofDays(3));
        AdminClient.Reply r = client.call("POST", "/api/system/token/rotate", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.get("generation")).isEqualTo(Value.of(2L));
        assertThat(r.get("issued_at")).isEqualTo(Value.of(T0.plus(Duration.ofDays(3)).toString()));
        String fresh = ((Value.Str) r.get("token")).value();
        assertThat(client.call("GET", "/api/system/status", null, old).status()).isEqualTo(401);
        assertThat(client.call("GET", "/api/system/status", null, fresh).status()).isEqualTo(200);
    }
}
