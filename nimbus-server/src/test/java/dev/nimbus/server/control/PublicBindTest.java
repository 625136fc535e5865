package dev.nimbus.server.control;

import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import dev.nimbus.server.auth.AdminToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The public-bind token rules on a real server. 127.0.0.2 is a non-loopback host by Nimbus's
 * rule (only 127.0.0.1, ::1 and localhost are), yet stays on this machine's loopback interface.
 */
class PublicBindTest {
    static final String HOST = "127.0.0.2";
    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    @TempDir
    Path dir;

    NimbusServer startPublic(Path tokenFile) {
        ServerConfig config = ServerConfig.defaults(dir.resolve("data"), tokenFile).withPort(0).withHost(HOST, true);
        return NimbusServer.start(config, new ControlSettings(dir.resolve("data"), new MutableClock(NOW)));
    }

    Path tokenFile(boolean rotated, Instant issuedAt) throws Exception {
        Path file = dir.resolve("auth/token");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"token\": \"t0ken-for-tests\", \"generation\": 3, \"rotated\": " + rotated
                + ", \"issued_at\": \"" + issuedAt + "\"}");
        return file;
    }

    @Test
    void aTokenOlderThanThirtyDaysStartsWithAWarningShownInTheStatusRoute() throws Exception {
        Path file = tokenFile(true, NOW.minus(Duration.ofDays(45)));
        try (NimbusServer server = startPublic(file)) {
            AdminClient.Reply status = new AdminClient("http://" + HOST + ":" + server.port(), "t0ken-for-tests")
                    .call("GET", "/api/system/status", null);
            assertThat(status.status()).isEqualTo(200);
            assertThat(((Value.Obj) status.get("token")).get("age_days")).isEqualTo(Value.of(45L));
            Value.Array warnings = (Value.Array) status.get("warnings");
            assertThat(warnings.elements()).hasSize(1);
            assertThat(((Value.Str) warnings.elements().get(0)).value()).contains("45 days").contains("nimbus token rotate");
        }
    }

    @Test
    void aRecentlyRotatedTokenStartsWithoutWarnings() throws Exception {
        Path file = tokenFile(true, NOW.minus(Duration.ofDays(29)));
        try (NimbusServer server = startPublic(file)) {
            AdminClient.Reply status = new AdminClient("http://" + HOST + ":" + server.port(), "t0ken-for-tests")
                    .call("GET", "/api/system/status", null);
            assertThat(status.get("warnings")).isEqualTo(Value.array(java.util.List.of()));
        }
    }

    @Test
    void aNeverRotatedTokenIsRefusedHoweverYoungAndNothingIsLeftLocked() throws Exception {
        Path file = tokenFile(false, NOW);
        assertThatThrownBy(() -> startPublic(file)).isInstanceOf(NimbusException.class)
                .hasMessageContaining("never rotated");
        // The refusal came before the control plane and storage were opened.
        try (NimbusServer server = NimbusServer.start(ServerConfig.defaults(dir.resolve("data"), file).withPort(0))) {
            assertThat(server.token().generation()).isEqualTo(3);
        }
    }

    @Test
    void aNonLoopbackHostNeedsAllowNetwork() throws Exception {
        Path file = tokenFile(true, NOW);
        ServerConfig config = ServerConfig.defaults(dir.resolve("data"), file).withPort(0).withHost(HOST, false);
        assertThatThrownBy(() -> NimbusServer.start(config)).isInstanceOf(NimbusException.class)
                .hasMessageContaining("--allow-network");
    }

    @Test
    void aLegacyTokenFileWithoutIssuedAtAgesFromItsModificationTime() throws Exception {
        Path file = dir.resolve("legacy/token");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"token\": \"x\", \"generation\": 2, \"rotated\": true}");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(NOW.minus(Duration.ofDays(40))));
        AdminToken token = AdminToken.loadOrMint(file, new MutableClock(NOW));
        assertThat(token.age().toDays()).isEqualTo(40);
        token.rotate();
        assertThat(token.age()).isEqualTo(Duration.ZERO);
        assertThat(Files.readString(file)).contains("\"issued_at\":\"" + NOW + "\"");
    }
}
