package dev.nimbus.server;

import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The nimbus.v2 WebSocket protocol through the JDK WebSocket client. */
class WebSocketTest {
    @TempDir
    Path dir;
    NimbusServer server;
    HttpClient client;
    final TenantId tenant = TenantId.of("acme");

    @BeforeEach
    void start() {
        server = NimbusServer.start(ServerConfig.defaults(dir.resolve("data"), dir.resolve("token")).withPort(0)
                .withWsHelloTimeoutMillis(400));
        server.engine().createTenant(tenant);
        client = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Collects text messages and the close. */
    static final class Inbox implements WebSocket.Listener {
        final LinkedBlockingQueue<Value.Obj> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<int[]> closed = new CompletableFuture<>();
        final CompletableFuture<String> closeReason = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add((Value.Obj) ValueJson.read(partial.toString()));
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            closeReason.complete(reason);
            closed.complete(new int[] {status});
            return null;
        }

        Value.Obj next() throws InterruptedException {
            Value.Obj m = messages.poll(10, TimeUnit.SECONDS);
            assertThat(m).as("a message within 10 s").isNotNull();
            return m;
        }
    }

    WebSocket connect(Inbox inbox, String protocol) {
        return client.newWebSocketBuilder()
                .header("Authorization", "Bearer " + server.token().value())
                .header("X-Tenant-Id", tenant.value())
                .subprotocols(protocol)
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), inbox).join();
    }

    @Test
    void aSubscriberSeesTheInitialResultThenEachWriteFromAnotherConnection() throws Exception {
        Inbox inbox = new Inbox();
        WebSocket ws = connect(inbox, "nimbus.v2");
        Value.Obj hello = inbox.next();
        assertThat(hello.get("type")).isEqualTo(Value.of("hello"));
        assertThat(hello.get("protocol")).isEqualTo(Value.of("nimbus.v2"));
        ws.sendText("{\"type\": \"client_hello\", \"protocol\": \"nimbus.v2\"}", true).join();
        ws.sendText("{\"type\": \"subscribe\", \"request_id\": \"r1\", \"query\": {\"table\": \"t\", \"filters\": "
                + "[{\"field\": \"open\", \"op\": \"eq\", \"value\": true}]}}", true).join();
        Value.Obj first = inbox.next();
        assertThat(first.get("type")).isEqualTo(Value.of("subscription_result"));
        assertThat(first.get("request_id")).isEqualTo(Value.of("r1"));
        assertThat(((Value.Array) first.get("data")).elements()).isEmpty();

        // A write through HTTP, another connection.
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/api/tenants/acme/documents"))
                .header("Authorization", "Bearer " + server.token().value())
                .POST(HttpRequest.BodyPublishers.ofString("{\"table\": \"t\", \"fields\": {\"open\": true, \"n\": 1}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
        Value.Obj second = inbox.next();
        assertThat(second.get("subscription_id")).isEqualTo(first.get("subscription_id"));
        assertThat(second.get("request_id")).isNull();
        assertThat(((Value.Array) second.get("data")).elements()).hasSize(1);

        // Further writes through the engine: every result is a full, newer state; the last equals the truth.
        for (int i = 2; i <= 20; i++) {
            server.engine().mutate(tenant, Principal.ADMIN, new Mutation.Insert(TableName.of("t"), Optional.empty(),
                    new Value.Obj(Map.of("open", Value.of(true), "n", Value.of((long) i)))));
        }
        int size = 1;
        while (size < 20) {
            int next = ((Value.Array) inbox.next().get("data")).elements().size();
            assertThat(next).as("monotonic: never an older result").isGreaterThan(size);
            size = next;
        }
        ws.sendText("{\"type\": \"unsubscribe\", \"subscription_id\": " + ((Value.Int64) first.get("subscription_id")).value() + "}", true).join();
        ws.sendText("{\"type\": \"unsubscribe\", \"subscription_id\": 999}", true).join();
        Value.Obj error = inbox.next();
        assertThat(error.get("type")).isEqualTo(Value.of("error"));
        assertThat(((Value.Obj) error.get("error")).get("code")).isEqualTo(Value.of("session.unsubscribe_failed"));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    @Test
    void noClientHelloInTimeClosesWith1008() throws Exception {
        Inbox inbox = new Inbox();
        connect(inbox, "nimbus.v2");
        assertThat(inbox.next().get("type")).isEqualTo(Value.of("hello"));
        Value.Obj fatal = inbox.next();
        assertThat(fatal.get("type")).isEqualTo(Value.of("fatal_error"));
        assertThat(((Value.Obj) fatal.get("error")).get("code")).isEqualTo(Value.of("protocol.hello_timeout"));
        assertThat(inbox.closed.get(10, TimeUnit.SECONDS)[0]).isEqualTo(1008);
        assertThat(inbox.closeReason.get()).isEqualTo("protocol.hello_timeout");
    }

    @Test
    void aWrongFirstMessageIsAProtocolViolation() throws Exception {
        Inbox inbox = new Inbox();
        WebSocket ws = connect(inbox, "nimbus.v2");
        inbox.next();
        ws.sendText("{\"type\": \"subscribe\"}", true).join();
        Value.Obj fatal = inbox.next();
        assertThat(((Value.Obj) fatal.get("error")).get("code")).isEqualTo(Value.of("protocol.unsupported_message_type"));
        assertThat(inbox.closed.get(10, TimeUnit.SECONDS)[0]).isEqualTo(1008);
    }

    @Test
    void upgradesWithoutNimbusV2OrWithAnUnknownTenantAreRefused() {
        assertThatThrownBy(() -> connect(new Inbox(), "other.v1")).isInstanceOfSatisfying(CompletionException.class,
                e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(400));
        assertThatThrownBy(() -> client.newWebSocketBuilder()
                .header("Authorization", "Bearer " + server.token().value())
                .header("X-Tenant-Id", "ghost").subprotocols("nimbus.v2")
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), new Inbox()).join())
                .isInstanceOfSatisfying(CompletionException.class,
                        e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(404));
        assertThatThrownBy(() -> client.newWebSocketBuilder()
                .header("X-Tenant-Id", "acme").subprotocols("nimbus.v2")
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), new Inbox()).join())
                .isInstanceOfSatisfying(CompletionException.class,
                        e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(401));
    }

    @Test
    void anUpgradeFromAForeignOriginIsRefusedEvenWithTheToken() {
        assertThatThrownBy(() -> client.newWebSocketBuilder()
                .header("Authorization", "Bearer " + server.token().value())
                .header("Origin", "https://evil.example")
                .header("X-Tenant-Id", "acme").subprotocols("nimbus.v2")
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), new Inbox()).join())
                .isInstanceOfSatisfying(CompletionException.class,
                        e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(403));
        // The server's own origin is fine.
        WebSocket ok = client.newWebSocketBuilder()
                .header("Authorization", "Bearer " + server.token().value())
                .header("Origin", "http://127.0.0.1:" + server.port())
                .header("X-Tenant-Id", "acme").subprotocols("nimbus.v2")
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), new Inbox()).join();
        ok.abort();
    }
}
