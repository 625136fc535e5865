package dev.nimbus.server.functions;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Functions end to end: a real server on an ephemeral loopback port, deployed through the deploy
 * route, called through the native HTTP routes and the WebSocket with the JDK clients. One server
 * (one GraalJS engine) for the class; each test uses its own tenants.
 */
class FunctionsTest {
    static final String DEPLOY_TOKEN = "test-deploy-token-0123456789";
    static final long TIMEOUT_MILLIS = 2000;
    static final String APP = """
            import { query, mutation, action, internalMutation, internalAction } from "./_generated/server";
            export const addTask = mutation(async (ctx, args) => ctx.db.insert("tasks", args));
            export const listTasks = query(async (ctx) => ({
              tasks: (await ctx.db.query("tasks").collect()).map((t) => t.title), nonce: Math.random() }));
            export const getById = query(async (ctx, { id }) => ctx.db.get(id));
            export const getIn = query(async (ctx, { table, id }) => ctx.db.get(table, id));
            export const all = query(async (ctx, { table }) => ctx.db.query(table).collect());
            export const patchIt = mutation(async (ctx, { id }) => ctx.db.patch(id, { hacked: true }));
            export const patchIn = mutation(async (ctx, { table, id }) => ctx.db.patch(table, id, { hacked: true }));
            export const replaceIt = mutation(async (ctx, { table, id }) => ctx.db.replace(table, id, { hacked: true }));
            export const deleteIt = mutation(async (ctx, { table, id }) => ctx.db.delete(table, id));
            export const cancelJob = mutation(async (ctx, { id }) => ctx.scheduler.cancel(id));
            export const viaAction = action(async (ctx, { id }) => ctx.runQuery("app:getById", { id }));
            export const insertViaAction = action(async (ctx, { table, id }) =>
              ctx.runMutation("app:patchIn", { table, id }));
            export const spin = query(async () => { while (true) {} });
            export const ping = query(async () => "pong");
            export const increment = mutation(async (ctx, { id }) => {
              const c = await ctx.db.get("counters", id);
              await ctx.db.patch("counters", id, { n: c.n + 1, last: Math.random() });
              return c.n + 1;
            });
            export const later = mutation(async (ctx, { label, delay }) =>
              ctx.scheduler.runAfter(delay, "app:record", { label }));
            export const record = internalMutation(async (ctx, { label }) => ctx.db.insert("log", { label }));
            """;

    static Path dir;
    static NimbusServer server;
    static HttpClient client;
    static String base;
    static String admin;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("nimbus-functions-test");
        System.setProperty("NIMBUS_DEPLOY_TOKEN", DEPLOY_TOKEN);
        System.setProperty("NIMBUS_RUNTIME_TIMEOUT_MILLIS", Long.toString(TIMEOUT_MILLIS));
        try {
            server = NimbusServer.start(ServerConfig.defaults(dir.resolve("data"), dir.resolve("auth/token")).withPort(0));
        } finally {
            System.clearProperty("NIMBUS_DEPLOY_TOKEN");
            System.clearProperty("NIMBUS_RUNTIME_TIMEOUT_MILLIS");
        }
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        base = "http://127.0.0.1:" + server.port();
        admin = server.token().value();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    record Reply(int status, Value body) {
        Value.Obj obj() {
            return (Value.Obj) body;
        }

        Value.Obj error() {
            return (Value.Obj) obj().get("error");
        }

        String code() {
            return ((Value.Str) error().get("code")).value();
        }
    }

