package dev.nimbus.runtime;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runtime against an in-memory bridge; one shared runtime (one polyglot engine) for speed. */
class FunctionRuntimeTest {
    static final TenantId TENANT = TenantId.of("acme");
    static final String MESSAGES = """
            import { query, mutation, action, internalMutation, internalQuery } from "./_generated/server";
            import { api, internal } from "./_generated/api";
            import { shout } from "./lib/text.js";
            let calls = 0;
            export const send = mutation({
              args: {},
              handler: async (ctx, { author, body }) => {
                const id = await ctx.db.insert("messages", { author, body: shout(body) });
                return id;
              },
            });
            export const byAuthor = query({
              handler: async (ctx, { author }) =>
                ctx.db.query("messages").withIndex("by_author", (q) => q.eq("author", author)).collect(),
            });
            export const first = query(async (ctx) => ctx.db.query("messages").order("desc").first());
            export const page = query(async (ctx, { cursor }) => ctx.db.query("messages").paginate({ numItems: 1, cursor }));
            export const filtered = query(async (ctx, { author }) =>
              ctx.db.query("messages").filter((q) => q.eq(q.field("author"), author)).take(10));
            export const edit = mutation(async (ctx, { id, body }) => {
              await ctx.db.patch(id, { body, author: undefined });
              return await ctx.db.get(id);
            });
            export const remove = mutation(async (ctx, { id }) => { await ctx.db.delete("messages", id); });
            export const clock = query(async () => {
              const a = Date.now();
              for (let i = 0; i < 200000; i++) {}
              return { a, b: Date.now(), c: new Date().getTime(), r: Math.random() };
            });
            export const forever = mutation(async () => { while (true) {} });
            export const secret = internalQuery(async () => "internal");
            export const bump = internalMutation(async (ctx, args) => { calls++; return calls; });
            export const later = mutation(async (ctx) => ctx.scheduler.runAfter(5, internal.messages.bump, {}));
            export const orchestrate = action(async (ctx) => {
              const id = await ctx.runMutation(api.messages.send, { author: "bot", body: "hi" });
              const secret = await ctx.runQuery(internal.messages.secret, {});
              const r = await fetch("https://example.invalid/ping");
              return { id, secret, pong: (await r.json()).pong, env: process.env.GREETING, who: await ctx.auth.getUserIdentity() };
            });
            export const fetchInQuery = query(async () => fetch("https://example.invalid"));
            export const writeInQuery = query(async (ctx) => ctx.db.insert("messages", {}));
            export const bad = mutation(async (ctx) => ctx.db.insert("messages", { bad: true }));
            export const caught = mutation(async (ctx) => {
              try { await ctx.db.insert("messages", { bad: true }); } catch (e) { return e.code; }
            });
            export const thrower = query(async () => { throw new Error("nope"); });
            export const huge = query(async () => "x".repeat(5000));
            export const chatty = query(async () => { for (let i = 0; i < 400; i++) console.log("line", i); return 1; });
            """;
    static final String TEXT = "export function shout(s) { return String(s).toUpperCase(); }\n";

    static FunctionRuntime runtime;
    static Deployment deployment;
    static final Map<String, String> store = new HashMap<>();

