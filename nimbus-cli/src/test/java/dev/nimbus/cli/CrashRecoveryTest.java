package dev.nimbus.cli;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A child {@code nimbus start} process under concurrent HTTP write load is killed with SIGKILL
 * at random moments and restarted, {@value #CYCLES} times: every write that got a 2xx is there
 * afterwards and {@code nimbus verify} passes. Bounded in cycles, writers and time; loopback only.
 */
class CrashRecoveryTest {
    static final int CYCLES = 20;
    static final int WRITERS = 4;

    @TempDir
    Path dir;

    @Test
    void acknowledgedWritesSurviveSigkill() throws Exception {
        Path data = dir.resolve("data");
        Path tokenFile = dir.resolve("token");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Set<String> acknowledged = Collections.synchronizedSet(new HashSet<>());
        Random random = new Random(20261124);
        long deadline = System.currentTimeMillis() + 240_000;
        int cycles = 0;
        for (; cycles < CYCLES && System.currentTimeMillis() < deadline; cycles++) {
            int port = freePort();
            Process child = start(port, data, tokenFile);
            try {
                String base = "http://127.0.0.1:" + port;
                awaitHealth(http, base, child);
                String token = token(tokenFile);
                if (cycles == 0) {
                    assertThat(send(http, base + "/api/tenants", token, "{\"id\": \"crash\"}").statusCode()).isEqualTo(201);
                }
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    int writer = w;
                    int cycle = cycles;
                    writers.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < 10_000 && !stop.get(); i++) {
                            try {
                                HttpResponse<String> r = send(http, base + "/api/tenants/crash/documents", token,
                                        "{\"table\": \"t\", \"fields\": {\"cycle\": " + cycle + ", \"w\": " + writer + ", \"i\": " + i + "}}");
                                if (r.statusCode() == 201) {
                                    acknowledged.add(((Value.Str) ((Value.Obj) ValueJson.read(r.body())).get("id")).value());
                                }
                            } catch (IOException | InterruptedException e) {
                                return; // the server died under us: this write was never acknowledged
                            }
                        }
                    }));
                }
                Thread.sleep(100 + random.nextInt(400));
                child.destroyForcibly(); // SIGKILL
                child.waitFor();
                stop.set(true);
                for (Thread t : writers) {
                    t.join(10_000);
                }
            } finally {
                child.destroyForcibly();
                child.waitFor();
            }
        }
        assertThat(cycles).isGreaterThanOrEqualTo(CYCLES);
        assertThat(acknowledged).isNotEmpty();

        // Restart once more: every acknowledged write is there.
        int port = freePort();
        Process child = start(port, data, tokenFile);
        try {
            String base = "http://127.0.0.1:" + port;
            awaitHealth(http, base, child);
            HttpResponse<String> all = http.send(HttpRequest.newBuilder(URI.create(base + "/api/tenants/crash/documents/t"))
                    .header("Authorization", "Bearer " + token(tokenFile)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(all.statusCode()).isEqualTo(200);
            Set<String> present = new HashSet<>();
            for (Value d : ((Value.Array) ((Value.Obj) ValueJson.read(all.body())).get("data")).elements()) {
                present.add(((Value.Str) ((Value.Obj) d).get("_id")).value());
            }
            System.out.printf("crash test: %d cycles, %d acknowledged writes, %d documents present%n",
                    cycles, acknowledged.size(), present.size());
            assertThat(present).containsAll(acknowledged);
        } finally {
            child.destroy(); // SIGTERM: graceful
            child.waitFor();
        }
        assertThat(Nimbus.run("verify", "--data-dir", data.toString())).isZero();
    }

    static Process start(int port, Path data, Path tokenFile) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = data.resolveSibling("child-" + port + ".log");
        Files.createDirectories(data);
        return new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "dev.nimbus.cli.Nimbus", "start", "--port", Integer.toString(port),
                "--data-dir", data.toString(), "--token-file", tokenFile.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void awaitHealth(HttpClient http, String base, Process child) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (!child.isAlive()) {
                throw new AssertionError("the server exited with " + child.exitValue());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the server did not become healthy within 30 s");
    }

    static HttpResponse<String> send(HttpClient http, String url, String token, String body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String token(Path file) throws IOException {
        return ((Value.Str) ((Value.Obj) ValueJson.read(Files.readString(file))).get("token")).value();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
