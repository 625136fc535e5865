package dev.nimbus.cli;

import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import dev.nimbus.server.auth.AdminToken;
import dev.nimbus.server.control.ServerDiscovery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code nimbus token rotate} and {@code nimbus auth rotate-admin}: live through a running server, or offline. */
class TokenRotateTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    /** Runs the CLI in-process, capturing what it prints. */
    static synchronized Run nimbus(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Nimbus.run(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static int status(NimbusServer server, String token) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/tenants"))
                .header("Authorization", "Bearer " + token).GET().build();
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void tokenRotateGoesThroughTheRunningServerOfThatDataDir() throws Exception {
        assertRotatesLive("token", "rotate");
    }

    @Test
    void authRotateAdminAlsoGoesThroughTheRunningServer() throws Exception {
        assertRotatesLive("auth", "rotate-admin");
    }

    private void assertRotatesLive(String... command) throws Exception {
        Path data = dir.resolve("data");
        Path tokenFile = dir.resolve("auth/token");
        try (NimbusServer server = NimbusServer.start(ServerConfig.defaults(data, tokenFile).withPort(0))) {
            String old = server.token().value();
            // --token-file names another file: a live rotation uses the server's own token file.
            Run run = nimbus(command[0], command[1], "--data-dir", data.toString(),
                    "--token-file", dir.resolve("elsewhere/token").toString());
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("through the running server at http://127.0.0.1:" + server.port())
                    .contains("generation 2");
            assertThat(server.token().generation()).isEqualTo(2);
            String fresh = AdminToken.loadOrMint(tokenFile).value();
            assertThat(fresh).isNotEqualTo(old).isEqualTo(server.token().value());
            assertThat(status(server, old)).isEqualTo(401);
            assertThat(status(server, fresh)).isEqualTo(200);
            assertThat(dir.resolve("elsewhere/token")).doesNotExist();
        }
    }

    @Test
    void withoutARunningServerTheTokenFileIsRotatedOffline() {
        Path tokenFile = dir.resolve("auth/token");
        long before = AdminToken.loadOrMint(tokenFile).generation();
        Run run = nimbus("token", "rotate", "--data-dir", dir.resolve("data").toString(), "--token-file", tokenFile.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("no running server").contains("offline to generation " + (before + 1));
        assertThat(AdminToken.loadOrMint(tokenFile).generation()).isEqualTo(before + 1);
    }

    @Test
    void aStaleDiscoveryRecordIsIgnoredAndRemoved() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Path control = Files.createDirectories(dir.resolve("control"));
        Path tokenFile = dir.resolve("auth/token");
        new ServerDiscovery("http://127.0.0.1:9", gone.pid(), tokenFile, Instant.now(), control, "sqlite", "0").write();
        Run run = nimbus("auth", "rotate-admin", "--control-data-dir", control.toString(), "--token-file", tokenFile.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("stale").contains("offline to generation 2");
        assertThat(control.resolve(ServerDiscovery.FILE)).doesNotExist();
    }

    @Test
    void aRunningServerThatRefusesTheTokenFailsTheCommandAndKeepsItsToken() throws Exception {
        Path data = dir.resolve("data");
        Path tokenFile = dir.resolve("auth/token");
        try (NimbusServer server = NimbusServer.start(ServerConfig.defaults(data, tokenFile).withPort(0))) {
            Files.writeString(tokenFile, "{\"token\": \"not-the-servers\", \"generation\": 9, \"rotated\": true}");
            Run run = nimbus("token", "rotate", "--data-dir", data.toString());
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.err()).contains("refused the rotation (HTTP 401)").contains("auth.unauthorized");
            assertThat(server.token().generation()).isEqualTo(1);
        }
    }

    @Test
    void theControlDataDirDefaultsToTheDataDirWithFlagEnvFilePrecedence() throws Exception {
        StartCommand start = new StartCommand();
        new CommandLine(start).parseArgs("--data-dir", "/d");
        assertThat(start.controlDataDir(Map.of())).isEqualTo(Path.of("/d"));
        assertThat(start.controlDataDir(Map.of("NIMBUS_CONTROL_DATA_DIR", "/c"))).isEqualTo(Path.of("/c"));
        Path config = Files.writeString(dir.resolve("n.json"), "{\"persistence\": {\"control_data_dir\": \"/file\"}}");
        StartCommand fromFile = new StartCommand();
        new CommandLine(fromFile).parseArgs("--config", config.toString());
        assertThat(fromFile.controlDataDir(Map.of())).isEqualTo(Path.of("/file"));
        StartCommand none = new StartCommand();
        new CommandLine(none).parseArgs();
        assertThat(none.controlDataDir(Map.of())).isEqualTo(Path.of("./data"));
    }
}