    @BeforeAll
    static void start() {
        runtime = new FunctionRuntime(RuntimeLimits.defaults().withTimeoutMillis(2500).withResultBytesMax(4096));
        store.put("messages.js", MESSAGES);
        store.put("lib/text.js", TEXT);
        Bundle bundle = new Bundle(store);
        deployment = new Deployment(1, bundle.sha256(), runtime.analyze(bundle), () -> new Bundle(store));
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    static InvocationResult call(FakeBridge bridge, String name, FunctionKind kind, String argsJson) {
        Invocation inv = Invocation.client(TENANT, deployment, name, kind, ValueJson.read(argsJson));
        bridge.runtime = runtime;
        bridge.current = inv;
        return runtime.invoke(inv, bridge);
    }

    @Test
    void manifestListsEveryExportedFunctionWithKindAndVisibility() {
        Manifest m = deployment.manifest();
        assertEquals(FunctionKind.MUTATION, m.function("messages:send").orElseThrow().kind());
        assertEquals(FunctionKind.ACTION, m.function("messages.js:orchestrate").orElseThrow().kind());
        assertTrue(m.function("messages:secret").orElseThrow().internal());
        assertTrue(m.function("lib/text:shout").isEmpty(), "plain exports are not functions");
        assertEquals(m, Manifest.fromJson(m.toJson()));
    }

    @Test
    void mutationWritesAndQueryReadsThroughTheBridge() {
        FakeBridge b = new FakeBridge();
        String id = ((Value.Str) call(b, "messages:send", FunctionKind.MUTATION, "{\"author\":\"ann\",\"body\":\"hi\"}").value()).value();
        call(b, "messages:send", FunctionKind.MUTATION, "{\"author\":\"bob\",\"body\":\"yo\"}");
        Value.Array anns = (Value.Array) call(b, "messages:byAuthor", FunctionKind.QUERY, "{\"author\":\"ann\"}").value();
        assertEquals(1, anns.elements().size());
        assertEquals(Value.of("HI"), ((Value.Obj) anns.elements().get(0)).get("body"));
        assertEquals(Value.of(id), ((Value.Obj) anns.elements().get(0)).get("_id"));
        Value.Array bobs = (Value.Array) call(b, "messages:filtered", FunctionKind.QUERY, "{\"author\":\"bob\"}").value();
        assertEquals(Value.of("YO"), ((Value.Obj) bobs.elements().get(0)).get("body"));
        assertEquals(Value.of("YO"), ((Value.Obj) call(b, "messages:first", FunctionKind.QUERY, "{}").value()).get("body"));
        Value.Obj page = (Value.Obj) call(b, "messages:page", FunctionKind.QUERY, "{}").value();
        assertEquals(Value.of(false), page.get("isDone"));
        Value.Obj edited = (Value.Obj) call(b, "messages:edit", FunctionKind.MUTATION, "{\"id\":\"" + id + "\",\"body\":\"new\"}").value();
        assertEquals(Value.of("new"), edited.get("body"));
        assertEquals(null, edited.get("author"), "a field patched to undefined is removed");
        call(b, "messages:remove", FunctionKind.MUTATION, "{\"id\":\"" + id + "\"}");
        assertEquals(1, b.tables.get("messages").size());
    }

    @Test
    void queriesSeeAFixedClockAndSeededRandom() {
        Value.Obj r = (Value.Obj) call(new FakeBridge(), "messages:clock", FunctionKind.QUERY, "{}").value();
        assertEquals(r.get("a"), r.get("b"));
        assertEquals(r.get("a"), r.get("c"));
        double random = ((Value.Float64) r.get("r")).value();
        assertTrue(random >= 0 && random < 1);
    }

    @Test
    void actionsCallFunctionsFetchAndReadEnvironment() {
        FakeBridge b = new FakeBridge();
        Value.Obj r = (Value.Obj) call(b, "messages:orchestrate", FunctionKind.ACTION, "{}").value();
        assertEquals(Value.of("internal"), r.get("secret"));
        assertEquals(Value.of(true), r.get("pong"));
        assertEquals(Value.of("hello"), r.get("env"));
        assertEquals(Value.of("alice"), ((Value.Obj) r.get("who")).get("subject"));
        assertTrue(b.calls.contains("run mutation messages:send"));
        assertTrue(b.calls.contains("fetch GET https://example.invalid/ping"));
    }

    @Test
    void mutationsScheduleFunctionsByReference() {
        FakeBridge b = new FakeBridge();
        assertEquals(Value.of("job1"), call(b, "messages:later", FunctionKind.MUTATION, "{}").value());
        assertTrue(b.calls.contains("runAfter 5 messages:bump"), b.calls.toString());
    }

    @Test
    void capabilitiesFollowTheFunctionKind() {
        NimbusException fetch = assertThrows(NimbusException.class, () ->
                call(new FakeBridge(), "messages:fetchInQuery", FunctionKind.QUERY, "{}"));
        assertTrue(fetch.getMessage().contains("only available in actions"), fetch.getMessage());
        NimbusException write = assertThrows(NimbusException.class, () ->
                call(new FakeBridge(), "messages:writeInQuery", FunctionKind.QUERY, "{}"));
        assertTrue(write.getMessage().contains("read-only") || write.getMessage().contains("not a function"), write.getMessage());
    }

    @Test
    void internalFunctionsAndWrongKindsAreRefusedToClients() {
        NimbusException internal = assertThrows(NimbusException.class, () ->
                call(new FakeBridge(), "messages:secret", FunctionKind.QUERY, "{}"));
        assertEquals(ErrorCode.NOT_FOUND, internal.code());
        NimbusException kind = assertThrows(NimbusException.class, () ->
                call(new FakeBridge(), "messages:send", FunctionKind.QUERY, "{}"));
        assertEquals(ErrorCode.INVALID_INPUT, kind.code());
        assertTrue(kind.getMessage().contains("is a mutation"), kind.getMessage());
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(NimbusException.class, () ->
                call(new FakeBridge(), "messages:nope", FunctionKind.QUERY, "{}")).code());
    }

