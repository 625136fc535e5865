package dev.nimbus.server.control;

import dev.nimbus.core.value.Value;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

/** server.json: written once listening, owner-only, points at a reachable server, gone after a graceful stop. */
class ServerDiscoveryTest {
    @TempDir
    Path dir;

    @Test
    void theRecordNamesTheRunningServerAndIsRemovedOnClose() throws Exception {
        Path control = dir.resolve("control");
        Path token = dir.resolve("auth/token");
        ServerConfig config = ServerConfig.defaults(dir.resolve("data"), token).withPort(0);
        Path file = control.resolve(ServerDiscovery.FILE);
        try (NimbusServer server = NimbusServer.start(config, new ControlSettings(control, Clock.systemUTC()))) {
            assertThat(file).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            ServerDiscovery record = ServerDiscovery.read(control).orElseThrow();
            assertThat(record.address()).isEqualTo("http://127.0.0.1:" + server.port());
            assertThat(record.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(record.processAlive()).isTrue();
            assertThat(record.tokenFile()).isEqualTo(token.toAbsolutePath());
            assertThat(record.tenantProvider()).isEqualTo("sqlite");
            assertThat(Files.readString(file)).doesNotContain(server.token().value());
            AdminClient.Reply health = new AdminClient(record.address(), null).call("GET", "/health", null, null);
            assertThat(health.get("ok")).isEqualTo(Value.of(true));
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void wildcardBindsAreReachedOnLoopback() {
        assertThat(ServerDiscovery.localAddress("0.0.0.0", 8080, false)).isEqualTo("http://127.0.0.1:8080");
        assertThat(ServerDiscovery.localAddress("::", 8080, true)).isEqualTo("https://[::1]:8080");
        assertThat(ServerDiscovery.localAddress("10.0.0.5", 80, false)).isEqualTo("http://10.0.0.5:80");
    }
}