    static Reply send(String method, String path, String json, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(b::header);
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().isEmpty() ? null : ValueJson.read(r.body()));
    }

    static Reply call(String method, String path, String json) throws Exception {
        return send(method, path, json, Map.of("Authorization", "Bearer " + admin));
    }

    static String tenant(String name) throws Exception {
        assertThat(call("POST", "/api/tenants", "{\"id\": \"" + name + "\"}").status()).isEqualTo(201);
        return name;
    }

    static Reply deploy(String tenant, Map<String, String> modules, boolean dryRun) throws Exception {
        Map<String, Value> m = new LinkedHashMap<>();
        modules.forEach((k, v) -> m.put(k, Value.of(v)));
        String body = ValueJson.write(new Value.Obj(Map.of("tenant", Value.of(tenant), "dry_run", Value.of(dryRun),
                "artifacts", new Value.Obj(Map.of("functions", new Value.Obj(Map.of("modules", new Value.Obj(m))))))));
        return send("POST", "/api/admin/deploy", body, Map.of("Authorization", "Bearer " + DEPLOY_TOKEN,
                "X-Nimbus-Admin-Token", admin));
    }

    static String deployed(String name) throws Exception {
        tenant(name);
        assertThat(deploy(name, Map.of("app.js", APP), false).status()).isEqualTo(200);
        return name;
    }

    static Reply fn(String tenant, String kind, String name, String args) throws Exception {
        return call("POST", "/api/tenants/" + tenant + "/functions/" + kind,
                "{\"name\": \"" + name + "\", \"args\": " + args + "}");
    }

    static String str(Value v) {
        return ((Value.Str) v).value();
    }

    // ---- deploy ----------------------------------------------------------------------------

    @Test
    void deployNeedsBothTokensSupportsDryRunAndReportsTheDiff() throws Exception {
        String t = tenant("deploys");
        assertThat(send("POST", "/api/admin/deploy", "{}", Map.of("Authorization", "Bearer " + admin)).code())
                .isEqualTo("auth.unauthorized");
        assertThat(send("POST", "/api/admin/deploy", "{}", Map.of("Authorization", "Bearer " + DEPLOY_TOKEN)).status())
                .isEqualTo(401);
        Reply dry = deploy(t, Map.of("app.js", APP), true);
        assertThat(dry.status()).isEqualTo(200);
        assertThat(dry.obj().get("activated")).isEqualTo(Value.of(false));
        assertThat(((Value.Array) ((Value.Obj) ((Value.Obj) dry.obj().get("diff")).get("functions")).get("added"))
                .elements()).hasSize(17);
        assertThat(fn(t, "query", "app:ping", "{}").code()).isEqualTo("op.not_found");

        Reply first = deploy(t, Map.of("app.js", APP), false);
        assertThat(first.obj().get("activated")).isEqualTo(Value.of(true));
        assertThat(fn(t, "query", "app:ping", "{}").body()).isEqualTo(Value.of("pong"));
        Reply second = deploy(t, Map.of("app.js", APP.replace("export const ping", "export const pong")
                .replace("export const record = internalMutation", "export const record = internalAction")), false);
        assertThat(second.status()).as(String.valueOf(second.body())).isEqualTo(200);
        Value.Obj diff = (Value.Obj) ((Value.Obj) second.obj().get("diff")).get("functions");
        assertThat(diff.get("added")).isEqualTo(Value.array(new Value.Obj(Map.of("name", Value.of("app:pong"),
                "kind", Value.of("query")))));
        assertThat(diff.get("removed")).isEqualTo(Value.array(new Value.Obj(Map.of("name", Value.of("app:ping"),
                "kind", Value.of("query")))));
        assertThat(((Value.Array) diff.get("changed")).elements()).hasSize(1);
        assertThat(((Value.Int64) second.obj().get("generation")).value())
                .isGreaterThan(((Value.Int64) first.obj().get("generation")).value());
        assertThat(fn(t, "query", "app:pong", "{}").body()).isEqualTo(Value.of("pong"));
        assertThat(fn(t, "query", "app:ping", "{}").code()).isEqualTo("op.not_found");

        Reply broken = deploy(t, Map.of("app.js", "export const x = ;"), false);
        assertThat(broken.status()).isEqualTo(400);
        assertThat(fn(t, "query", "app:pong", "{}").body()).as("a failed deploy keeps the old generation")
                .isEqualTo(Value.of("pong"));
        assertThat(fn(t, "mutation", "app:record", "{\"label\": \"x\"}").code()).as("internal functions are not callable")
                .isEqualTo("op.not_found");
    }

    // ---- one path for every write --------------------------------------------------------------

    @Test
    void aJsMutationAndAnHttpInsertConverge() throws Exception {
        String t = deployed("converge");
        assertThat(call("PUT", "/api/tenants/" + t + "/schema/tasks", "{\"table\": \"tasks\", \"fields\": "
                + "[{\"name\": \"title\", \"field_type\": \"string\", \"required\": true}]}").status()).isEqualTo(200);
        Inbox inbox = new Inbox();
        WebSocket ws = connect(t, inbox);
        ws.sendText("{\"type\": \"subscribe\", \"request_id\": \"r1\", \"query\": {\"table\": \"tasks\", \"filters\": []}}", true).join();
        Value.Obj subscribed = inbox.next();
        assertThat(subscribed.get("type")).as(subscribed.toString()).isEqualTo(Value.of("subscription_result"));
        assertThat(((Value.Array) subscribed.get("data")).elements()).isEmpty();

        // Same validation error, same envelope.
        Reply httpBad = call("POST", "/api/tenants/" + t + "/documents", "{\"table\": \"tasks\", \"fields\": {\"done\": 1}}");
        Reply fnBad = fn(t, "mutation", "app:addTask", "{\"done\": 1}");
        assertThat(fnBad.status()).isEqualTo(httpBad.status()).isEqualTo(422);
        assertThat(fnBad.code()).isEqualTo(httpBad.code()).isEqualTo("op.schema_validation");
        assertThat(fnBad.error().get("message")).isEqualTo(httpBad.error().get("message"));
        assertThat(fnBad.error().get("detail")).isEqualTo(httpBad.error().get("detail"));

        // Same subscription delivery.
        long before = server.engine().appliedSequence(TenantId.of(t));
        assertThat(call("POST", "/api/tenants/" + t + "/documents", "{\"table\": \"tasks\", \"fields\": {\"title\": \"a\"}}")
                .status()).isEqualTo(201);
        assertThat(((Value.Array) inbox.next().get("data")).elements()).hasSize(1);
        Reply fnOk = fn(t, "mutation", "app:addTask", "{\"title\": \"b\"}");
        assertThat(fnOk.status()).isEqualTo(200);
        List<Value> delivered = ((Value.Array) inbox.next().get("data")).elements();
        assertThat(delivered).hasSize(2);
        assertThat(((Value.Obj) delivered.get(1)).get("_id")).isEqualTo(fnOk.body());
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();

        // Same journal record shape.
        List<Value> records = ((Value.Array) call("GET", "/api/tenants/" + t + "/journal?after=" + before, null)
                .obj().get("records")).elements();
        assertThat(records).hasSize(2);
        Value.Obj httpRec = (Value.Obj) records.get(0);
        Value.Obj fnRec = (Value.Obj) records.get(1);
        assertThat(fnRec.fields().keySet()).isEqualTo(httpRec.fields().keySet());
        assertThat(fnRec.get("scheduled_execution_id")).isEqualTo(httpRec.get("scheduled_execution_id"));
        Value.Obj httpWrite = (Value.Obj) ((Value.Array) httpRec.get("writes")).elements().get(0);
        Value.Obj fnWrite = (Value.Obj) ((Value.Array) fnRec.get("writes")).elements().get(0);
        assertThat(fnWrite.fields().keySet()).isEqualTo(httpWrite.fields().keySet());
        assertThat(fnWrite.get("op")).isEqualTo(httpWrite.get("op")).isEqualTo(Value.of("insert"));
        assertThat(fnWrite.get("table")).isEqualTo(httpWrite.get("table"));
        assertThat(((Value.Obj) fnWrite.get("document")).fields().keySet())
                .isEqualTo(((Value.Obj) httpWrite.get("document")).fields().keySet());
    }

    // ---- limits --------------------------------------------------------------------------------

    @Test
    void anEndlessLoopIsStoppedWhileOtherTenantsAreServed() throws Exception {
        String looping = deployed("looping");
        String other = deployed("bystander");
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            long start = System.nanoTime();
            Future<Reply> spin = pool.submit(() -> fn(looping, "query", "app:spin", "{}"));
            Thread.sleep(200);
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                assertThat(fn(other, "query", "app:ping", "{}").body()).isEqualTo(Value.of("pong"));
                assertThat((System.nanoTime() - t0) / 1_000_000).as("another tenant's call is not blocked")
                        .isLessThan(TIMEOUT_MILLIS / 2);
            }
            assertThat(spin.isDone()).isFalse();
            Reply stopped = spin.get(30, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(stopped.status()).isEqualTo(408);
            assertThat(stopped.code()).isEqualTo("runtime.execution_timeout");
            assertThat(str(stopped.error().get("message"))).contains("ran longer than " + TIMEOUT_MILLIS + " ms");
            assertThat(millis).isBetween(TIMEOUT_MILLIS - 100, TIMEOUT_MILLIS + 10_000);
            assertThat(fn(looping, "query", "app:ping", "{}").body()).as("the next call works").isEqualTo(Value.of("pong"));
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- integrity and isolation -------------------------------------------------------------

    @Test
    void aBundleChangedInTheStoreAfterDeployIsRefused() throws Exception {
        String t = deployed("tampered");
        assertThat(fn(t, "query", "app:ping", "{}").body()).isEqualTo(Value.of("pong"));
        TenantId id = TenantId.of(t);
        Document stored = server.engine().query(id, Principal.SYSTEM, Query.all(Deployments.TABLE)).get(0);
        Value.Obj module = (Value.Obj) ((Value.Array) stored.fields().get("modules")).elements().get(0);
        Value.Obj evil = new Value.Obj(Map.of("path", module.get("path"),
                "source", Value.of(str(module.get("source")).replace("\"pong\"", "\"pwned\""))));
        server.engine().mutate(id, Principal.SYSTEM, new Mutation.Patch(Deployments.TABLE, stored.id(),
                new Value.Obj(Map.of("modules", Value.array(evil))), java.util.Set.of()));
        Reply refused = fn(t, "query", "app:ping", "{}");
        assertThat(refused.code()).isEqualTo("service.storage_corruption");
        assertThat(str(refused.error().get("message"))).contains("integrity check failed");
    }

    @Test
    void aTenantDroppedAndCreatedAgainStartsWithNoFunctions() throws Exception {
        String t = deployed("reborn");
        assertThat(fn(t, "query", "app:ping", "{}").body()).isEqualTo(Value.of("pong"));
        assertThat(call("DELETE", "/api/tenants/" + t, null).status()).isIn(200, 204);
        tenant(t);
        Reply none = fn(t, "query", "app:ping", "{}");
        assertThat(none.status()).isEqualTo(404);
        assertThat(str(none.error().get("message"))).contains("no functions are deployed");
        assertThat(deploy(t, Map.of("app.js", APP), false).status()).isEqualTo(200);
        assertThat(fn(t, "query", "app:ping", "{}").body()).isEqualTo(Value.of("pong"));
    }

    @Test
    void aFunctionCannotReachAnotherTenantThroughAnyBridgeCall() throws Exception {
        String mine = deployed("iso-a");
        String theirs = deployed("iso-b");
        Reply inserted = call("POST", "/api/tenants/" + theirs + "/documents",
                "{\"table\": \"secrets\", \"fields\": {\"v\": 42}}");
        String id = str(inserted.obj().get("id"));
        String theirJob = str(fn(theirs, "mutation", "app:later", "{\"label\": \"x\", \"delay\": 3600000}").body());
        String args = "{\"table\": \"secrets\", \"id\": \"" + id + "\"}";

        assertThat(fn(mine, "query", "app:getById", "{\"id\": \"" + id + "\"}").body()).isEqualTo(Value.nullValue());
        assertThat(fn(mine, "query", "app:getIn", args).body()).isEqualTo(Value.nullValue());
        assertThat(fn(mine, "query", "app:all", "{\"table\": \"secrets\"}").body()).isEqualTo(Value.array());
        assertThat(fn(mine, "mutation", "app:patchIt", "{\"id\": \"" + id + "\"}").code()).isEqualTo("op.document_not_found");
        assertThat(fn(mine, "mutation", "app:patchIn", args).code()).isEqualTo("op.document_not_found");
        assertThat(fn(mine, "mutation", "app:replaceIt", args).code()).isEqualTo("op.document_not_found");
        assertThat(fn(mine, "mutation", "app:deleteIt", args).code()).isEqualTo("op.document_not_found");
        assertThat(fn(mine, "action", "app:viaAction", "{\"id\": \"" + id + "\"}").body()).isEqualTo(Value.nullValue());
        assertThat(fn(mine, "action", "app:insertViaAction", args).code()).isEqualTo("op.document_not_found");
        assertThat(fn(mine, "mutation", "app:cancelJob", "{\"id\": \"" + theirJob + "\"}").code())
                .isEqualTo("op.scheduled_job_not_found");

        Value.Obj still = (Value.Obj) fn(theirs, "query", "app:getIn", args).body();
        assertThat(still.get("v")).isEqualTo(Value.of(42L));
        assertThat(still.get("hacked")).isNull();
        assertThat(server.engine().query(TenantId.of(mine), Principal.ADMIN, Query.all(
                dev.nimbus.core.model.TableName.of("secrets")))).isEmpty();
        assertThat(fn(theirs, "mutation", "app:cancelJob", "{\"id\": \"" + theirJob + "\"}").status()).isEqualTo(200);
    }

    // ---- transactions ----------------------------------------------------------------------------

    @Test
    void racingMutationsOnOneDocumentEachCommitWholeOrFailRetryably() throws Exception {
        String t = deployed("racing");
        String counter = str(call("POST", "/api/tenants/" + t + "/documents",
                "{\"table\": \"counters\", \"fields\": {\"n\": 0}}").obj().get("id"));
        int callers = 4;
        int each = 5;
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<Reply>> replies = new ArrayList<>();
        for (int i = 0; i < callers * each; i++) {
            replies.add(pool.submit(() -> fn(t, "mutation", "app:increment", "{\"id\": \"" + counter + "\"}")));
        }
        int committed = 0;
        List<Long> returned = new ArrayList<>();
        for (Future<Reply> f : replies) {
            Reply r = f.get(60, TimeUnit.SECONDS);
            if (r.status() == 200) {
                committed++;
                returned.add(((Value.Int64) r.body()).value());
            } else {
                // A conflict after the retry bound, or (on a loaded machine) no invocation slot
                // in time: both are retryable refusals that left nothing behind.
                assertThat(r.code()).isIn("op.conflict", "rate.resource_exhausted");
                assertThat(r.error().get("retryable")).isEqualTo(Value.of(true));
            }
        }
        pool.shutdown();
        Value.Obj doc = (Value.Obj) call("GET", "/api/tenants/" + t + "/documents/counters/" + counter, null).body();
        long n = ((Value.Int64) (doc.get("n") != null ? doc.get("n") : ((Value.Obj) doc.get("document")).get("n"))).value();
        assertThat(n).as("every committed increment counted once, none partially").isEqualTo(committed);
        assertThat(returned).doesNotHaveDuplicates();
        assertThat(committed).isPositive();
    }

    // ---- scheduler -------------------------------------------------------------------------------

    @Test
    void aMutationSchedulesAnInternalMutationThatRunsOnce() throws Exception {
        String t = deployed("scheduling");
        Reply job = fn(t, "mutation", "app:later", "{\"label\": \"hello\", \"delay\": 50}");
        assertThat(job.status()).isEqualTo(200);
        List<Value> log = List.of();
        for (int i = 0; i < 100 && log.isEmpty(); i++) {
            Thread.sleep(50);
            log = ((Value.Array) fn(t, "query", "app:all", "{\"table\": \"log\"}").body()).elements();
        }
        assertThat(log).hasSize(1);
        assertThat(((Value.Obj) log.get(0)).get("label")).isEqualTo(Value.of("hello"));
        Thread.sleep(300);
        assertThat(((Value.Array) fn(t, "query", "app:all", "{\"table\": \"log\"}").body()).elements()).hasSize(1);
    }

    // ---- live query functions ----------------------------------------------------------------------

    @Test
    void aSubscribedQueryFunctionReRunsOnlyWhenSomethingItReadChanges() throws Exception {
        String t = deployed("live");
        Inbox inbox = new Inbox();
        WebSocket ws = connect(t, inbox);
        ws.sendText("{\"type\": \"subscribe_named\", \"request_id\": \"q1\", \"name\": \"app:listTasks\"}", true).join();
        Value.Obj first = inbox.next();
        assertThat(first.get("request_id")).isEqualTo(Value.of("q1"));
        assertThat(((Value.Obj) first.get("data")).get("tasks")).isEqualTo(Value.array());

        // Every run returns a fresh nonce, so every re-run is delivered: frames count runs.
        fn(t, "mutation", "app:addTask", "{\"title\": \"a\"}");
        Value.Obj second = inbox.next();
        assertThat(((Value.Obj) second.get("data")).get("tasks")).isEqualTo(Value.array(Value.of("a")));

        for (int i = 0; i < 5; i++) {
            call("POST", "/api/tenants/" + t + "/documents", "{\"table\": \"unrelated\", \"fields\": {\"i\": " + i + "}}");
        }
        assertThat(inbox.messages.poll(700, TimeUnit.MILLISECONDS)).as("no re-run for an unrelated table").isNull();

        call("POST", "/api/tenants/" + t + "/documents", "{\"table\": \"tasks\", \"fields\": {\"title\": \"b\"}}");
        Value.Obj third = inbox.next();
        assertThat(((Value.Obj) third.get("data")).get("tasks")).isEqualTo(Value.array(Value.of("a"), Value.of("b")));
        assertThat(inbox.messages.poll(300, TimeUnit.MILLISECONDS)).as("exactly one re-run per relevant write").isNull();

        ws.sendText("{\"type\": \"subscribe_named\", \"request_id\": \"q2\", \"name\": \"app:nope\"}", true).join();
        Value.Obj failed = inbox.next();
        assertThat(failed.get("type")).isEqualTo(Value.of("op.error"));
        assertThat(((Value.Obj) failed.get("error")).get("cause")).isEqualTo(Value.of("op.not_found"));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    // ---- WebSocket client ------------------------------------------------------------------------

    static final class Inbox implements WebSocket.Listener {
        final LinkedBlockingQueue<Value.Obj> messages = new LinkedBlockingQueue<>();
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

        Value.Obj next() throws InterruptedException {
            Value.Obj m = messages.poll(10, TimeUnit.SECONDS);
            assertThat(m).as("a message within 10 s").isNotNull();
            return m;
        }
    }

    static WebSocket connect(String tenant, Inbox inbox) throws Exception {
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Authorization", "Bearer " + admin)
                .header("X-Tenant-Id", tenant)
                .subprotocols("nimbus.v2")
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), inbox).join();
        assertThat(inbox.next().get("type")).isEqualTo(Value.of("hello"));
        ws.sendText("{\"type\": \"client_hello\", \"protocol\": \"nimbus.v2\"}", true).join();
        return ws;
    }

}
