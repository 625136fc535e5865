package dev.nimbus.server;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The native HTTP API through the JDK HTTP client against a real server on an ephemeral loopback port. */
class NativeApiTest {
    @TempDir
    Path dir;
    NimbusServer server;
    HttpClient client;
    String base;
    String token;

    @BeforeEach
    void start() {
        server = NimbusServer.start(ServerConfig.defaults(dir.resolve("data"), dir.resolve("auth/token"))
                .withPort(0).withBodyBytesMax(64 * 1024));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        base = "http://127.0.0.1:" + server.port();
        token = server.token().value();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    record Reply(int status, Value body, String requestId) {
        Value.Obj obj() {
            return (Value.Obj) body;
        }

        String errorCode() {
            return ((Value.Str) ((Value.Obj) obj().get("error")).get("code")).value();
        }
    }

    Reply call(String method, String path, String json) throws Exception {
        return call(method, path, json, "Bearer " + token, null);
    }

    Reply call(String method, String path, String json, String authorization, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Value body = r.body().isEmpty() ? null : ValueJson.read(r.body());
        return new Reply(r.statusCode(), body, r.headers().firstValue("X-Request-Id").orElse(null));
    }

    @Test
    void healthNeedsNoToken() throws Exception {
        Reply r = call("GET", "/health", null, null, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.obj().get("ok")).isEqualTo(Value.of(true));
    }

    @Test
    void documentsGoInAndComeBack() throws Exception {
        assertThat(call("POST", "/api/tenants", "{\"id\": \"acme\"}").status()).isEqualTo(201);
        assertThat(call("GET", "/api/tenants", null).obj().get("tenants")).isEqualTo(Value.array(Value.of("acme")));
        Reply created = call("POST", "/api/tenants/acme/documents",
                "{\"table\": \"players\", \"fields\": {\"name\": \"Ada\", \"rank\": 3, \"big\": {\"$int64\": \"9007199254740993\"}}}");
        assertThat(created.status()).isEqualTo(201);
        String id = ((Value.Str) created.obj().get("id")).value();

        Reply got = call("GET", "/api/tenants/acme/documents/players/" + id, null);
        Value.Obj doc = (Value.Obj) got.obj().get("document");
        assertThat(doc.get("_id")).isEqualTo(Value.of(id));
        assertThat(doc.get("name")).isEqualTo(Value.of("Ada"));
        assertThat(doc.get("big")).isEqualTo(Value.of(9007199254740993L));
        assertThat(doc.get("_creationTime")).isNotNull();

        assertThat(call("PATCH", "/api/tenants/acme/documents/players/" + id, "{\"patch\": {\"rank\": 4}}").status())
                .isEqualTo(200);
        assertThat(((Value.Obj) call("GET", "/api/tenants/acme/documents/players/" + id, null).obj().get("document"))
                .get("rank")).isEqualTo(Value.of(4L));
        assertThat(((Value.Array) call("GET", "/api/tenants/acme/documents/players", null).obj().get("data")).elements())
                .hasSize(1);
        assertThat(call("DELETE", "/api/tenants/acme/documents/players/" + id, null).status()).isEqualTo(204);
        Reply missing = call("GET", "/api/tenants/acme/documents/players/" + id, null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("op.document_not_found");
    }

    @Test
    void queriesAndStablePagination() throws Exception {
        call("POST", "/api/tenants", "{\"id\": \"acme\"}");
        for (int i = 0; i < 25; i++) {
            call("POST", "/api/tenants/acme/documents", "{\"table\": \"t\", \"fields\": {\"n\": " + i + ", \"even\": " + (i % 2 == 0) + "}}");
        }
        String query = "{\"table\": \"t\", \"filters\": [{\"field\": \"even\", \"op\": \"eq\", \"value\": true},"
                + " {\"field\": \"n\", \"op\": \"gte\", \"value\": 4}], \"order\": {\"field\": \"n\", \"direction\": \"desc\"}, \"limit\": 3}";
        Reply r = call("POST", "/api/tenants/acme/query", query);
        assertThat(r.status()).isEqualTo(200);
        assertThat(((Value.Array) r.obj().get("data")).elements()).extracting(d -> ((Value.Obj) d).get("n"))
                .containsExactly(Value.of(24L), Value.of(22L), Value.of(20L));

        String all = "{\"table\": \"t\", \"filters\": [], \"order\": {\"field\": \"n\", \"direction\": \"asc\"}}";
        List<Value> seen = new java.util.ArrayList<>();
        String after = null;
        for (int page = 0; page < 20; page++) {
            Reply p = call("POST", "/api/tenants/acme/query/paginated", "{\"query\": " + all + ", \"page_size\": 10"
                    + (after == null ? "" : ", \"after\": \"" + after + "\"") + "}");
            assertThat(p.status()).isEqualTo(200);
            ((Value.Array) p.obj().get("data")).elements().forEach(d -> seen.add(((Value.Obj) d).get("n")));
            if (p.obj().get("has_more").equals(Value.of(false))) {
                assertThat(p.obj().get("next_cursor")).isEqualTo(Value.nullValue());
                break;
            }
            after = ((Value.Str) p.obj().get("next_cursor")).value();
        }
        assertThat(seen).hasSize(25).doesNotHaveDuplicates();
    }

    @Test
    void schemaViolationsGetThe422Envelope() throws Exception {
        call("POST", "/api/tenants", "{\"id\": \"acme\"}");
        Reply put = call("PUT", "/api/tenants/acme/schema/players", "{\"table\": \"players\", \"fields\": "
                + "[{\"name\": \"name\", \"field_type\": \"string\", \"required\": true}], \"indexes\": "
                + "[{\"name\": \"by_name\", \"fields\": [\"name\"]}]}");
        assertThat(put.status()).isEqualTo(200);
        Reply bad = call("POST", "/api/tenants/acme/documents", "{\"table\": \"players\", \"fields\": {\"rank\": 1}}");
        assertThat(bad.status()).isEqualTo(422);
        Value.Obj error = (Value.Obj) bad.obj().get("error");
        assertThat(error.get("code")).isEqualTo(Value.of("op.schema_validation"));
        assertThat(error.get("requestId")).isEqualTo(Value.of(bad.requestId()));
        assertThat(error.get("severity")).isEqualTo(Value.of("error"));
        assertThat(error.get("retryable")).isEqualTo(Value.of(false));
        assertThat(((Value.Obj) error.get("detail")).get("field")).isEqualTo(Value.of("name"));
        assertThat(error.get("timestamp")).isInstanceOf(Value.Str.class);
        Reply schemas = call("GET", "/api/tenants/acme/schema", null);
        assertThat(((Value.Obj) schemas.obj().get("tables")).get("players")).isNotNull();
        Reply mismatch = call("PUT", "/api/tenants/acme/schema/other", "{\"table\": \"players\"}");
        assertThat(mismatch.status()).isEqualTo(400);
    }

    @Test
    void refusalsUseTheEnvelopeAndTheConnectionKeepsServing() throws Exception {
        call("POST", "/api/tenants", "{\"id\": \"acme\"}");
        Reply noToken = call("GET", "/api/tenants", null, null, null);
        assertThat(noToken.status()).isEqualTo(401);
        assertThat(noToken.errorCode()).isEqualTo("auth.unauthorized");
        Reply wrongToken = call("GET", "/api/tenants", null, "Bearer nope", null);
        assertThat(wrongToken.status()).isEqualTo(401);
        Reply headerToken = call("GET", "/api/tenants", null, null, null);
        assertThat(headerToken.status()).isEqualTo(401);

        Reply missingTenant = call("GET", "/api/tenants/ghost/documents/t", null);
        assertThat(missingTenant.status()).isEqualTo(404);
        assertThat(missingTenant.errorCode()).isEqualTo("session.tenant_not_found");
        assertThat(((Value.Obj) ((Value.Obj) missingTenant.obj().get("error")).get("detail")).get("tenantId"))
                .isEqualTo(Value.of("ghost"));

        Reply wrongOrigin = call("GET", "/api/tenants", null, "Bearer " + token, "http://evil.example");
        assertThat(wrongOrigin.status()).isEqualTo(403);
        assertThat(call("GET", "/api/tenants", null, "Bearer " + token, "http://127.0.0.1:" + server.port()).status())
                .isEqualTo(200);

        Reply malformed = call("POST", "/api/tenants/acme/documents", "{\"table\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.errorCode()).isEqualTo("op.invalid_input");

        Reply unknown = call("GET", "/api/nothing/here", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("service.route_not_found");

        Reply tooBig = call("POST", "/api/tenants/acme/documents",
                "{\"table\": \"t\", \"fields\": {\"blob\": \"" + "x".repeat(100_000) + "\"}}");
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(tooBig.errorCode()).isEqualTo("op.invalid_input");

        Reply duplicate = call("POST", "/api/tenants", "{\"id\": \"acme\"}");
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.errorCode()).isEqualTo("op.already_exists");
        assertThat(call("POST", "/api/tenants", "{\"id\": \"_nimbus\"}").status()).isEqualTo(400);

        // After all of that, a valid request is served.
        assertThat(call("POST", "/api/tenants/acme/documents", "{\"table\": \"t\", \"fields\": {\"ok\": true}}").status())
                .isEqualTo(201);
    }

    @Test
    void scheduledJobsCronsAndOperationsRoutes() throws Exception {
        call("POST", "/api/tenants", "{\"id\": \"acme\"}");
        Reply job = call("POST", "/api/tenants/acme/schedule", "{\"run_after_ms\": 0, \"mutation\": "
                + "{\"type\": \"insert\", \"table\": \"events\", \"fields\": {\"from\": \"job\"}}}");
        assertThat(job.status()).isEqualTo(201);
        String jobId = ((Value.Str) job.obj().get("job_id")).value();
        Reply history = null;
        for (int i = 0; i < 200; i++) {
            history = call("GET", "/api/tenants/acme/schedule/history/" + jobId, null);
            if (history.status() == 200) {
                break;
            }
            Thread.sleep(25);
        }
        assertThat(history.status()).isEqualTo(200);
        assertThat(((Value.Obj) history.obj().get("result")).get("outcome")).isEqualTo(Value.of("completed"));
        assertThat(((Value.Array) call("GET", "/api/tenants/acme/documents/events", null).obj().get("data")).elements())
                .hasSize(1);
        Reply pending = call("POST", "/api/tenants/acme/schedule", "{\"run_after_ms\": 600000, \"mutation\": "
                + "{\"type\": \"insert\", \"table\": \"events\", \"fields\": {}}}");
        assertThat(((Value.Array) call("GET", "/api/tenants/acme/schedule", null).obj().get("jobs")).elements()).hasSize(1);
        assertThat(call("DELETE", "/api/tenants/acme/schedule/" + ((Value.Str) pending.obj().get("job_id")).value(), null)
                .status()).isEqualTo(204);
        assertThat(call("DELETE", "/api/tenants/acme/schedule/01jx2x9w7d2f0v6q8t3k5r9e1b", null).errorCode())
                .isEqualTo("op.scheduled_job_not_found");

        assertThat(call("POST", "/api/tenants/acme/crons", "{\"name\": \"tick\", \"schedule\": {\"type\": \"interval\","
                + " \"seconds\": 3600}, \"mutation\": {\"type\": \"insert\", \"table\": \"ticks\", \"fields\": {}}}")
                .status()).isEqualTo(201);
        Value.Obj cron = (Value.Obj) ((Value.Array) call("GET", "/api/tenants/acme/crons", null).obj().get("crons"))
                .elements().get(0);
        assertThat(cron.get("name")).isEqualTo(Value.of("tick"));
        assertThat(cron.get("enabled")).isEqualTo(Value.of(true));
        assertThat(call("POST", "/api/tenants/acme/crons", "{\"name\": \"bad\", \"schedule\": {\"type\": \"cron\"},"
                + " \"mutation\": {}}").status()).isEqualTo(400);
        assertThat(call("DELETE", "/api/tenants/acme/crons/tick", null).status()).isEqualTo(204);

        Reply bootstrap = call("GET", "/api/tenants/acme/journal/bootstrap", null);
        Value.Obj snapshot = (Value.Obj) bootstrap.obj().get("snapshot");
        assertThat(((Value.Array) ((Value.Obj) snapshot.get("documents")).get("events")).elements()).hasSize(1);
        assertThat(((Value.Array) snapshot.get("scheduled_execution_ids")).elements()).hasSize(1);
        assertThat(bootstrap.obj().get("resume_after_sequence")).isEqualTo(snapshot.get("applied_sequence"));
        Reply journal = call("GET", "/api/tenants/acme/journal?after=0&limit=100", null);
        assertThat(journal.obj().get("latest_sequence")).isEqualTo(snapshot.get("applied_sequence"));

        Reply consistency = call("GET", "/debug/tenants/acme/consistency", null);
        assertThat(consistency.obj().get("ok")).isEqualTo(Value.of(true));
        Reply metrics = call("GET", "/debug/tenants/acme/engine/metrics", null);
        assertThat(metrics.obj().get("tenant_id")).isEqualTo(Value.of("acme"));
        assertThat(call("GET", "/debug/tenants/ghost/consistency", null).status()).isEqualTo(404);

        Reply rotated = call("POST", "/api/system/token/rotate", null);
        assertThat(rotated.status()).isEqualTo(200);
        assertThat(call("GET", "/api/tenants", null).status()).as("the old token is revoked").isEqualTo(401);
        token = ((Value.Str) rotated.obj().get("token")).value();
        assertThat(call("GET", "/api/tenants", null).status()).isEqualTo(200);
    }

    @Test
    void theTokenFileIsPrivateAndRotationRevokesTheOldToken() throws Exception {
        Path file = dir.resolve("auth/token");
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(Set.of(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
        String old = token;
        server.token().rotate();
        assertThat(call("GET", "/api/tenants", null, "Bearer " + old, null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/tenants", null, "Bearer " + server.token().value(), null).status()).isEqualTo(200);
        assertThat(server.token().generation()).isEqualTo(2);
    }

    @Test
    void configuredCorsOriginsAreAllowedWithPreflightAndOthersAreNot() throws Exception {
        server.close();
        server = NimbusServer.start(ServerConfig.defaults(dir.resolve("data"), dir.resolve("auth/token")).withPort(0)
                .withCorsAllowOrigins(List.of("HTTPS://App.Example.com:443")));
        base = "http://127.0.0.1:" + server.port();
        token = server.token().value();
        HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create(base + "/api/tenants"))
                .header("Authorization", "Bearer " + token).header("Origin", "https://app.example.com").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example.com");
        HttpResponse<String> preflight = client.send(HttpRequest.newBuilder(URI.create(base + "/api/tenants"))
                .header("Origin", "https://app.example.com").header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValueSatisfying(m -> assertThat(m).contains("POST"));
        assertThat(call("GET", "/api/tenants", null, "Bearer " + token, "https://other.example.com").status()).isEqualTo(403);
        assertThat(call("GET", "/api/tenants", null, "Bearer " + token, "http://app.example.com").status()).isEqualTo(403);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.defaults(dir, dir.resolve("t"))
                .withCorsAllowOrigins(List.of("https://*.example.com"))).hasMessageContaining("wildcards");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServerConfig.defaults(dir, dir.resolve("t"))
                .withCorsAllowOrigins(List.of("example.com"))).hasMessageContaining("scheme://host");
    }

    @Test
    void metricsAreExposedInThePrometheusFormat() throws Exception {
        call("POST", "/api/tenants", "{\"id\": \"acme\"}");
        call("POST", "/api/tenants/acme/documents", "{\"table\": \"t\", \"fields\": {}}");
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(r.body()).contains("nimbus_http_requests_seconds_count{route_family=\"native_api\",status=\"2xx\"}")
                .contains("nimbus_commit_batches_total{tenant=\"acme\"}")
                .contains("nimbus_journal_applied_head{tenant=\"acme\"} 1.0");
        assertThat(call("GET", "/metrics", null, null, null).status()).isEqualTo(401);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        call("POST", "/api/tenants", "{\"id\": \"acme\"}");
        String auth = "Authorization: Bearer " + token + "\r\n";
        String insert = "{\"table\": \"t\", \"fields\": {\"n\": 1}}";
        // Five requests in one write: an insert (answered by the commit), a read of a missing
        // document, health (answered on the event loop), a refused one, and a closing one.
        String requests = "POST /api/tenants/acme/documents HTTP/1.1\r\nHost: x\r\n" + auth
                + "Content-Type: application/json\r\nContent-Length: " + insert.length() + "\r\n\r\n" + insert
                + "GET /api/tenants/acme/documents/t/01m860s2je2mbna97nkxvh5t7s HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"
                + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /api/tenants HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(requests.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String all = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            // Bodies end without a newline: each status line follows the previous body directly.
            List<String> statuses = java.util.regex.Pattern.compile("HTTP/1\\.1 \\d{3} [A-Za-z ]+").matcher(all).results()
                    .map(java.util.regex.MatchResult::group).toList();
            assertThat(statuses).containsExactly("HTTP/1.1 201 Created", "HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK",
                    "HTTP/1.1 401 Unauthorized", "HTTP/1.1 200 OK");
            assertThat(all).contains("op.document_not_found").endsWith("{\"ok\":true}");
        }
        Reply list = call("GET", "/api/tenants/acme/documents/t", null);
        assertThat(((Value.Array) list.obj().get("data")).elements()).hasSize(1);
    }

    @Test
    void everyGateDecisionIsAuditedWithoutCredentials() throws Exception {
        call("GET", "/api/tenants", null);
        call("GET", "/api/tenants", null, "Bearer wrong", null);
        call("GET", "/api/tenants", null, "Bearer " + token, "http://evil.example");
        Path log = dir.resolve("auth/access.jsonl");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-------");
        List<String> lines = Files.readAllLines(log);
        for (int i = 0; i < 100 && lines.size() < 3; i++) { // the audit writer appends in the background
            Thread.sleep(50);
            lines = Files.readAllLines(log);
        }
        assertThat(lines).hasSizeGreaterThanOrEqualTo(3);
        assertThat(lines).noneMatch(l -> l.contains(token) || l.contains("wrong"));
        List<Value.Obj> entries = lines.stream().map(l -> (Value.Obj) ValueJson.read(l)).toList();
        assertThat(entries).anySatisfy(e -> {
            assertThat(e.get("success")).isEqualTo(Value.of(true));
            assertThat(e.get("authMethod")).isEqualTo(Value.of("local_admin_bearer"));
            assertThat(e.get("routeFamily")).isEqualTo(Value.of("native_api"));
        });
        assertThat(entries).anySatisfy(e -> assertThat(e.get("reason")).isEqualTo(Value.of("invalid_or_missing_token")));
        assertThat(entries).anySatisfy(e -> assertThat(e.get("reason")).isEqualTo(Value.of("origin_rejected")));
    }

    @Test
    void aNonLoopbackBindNeedsAllowNetworkAndARotatedToken() {
        ServerConfig open = ServerConfig.defaults(dir.resolve("data2"), dir.resolve("auth2/token")).withPort(0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NimbusServer.start(open.withHost("0.0.0.0", false)))
                .hasMessageContaining("--allow-network");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NimbusServer.start(open.withHost("0.0.0.0", true)))
                .hasMessageContaining("never rotated");
        dev.nimbus.server.auth.AdminToken.loadOrMint(dir.resolve("auth2/token")).rotate();
        NimbusServer publicServer = NimbusServer.start(open.withHost("0.0.0.0", true));
        publicServer.close(); // bound and shut down at once; no traffic to non-loopback addresses
    }
}
