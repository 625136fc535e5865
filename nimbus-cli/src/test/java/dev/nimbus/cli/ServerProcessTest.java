package dev.nimbus.cli;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import dev.nimbus.server.auth.AdminToken;
import dev.nimbus.server.control.ServerDiscovery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code nimbus start} in its own process: a second server on its control data dir fails with
 * busy, {@code nimbus token rotate} from this process rotates through it, and a graceful stop
 * removes its discovery record.
 */
class ServerProcessTest {
    static final long START_WAIT_MILLIS = 60_000;
    static final long POLL_MILLIS = 100;

    @TempDir
    Path dir;

    @Test
    void aSeparateServerProcessIsFoundLockedAndRotatedThrough() throws Exception {
        Path data = dir.resolve("data");
        Path tokenFile = dir.resolve("auth/token");
        String javaBinary = ProcessHandle.current().info().command().orElseThrow();
        Process server = new ProcessBuilder(List.of(javaBinary, "-cp", System.getProperty("java.class.path"),
                "dev.nimbus.cli.Nimbus", "start", "--port", "0", "--data-dir", data.toString(),
                "--token-file", tokenFile.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        try {
            ServerDiscovery record = awaitRecord(data, server);
            assertThat(record.pid()).isEqualTo(server.pid());

            // A second server on the same control data dir (another data dir for tenants) fails fast.
            ServerConfig second = ServerConfig.defaults(dir.resolve("other"), dir.resolve("auth2/token")).withPort(0);
            assertThatThrownBy(() -> NimbusServer.start(second, new dev.nimbus.server.control.ControlSettings(data,
                    java.time.Clock.systemUTC()))).isInstanceOfSatisfying(NimbusException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_BUSY));

            String old = AdminToken.loadOrMint(tokenFile).value();
            TokenRotateTest.Run run = TokenRotateTest.nimbus("token", "rotate", "--data-dir", data.toString());
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("through the running server at " + record.address());
            String fresh = AdminToken.loadOrMint(tokenFile).value();
            assertThat(status(record.address(), old)).isEqualTo(401);
            assertThat(status(record.address(), fresh)).isEqualTo(200);
        } finally {
            server.destroy(); // SIGTERM: the graceful stop
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(data.resolve(ServerDiscovery.FILE)).doesNotExist();
    }

    private static ServerDiscovery awaitRecord(Path data, Process server) throws Exception {
        long deadline = System.currentTimeMillis() + START_WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(data.resolve(ServerDiscovery.FILE))) {
                Optional<ServerDiscovery> r = ServerDiscovery.read(data);
                if (r.isPresent()) {
                    return r.get();
                }
            }
            assertThat(server.isAlive()).as("the server process exited early").isTrue();
            Thread.sleep(POLL_MILLIS);
        }
        throw new AssertionError("no " + ServerDiscovery.FILE + " within " + START_WAIT_MILLIS + " ms");
    }

    private static int status(String address, String token) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(address + "/api/tenants"))
                .header("Authorization", "Bearer " + token).GET().build();
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
