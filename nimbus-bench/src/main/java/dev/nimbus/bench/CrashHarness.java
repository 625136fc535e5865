package dev.nimbus.bench;

import dev.nimbus.cli.Nimbus;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;

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

/**
 * The crash harness (issue F3): a child {@code nimbus start} process under concurrent HTTP write
 * load is killed with SIGKILL at a random moment and restarted, cycle after cycle; at the end
 * every write that got a 2xx must be present and {@code nimbus verify} must pass. CI runs 20
 * cycles ({@code CrashHarnessTest}); {@code main} runs 1,000 by default. Bounded in cycles,
 * writers and time; loopback only.
 *
 * <p>Arguments: {@code --cycles=1000}, {@code --writers=4}, {@code --minutes=40} (stops early,
 * reporting the cycles done), {@code --dir} (default: a temp dir under nimbus-bench/target).
 */
public final class CrashHarness {
    /** What a run did. {@code lost} must be empty and {@code verifyExitCode} 0. */
    public record Result(int cycles, int acknowledged, int present, Set<String> lost, int verifyExitCode) {
    }

    public static void main(String[] args) throws Exception {
        int cycles = 1_000;
        int writers = 4;
        long minutes = 40;
        Path dir = null;
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "cycles" -> cycles = Integer.parseInt(kv[1]);
                case "writers" -> writers = Integer.parseInt(kv[1]);
                case "minutes" -> minutes = Long.parseLong(kv[1]);
                case "dir" -> dir = Path.of(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        Path root = dir != null ? dir : Files.createTempDirectory(CommitThroughputBench.Settings.moduleTarget(), "crash-");
        Result r = run(root, cycles, writers, Duration.ofMinutes(minutes), 20261124);
        System.out.printf("crash harness: %d cycles, %d acknowledged writes, %d documents present, %d lost, verify exit %d%n",
                r.cycles(), r.acknowledged(), r.present(), r.lost().size(), r.verifyExitCode());
        if (dir == null) {
            EngineInsertBench.deleteTree(root);
        }
        System.exit(r.lost().isEmpty() && r.verifyExitCode() == 0 ? 0 : 1);
    }

    public static Result run(Path root, int cycles, int writers, Duration budget, long seed) throws Exception {
        Path data = root.resolve("data");
        Path tokenFile = root.resolve("token");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Set<String> acknowledged = Collections.synchronizedSet(new HashSet<>());
        Random random = new Random(seed);
        long deadline = System.nanoTime() + budget.toNanos();
        int done = 0;
        for (; done < cycles && System.nanoTime() < deadline; done++) {
            int port = freePort();
            Process child = start(port, data, tokenFile);
            try {
                String base = "http://127.0.0.1:" + port;
                awaitHealth(http, base, child);
                String token = token(tokenFile);
                if (done == 0) {
                    HttpResponse<String> created = send(http, base + "/api/tenants", token, "{\"id\": \"crash\"}");
                    if (created.statusCode() != 201 && created.statusCode() != 409) {
                        throw new IllegalStateException("cannot create the tenant: " + created.body());
                    }
                }
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> threads = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    int cycle = done;
                    threads.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < 10_000 && !stop.get(); i++) {
                            try {
                                HttpResponse<String> r = send(http, base + "/api/tenants/crash/documents", token,
                                        "{\"table\": \"t\", \"fields\": {\"cycle\": " + cycle + ", \"w\": " + writer
                                                + ", \"i\": " + i + "}}");
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
                for (Thread t : threads) {
                    t.join(10_000);
                }
            } finally {
                child.destroyForcibly();
                child.waitFor();
            }
        }

        // Restart once more: every acknowledged write must be there.
        int port = freePort();
        Process child = start(port, data, tokenFile);
        Set<String> present = new HashSet<>();
        try {
            String base = "http://127.0.0.1:" + port;
            awaitHealth(http, base, child);
            HttpResponse<String> all = http.send(HttpRequest.newBuilder(URI.create(base + "/api/tenants/crash/documents/t"))
                    .header("Authorization", "Bearer " + token(tokenFile)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (all.statusCode() == 200) {
                for (Value d : ((Value.Array) ((Value.Obj) ValueJson.read(all.body())).get("data")).elements()) {
                    present.add(((Value.Str) ((Value.Obj) d).get("_id")).value());
                }
            }
        } finally {
            child.destroy(); // SIGTERM: graceful
            child.waitFor();
        }
        Set<String> lost = new HashSet<>(acknowledged);
        lost.removeAll(present);
        int verify = Nimbus.run("verify", "--data-dir", data.toString());
        return new Result(done, acknowledged.size(), present.size(), lost, verify);
    }

    static Process start(int port, Path data, Path tokenFile) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Files.createDirectories(data);
        Path log = data.resolveSibling("child.log");
        return new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "dev.nimbus.cli.Nimbus", "start", "--no-dynamodb", "--port", Integer.toString(port),
                "--data-dir", data.toString(), "--token-file", tokenFile.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    static void awaitHealth(HttpClient http, String base, Process child) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (!child.isAlive()) {
                throw new IllegalStateException("the server exited with " + child.exitValue());
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
        throw new IllegalStateException("the server did not become healthy within 30 s");
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
