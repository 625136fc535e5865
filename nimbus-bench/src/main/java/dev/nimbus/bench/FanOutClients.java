package dev.nimbus.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The WebSocket clients of {@link FanOutBench}, in a process of their own: a process may hold
 * only so many open files (20,000 here), and 10,000 subscribers need 10,000 sockets on each
 * side. Driven line by line over stdin/stdout:
 * <ul>
 *   <li>{@code nimbus <port> <token> <n>}: opens n nimbus.v2 connections, each subscribed to the
 *       bench query; answers {@code ready} once every one has its first result;</li>
 *   <li>{@code raw <port> <n>}: opens n plain WebSocket connections; answers {@code ready};</li>
 *   <li>{@code arm <n>}: expect n more messages; answers {@code armed};</li>
 *   <li>{@code await}: answers {@code done <nanoTime> <bytes>} with the moment the n-th message
 *       arrived ({@link System#nanoTime()} is the machine's monotonic clock, comparable across
 *       processes on Linux) and the size of the last one;</li>
 *   <li>{@code close}: drops every connection; answers {@code closed}.</li>
 * </ul>
 * Every wait is bounded (120 s).
 */
public final class FanOutClients {
    static final String QUERY_SUBSCRIPTION = "{\"type\": \"subscribe\", \"request_id\": \"r\", \"query\":"
            + " {\"table\": \"items\", \"filters\": [], \"order\": {\"field\": \"n\","
            + " \"direction\": \"desc\"}, \"limit\": 10}}";

    public static void main(String[] args) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Counter counter = new Counter();
        List<WebSocket> sockets = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.trim().split(" ");
            switch (w[0]) {
                case "nimbus" -> {
                    int n = Integer.parseInt(w[3]);
                    counter.arm(2L * n); // hello + first result each
                    for (int i = 0; i < n; i++) {
                        WebSocket ws = http.newWebSocketBuilder()
                                .header("Authorization", "Bearer " + w[2]).header("X-Tenant-Id", "bench")
                                .subprotocols("nimbus.v2")
                                .buildAsync(URI.create("ws://127.0.0.1:" + w[1] + "/ws"), counter).join();
                        // One send at a time per WebSocket (the JDK client refuses overlapping sends).
                        ws.sendText("{\"type\": \"client_hello\", \"protocol\": \"nimbus.v2\"}", true)
                                .thenCompose(x -> x.sendText(QUERY_SUBSCRIPTION, true)).join();
                        sockets.add(ws);
                    }
                    counter.await();
                    out.println("ready");
                }
                case "raw" -> {
                    int n = Integer.parseInt(w[2]);
                    List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        opening.add(http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + w[1] + "/ws"), counter));
                    }
                    for (CompletableFuture<WebSocket> f : opening) {
                        sockets.add(f.get(120, TimeUnit.SECONDS));
                    }
                    out.println("ready");
                }
                case "arm" -> {
                    counter.arm(Long.parseLong(w[1]));
                    out.println("armed");
                }
                case "await" -> out.println("done " + counter.await() + " " + counter.lastSize.get());
                case "close" -> {
                    sockets.forEach(WebSocket::abort);
                    sockets.clear();
                    out.println("closed");
                }
                default -> out.println("error unknown command " + w[0]);
            }
        }
    }

    /** Counts completed text messages across all connections; notes when the armed count is reached. */
    static final class Counter implements WebSocket.Listener {
        private final AtomicLong count = new AtomicLong();
        private final AtomicLong target = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong reachedAt = new AtomicLong();
        final AtomicInteger lastSize = new AtomicInteger();
        private final ThreadLocal<StringBuilder> partial = ThreadLocal.withInitial(StringBuilder::new);

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            StringBuilder b = partial.get();
            b.append(data);
            if (last) {
                lastSize.set(b.length());
                b.setLength(0);
                if (count.incrementAndGet() == target.get()) {
                    reachedAt.set(System.nanoTime());
                }
            }
            ws.request(1);
            return null;
        }

        void arm(long n) {
            reachedAt.set(0);
            count.set(0);
            target.set(n);
        }

        /** Waits for the armed count; the {@link System#nanoTime()} at which it was reached. */
        long await() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (reachedAt.get() == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + count.get() + " of " + target.get() + " messages arrived");
                }
                Thread.sleep(0, 100_000);
            }
            return reachedAt.get();
        }
    }

    /** The parent's handle on a client process running {@link #main}. */
    static final class Process implements AutoCloseable {
        private final java.lang.Process process;
        private final PrintWriter to;
        private final BufferedReader from;

        private Process(java.lang.Process process) {
            this.process = process;
            this.to = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
            this.from = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Starts a JVM like this one (same java, same class path) running the clients. */
        static Process start() throws IOException {
            String java = ProcessHandle.current().info().command().orElse(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString());
            return new Process(new ProcessBuilder(java, "-Xss256k", "-cp", System.getProperty("java.class.path"),
                    FanOutClients.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }

        /** Sends one command and returns the answer line. */
        String ask(String command) throws IOException {
            to.println(command);
            String answer = from.readLine();
            if (answer == null || answer.startsWith("error")) {
                throw new IllegalStateException("the client process answered " + answer + " to " + command);
            }
            return answer;
        }

        @Override
        public void close() throws InterruptedException {
            to.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