    @Test
    void anUncaughtHostErrorReachesTheCallerUnchanged() {
        NimbusException e = assertThrows(NimbusException.class, () ->
                call(new FakeBridge(), "messages:bad", FunctionKind.MUTATION, "{}"));
        assertEquals(ErrorCode.SCHEMA_VALIDATION, e.code());
        assertEquals("field bad is not allowed", e.getMessage());
        assertEquals(Value.of("op.schema_validation"), call(new FakeBridge(), "messages:caught", FunctionKind.MUTATION, "{}").value());
        NimbusException thrown = assertThrows(NimbusException.class, () ->
                call(new FakeBridge(), "messages:thrower", FunctionKind.QUERY, "{}"));
        assertTrue(thrown.getMessage().contains("nope"), thrown.getMessage());
    }

    @Test
    void anEndlessLoopIsStoppedAtTheTimeLimitAndTheNextCallWorks() {
        long start = System.nanoTime();
        NimbusException e = assertThrows(NimbusException.class, () ->
                call(new FakeBridge(), "messages:forever", FunctionKind.MUTATION, "{}"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorCode.EXECUTION_TIMEOUT, e.code());
        assertTrue(e.getMessage().contains("2500 ms"), e.getMessage());
        assertTrue(millis >= 2400 && millis < 15_000, "stopped after " + millis + " ms");
        assertEquals(Value.nullValue(), call(new FakeBridge(), "messages:first", FunctionKind.QUERY, "{}").value(),
                "the next call works");
    }

    @Test
    void resultsAndLogsAreCapped() {
        NimbusException e = assertThrows(NimbusException.class, () ->
                call(new FakeBridge(), "messages:huge", FunctionKind.QUERY, "{}"));
        assertEquals(ErrorCode.CAP_EXCEEDED, e.code());
        InvocationResult r = call(new FakeBridge(), "messages:chatty", FunctionKind.QUERY, "{}");
        assertEquals(RuntimeLimits.LOG_LINES_MAX_DEFAULT, r.logs().size());
        assertEquals(400 - RuntimeLimits.LOG_LINES_MAX_DEFAULT, r.logsDropped());
        assertEquals("log: line 0", r.logs().get(0));
    }

    @Test
    void aBundleChangedAfterDeployIsRefused() {
        AtomicReference<Map<String, String>> bytes = new AtomicReference<>(Map.copyOf(store));
        Bundle original = new Bundle(bytes.get());
        Deployment d = new Deployment(2, original.sha256(), deployment.manifest(), () -> new Bundle(bytes.get()));
        Map<String, String> tampered = new HashMap<>(store);
        tampered.put("lib/text.js", TEXT.replace("toUpperCase", "toLowerCase"));
        bytes.set(tampered);
        NimbusException e = assertThrows(NimbusException.class, () -> runtime.invoke(Invocation.client(TENANT, d,
                "messages:first", FunctionKind.QUERY, Value.Obj.EMPTY), new FakeBridge()));
        assertEquals(ErrorCode.STORAGE_CORRUPTION, e.code());
        assertTrue(e.getMessage().contains("integrity check failed"), e.getMessage());
        assertNotEquals(original.sha256(), new Bundle(tampered).sha256());
    }

    @Test
    void invalidBundlesAreRejectedAtAnalysis() {
        NimbusException syntax = assertThrows(NimbusException.class, () ->
                runtime.analyze(new Bundle(Map.of("a.js", "export const x = ;"))));
        assertEquals(ErrorCode.INVALID_INPUT, syntax.code());
        assertThrows(NimbusException.class, () -> new Bundle(Map.of("../etc/passwd.js", "")));
        NimbusException missing = assertThrows(NimbusException.class, () ->
                runtime.analyze(new Bundle(Map.of("a.js", "import { x } from './nope.js';"))));
        assertTrue(missing.getMessage().contains("loading the bundle failed"), missing.getMessage());
    }
}
