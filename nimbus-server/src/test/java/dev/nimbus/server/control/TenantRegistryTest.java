package dev.nimbus.server.control;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tenant registry in nimbus-control.db, through the native API of a real server. */
class TenantRegistryTest {
    static final Instant T0 = Instant.parse("2026-03-14T09:26:53Z");

    @TempDir
    Path dir;

    NimbusServer start(Path data, Path control) {
        ServerConfig config = ServerConfig.defaults(data, dir.resolve("auth/token")).withPort(0);
        return NimbusServer.start(config, new ControlSettings(control, new MutableClock(T0)));
    }

    static AdminClient client(NimbusServer s) {
        return new AdminClient("http://127.0.0.1:" + s.port(), s.token().value());
    }

    @Test
    void createdTenantsAreRegisteredWithTheirCreationTimeProviderAndStatus() throws Exception {
        Path control = dir.resolve("control");
        try (NimbusServer s = start(dir.resolve("data"), control)) {
            AdminClient c = client(s);
            assertThat(c.call("POST", "/api/tenants", "{\"id\": \"acme\"}").status()).isEqualTo(201);
            AdminClient.Reply tenants = c.call("GET", "/api/system/tenants", null);
            assertThat(tenants.status()).isEqualTo(200);
            Value.Obj row = (Value.Obj) ((Value.Array) tenants.get("tenants")).elements().get(0);
            assertThat(row.get("id")).isEqualTo(Value.of("acme"));
            assertThat(row.get("created_at")).isEqualTo(Value.of(T0.toString()));
            assertThat(row.get("provider")).isEqualTo(Value.of("sqlite"));
            assertThat(row.get("status")).isEqualTo(Value.of("active"));
            AdminClient.Reply again = c.call("POST", "/api/tenants", "{\"id\": \"acme\"}");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.errorCode()).isEqualTo("op.already_exists");
        }
        // The row is in the control plane's own file, in the control data dir, and survives a restart.
        assertThat(control.resolve(ControlStore.FILE)).exists();
        try (var conn = DriverManager.getConnection("jdbc:sqlite:" + control.resolve(ControlStore.FILE));
             var rs = conn.createStatement().executeQuery("SELECT tenant_id, created_at_ms, status FROM tenants")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("acme");
            assertThat(rs.getLong(2)).isEqualTo(T0.toEpochMilli());
            assertThat(rs.getString(3)).isEqualTo("active");
        }
        try (NimbusServer s = start(dir.resolve("data"), control)) {
            assertThat(client(s).call("GET", "/api/tenants", null).get("tenants")).isEqualTo(Value.array(Value.of("acme")));
        }
    }

    @Test
    void deletingThroughTheApiRemovesTheRegistryRowAndTheStorage() throws Exception {
        Path data = dir.resolve("data");
        try (NimbusServer s = start(data, data)) {
            AdminClient c = client(s);
            c.call("POST", "/api/tenants", "{\"id\": \"gone\"}");
            c.call("POST", "/api/tenants", "{\"id\": \"kept\"}");
            assertThat(c.call("DELETE", "/api/tenants/gone", null).status()).isEqualTo(204);
            assertThat(c.call("GET", "/api/tenants", null).get("tenants")).isEqualTo(Value.array(Value.of("kept")));
            assertThat(data.resolve("gone.sqlite3")).doesNotExist();
            AdminClient.Reply missing = c.call("GET", "/api/tenants/gone/documents/t", null);
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.errorCode()).isEqualTo("session.tenant_not_found");
            assertThat(missing.error().get("detail")).isEqualTo(new Value.Obj(java.util.Map.of("tenantId", Value.of("gone"))));
            assertThat(c.call("DELETE", "/api/tenants/gone", null).errorCode()).isEqualTo("session.tenant_not_found");
        }
    }

    @Test
    void aSecondServerOnTheSameControlDirFailsFastWithBusy() {
        Path control = dir.resolve("control");
        try (NimbusServer first = start(dir.resolve("a"), control)) {
            assertThatThrownBy(() -> start(dir.resolve("b"), control))
                    .isInstanceOfSatisfying(NimbusException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_BUSY);
                        assertThat(e.getMessage()).contains("busy").contains(control.toAbsolutePath().toString());
                    });
            assertThat(first.engine().tenants()).isEmpty(); // the first one keeps serving
        }
        try (NimbusServer second = start(dir.resolve("b"), control)) {
            assertThat(second.port()).isPositive();
        }
    }

    @Test
    void tenantsFoundInStorageWithoutARowAreAdopted() throws Exception {
        Path data = dir.resolve("data");
        try (NimbusServer s = start(data, data)) {
            s.engine().createTenant(TenantId.of("below"));
            AdminClient c = client(s);
            assertThat(c.call("GET", "/api/tenants/below/documents/t", null).status()).isEqualTo(200);
            assertThat(s.control().tenants().entry(TenantId.of("below")).orElseThrow().status())
                    .isEqualTo(TenantRegistry.Status.ACTIVE);
        }
    }

    @Test
    void aRestartFinishesInterruptedDeletesRollsBackInterruptedCreatesAndFlagsMissingStorage() throws Exception {
        Path data = dir.resolve("data");
        try (NimbusServer s = start(data, data)) {
            AdminClient c = client(s);
            for (String id : List.of("deleting", "provisioning", "vanished", "fine")) {
                c.call("POST", "/api/tenants", "{\"id\": \"" + id + "\"}");
            }
        }
        try (var conn = DriverManager.getConnection("jdbc:sqlite:" + data.resolve(ControlStore.FILE));
             var st = conn.createStatement()) {
            st.executeUpdate("UPDATE tenants SET status = 'deleting' WHERE tenant_id = 'deleting'");
            st.executeUpdate("UPDATE tenants SET status = 'provisioning' WHERE tenant_id = 'provisioning'");
        }
        java.nio.file.Files.delete(data.resolve("vanished.sqlite3"));
        try (NimbusServer s = start(data, data)) {
            AdminClient c = client(s);
            assertThat(c.call("GET", "/api/tenants", null).get("tenants")).isEqualTo(Value.array(Value.of("fine")));
            assertThat(data.resolve("deleting.sqlite3")).doesNotExist();
            assertThat(data.resolve("provisioning.sqlite3")).doesNotExist();
            assertThat(s.control().tenants().entry(TenantId.of("vanished")).orElseThrow().status())
                    .isEqualTo(TenantRegistry.Status.MISSING);
            assertThat(c.call("GET", "/api/tenants/vanished/documents/t", null).status()).isEqualTo(404);
            // A missing tenant can be created afresh.
            assertThat(c.call("POST", "/api/tenants", "{\"id\": \"vanished\"}").status()).isEqualTo(201);
            assertThat(c.call("GET", "/api/tenants/vanished/documents/t", null).status()).isEqualTo(200);
        }
    }

    @Test
    void aMissingTenantWhoseStorageComesBackIsServedAgain() throws Exception {
        Path data = dir.resolve("data");
        try (NimbusServer s = start(data, data)) {
            client(s).call("POST", "/api/tenants", "{\"id\": \"back\"}");
        }
        java.nio.file.Files.delete(data.resolve("back.sqlite3"));
        try (NimbusServer s = start(data, data)) {
            AdminClient c = client(s);
            assertThat(c.call("GET", "/api/tenants/back/documents/t", null).status()).isEqualTo(404);
            s.engine().createTenant(TenantId.of("back")); // restored below the API
            assertThat(c.call("GET", "/api/tenants/back/documents/t", null).status()).isEqualTo(200);
            assertThat(s.control().tenants().entry(TenantId.of("back")).orElseThrow())
                    .extracting(TenantRegistry.Entry::status, TenantRegistry.Entry::createdAt)
                    .containsExactly(TenantRegistry.Status.ACTIVE, T0);
        }
    }
}
