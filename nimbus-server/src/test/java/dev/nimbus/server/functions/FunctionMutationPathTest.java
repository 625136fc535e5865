package dev.nimbus.server.functions;

import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.EngineLimits;
import dev.nimbus.runtime.Bundle;
import dev.nimbus.runtime.Deployment;
import dev.nimbus.runtime.FunctionKind;
import dev.nimbus.runtime.RuntimeLimits;
import dev.nimbus.storage.sqlite.SqliteStorageProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The mutation path: insert-only mutations run blind (no snapshot) and commit concurrently;
 * mutations that read run in a transaction (OCC retried); the bundle is re-read only when its
 * stored document may have changed.
 */
class FunctionMutationPathTest {
    static final TenantId TENANT = TenantId.of("path");
    static final TableName PEOPLE = TableName.of("people");
    static final String APP = """
            import { query, mutation } from "./_generated/server";
            export const version = query(async () => "v1");
            export const insert = mutation(async (ctx, doc) => ctx.db.insert("people", doc));
            export const insertTwo = mutation(async (ctx, { n }) => {
              await ctx.db.insert("people", { n, copy: 1 });
              await ctx.db.insert("people", { n, copy: 2 });
              return n;
            });
            export const insertThenRead = mutation(async (ctx, { name }) => {
              const id = await ctx.db.insert("people", { name });
              const doc = await ctx.db.get("people", id);
              return doc.name;
            });
            export const swallowRead = mutation(async (ctx, { id }) => {
              let saw;
              try {
                const d = await ctx.db.get("counters", id);
                saw = d === null ? "missing" : "value " + d.value;
              } catch (e) {
                saw = "refused";
              }
              await ctx.db.insert("log", { saw });
              return saw;
            });
            export const increment = mutation(async (ctx, { id }) => {
              const d = await ctx.db.get("counters", id);
              await ctx.db.patch("counters", id, { value: d.value + 1 });
              return d.value + 1;
            });
            export const failAfterInsert = mutation(async (ctx) => {
              await ctx.db.insert("people", { doomed: true });
              throw new Error("changed my mind");
            });
            """;

    @TempDir
    Path dir;
    SqliteStorageProvider storage;
    Engine engine;
    FunctionService service;

    @BeforeEach
    void start() {
        storage = new SqliteStorageProvider(dir);
        engine = new Engine(storage, EngineLimits.DEFAULTS);
        engine.createTenant(TENANT);
        service = new FunctionService(engine, new FunctionSettings(RuntimeLimits.defaults(), Optional.empty()));
        deploy(APP);
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
        engine.close();
        storage.close();
    }

    private void deploy(String app) {
        Bundle bundle = new Bundle(Map.of("app.js", app));
        service.deployments().activate(TENANT, bundle, service.runtime().analyze(bundle), Map.of());
    }

    private Value call(String name, FunctionKind kind, Value.Obj args) {
        return service.call(TENANT, Principal.ADMIN, name, kind, args).value();
    }

    private List<Document> all(String table) {
        return engine.query(TENANT, Principal.ADMIN, Query.all(TableName.of(table)));
    }

    private static Value.Obj obj(String k, Value v) {
        return new Value.Obj(Map.of(k, v));
    }

    @Test
    void manyInsertOnlyMutationsInFlightAllCommitAndShareBatches() throws Exception {
        int threads = 32;
        int perThread = 40;
        long batchesBefore = engine.commitStats(TENANT).batches();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<String>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    Value id = call("app:insert", FunctionKind.MUTATION,
                            new Value.Obj(Map.of("t", Value.of((long) thread), "i", Value.of((long) i))));
                    ids.add(((Value.Str) id).value());
                }
                return ids;
            }));
        }
        Set<String> returned = new HashSet<>();
        for (Future<List<String>> f : futures) {
            returned.addAll(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        List<Document> stored = all("people");
        assertThat(stored).hasSize(threads * perThread);
        assertThat(returned).hasSize(threads * perThread);
        Set<String> storedIds = new HashSet<>();
        stored.forEach(d -> storedIds.add(d.id().value()));
        assertThat(storedIds).isEqualTo(returned);
        // Commits were shared: fewer batches (fsyncs) than mutations.
        assertThat(engine.commitStats(TENANT).batches() - batchesBefore).isLessThan(threads * perThread);
    }

    @Test
    void aBlindMutationsInsertsCommitTogetherOrNotAtAll() {
        assertThat(call("app:insertTwo", FunctionKind.MUTATION, obj("n", Value.of(7L)))).isEqualTo(Value.of(7L));
        assertThat(all("people")).hasSize(2);
        assertThatThrownBy(() -> call("app:failAfterInsert", FunctionKind.MUTATION, Value.Obj.EMPTY))
                .isInstanceOf(NimbusException.class).hasMessageContaining("changed my mind");
        assertThat(all("people")).hasSize(2);
    }

    @Test
    void aMutationThatReadsItsOwnInsertRunsInATransactionAndInsertsOnce() {
        assertThat(call("app:insertThenRead", FunctionKind.MUTATION, obj("name", Value.of("ada"))))
                .isEqualTo(Value.of("ada"));
        assertThat(call("app:insertThenRead", FunctionKind.MUTATION, obj("name", Value.of("bob"))))
                .isEqualTo(Value.of("bob"));
        assertThat(all("people")).extracting(d -> d.fields().get("name"))
                .containsExactlyInAnyOrder(Value.of("ada"), Value.of("bob"));
    }

    @Test
    void aMutationThatCatchesTheBlindRunsRefusalStillSeesItsRead() {
        String id = engine.mutate(TENANT, Principal.ADMIN, new Mutation.Insert(TableName.of("counters"), Optional.empty(),
                obj("value", Value.of(41L)))).ids().get(0).value();
        assertThat(call("app:swallowRead", FunctionKind.MUTATION, obj("id", Value.of(id)))).isEqualTo(Value.of("value 41"));
        assertThat(all("log")).extracting(d -> d.fields().get("saw")).containsExactly(Value.of("value 41"));
    }

    @Test
    void concurrentReadModifyWriteMutationsAreRetriedAndNeverLoseAnUpdate() throws Exception {
        DocumentId counter = engine.mutate(TENANT, Principal.ADMIN, new Mutation.Insert(TableName.of("counters"),
                Optional.empty(), obj("value", Value.of(0L)))).ids().get(0);
        int threads = 8;
        int perThread = 10;
        AtomicInteger committed = new AtomicInteger();
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    try {
                        call("app:increment", FunctionKind.MUTATION, obj("id", Value.of(counter.value())));
                        committed.incrementAndGet();
                    } catch (NimbusException e) {
                        assertThat(e.code().wireName()).isEqualTo("op.conflict");
                        conflicts.incrementAndGet();
                    }
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        Document d = engine.get(TENANT, Principal.ADMIN, TableName.of("counters"), counter).orElseThrow();
        assertThat(d.fields().get("value")).isEqualTo(Value.of((long) committed.get()));
        assertThat(committed.get() + conflicts.get()).isEqualTo(threads * perThread);
        assertThat(committed.get()).isPositive();
    }

    @Test
    void aRedeployIsRunByTheNextCall() {
        assertThat(call("app:version", FunctionKind.QUERY, Value.Obj.EMPTY)).isEqualTo(Value.of("v1"));
        call("app:insert", FunctionKind.MUTATION, obj("a", Value.of(1L)));
        deploy(APP.replace("async () => \"v1\"", "async () => \"v2\""));
        assertThat(call("app:version", FunctionKind.QUERY, Value.Obj.EMPTY)).isEqualTo(Value.of("v2"));
    }

    @Test
    void aBundleChangedInTheStoreIsRefusedByTheNextMutationAndNothingIsWritten() {
        call("app:insert", FunctionKind.MUTATION, obj("a", Value.of(1L)));
        tamper();
        assertThatThrownBy(() -> call("app:insert", FunctionKind.MUTATION, obj("a", Value.of(2L))))
                .isInstanceOfSatisfying(NimbusException.class, e ->
                        assertThat(e.code().wireName()).isEqualTo("service.storage_corruption"));
        assertThat(all("people")).hasSize(1);
    }

    @Test
    void aBundleChangedInTheStoreIsRefusedByAMutationThatReads() {
        DocumentId counter = engine.mutate(TENANT, Principal.ADMIN, new Mutation.Insert(TableName.of("counters"),
                Optional.empty(), obj("value", Value.of(0L)))).ids().get(0);
        call("app:insert", FunctionKind.MUTATION, obj("a", Value.of(1L))); // the bundle is cached
        tamper();
        // Its first call runs blind on the cached bundle, reads, and runs again as a transaction:
        // that run must not start on the unproven bundle.
        assertThatThrownBy(() -> call("app:increment", FunctionKind.MUTATION, obj("id", Value.of(counter.value()))))
                .isInstanceOfSatisfying(NimbusException.class, e ->
                        assertThat(e.code().wireName()).isEqualTo("service.storage_corruption"));
        assertThat(engine.get(TENANT, Principal.ADMIN, TableName.of("counters"), counter).orElseThrow()
                .fields().get("value")).isEqualTo(Value.of(0L));
    }

    private void tamper() {
        Document stored = engine.query(TENANT, Principal.SYSTEM, Query.all(Deployments.TABLE)).get(0);
        Value.Obj module = (Value.Obj) ((Value.Array) stored.fields().get("modules")).elements().get(0);
        Value.Obj evil = new Value.Obj(Map.of("path", module.get("path"),
                "source", Value.of(((Value.Str) module.get("source")).value() + "\n// changed")));
        engine.mutate(TENANT, Principal.SYSTEM, new Mutation.Patch(Deployments.TABLE, stored.id(),
                new Value.Obj(Map.of("modules", Value.array(evil))), Set.of()));
    }

    @Test
    void theBundleIsReadOnceWhileUnchangedAndAgainAfterItsDocumentIsWritten() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        Deployment active = service.deployments().active(TENANT).orElseThrow().deployment();
        Deployment counted = new Deployment(active.generation(), active.sha256(), active.manifest(), () -> {
            reads.incrementAndGet();
            return active.source().get();
        });
        try (VerifiedBundles bundles = new VerifiedBundles(engine)) {
            for (int i = 0; i < 5; i++) {
                // Commits to other tables leave the cached bytes in use.
                engine.commit(TENANT, Principal.ADMIN, List.of(
                        new Mutation.Insert(PEOPLE, Optional.empty(), obj("i", Value.of((long) i))),
                        new Mutation.Insert(PEOPLE, Optional.empty(), obj("j", Value.of((long) i)))));
                assertThat(bundles.bundle(TENANT, counted)).isNotNull();
            }
            assertThat(reads.get()).isEqualTo(1);

            // A write to the bundle's document, then a call: the bytes are read again.
            Document stored = engine.query(TENANT, Principal.SYSTEM, Query.all(Deployments.TABLE)).get(0);
            engine.mutate(TENANT, Principal.SYSTEM, new Mutation.Patch(Deployments.TABLE, stored.id(),
                    obj("note", Value.of("touched")), Set.of()));
            bundles.bundle(TENANT, counted);
            assertThat(reads.get()).isEqualTo(2);
        }
    }
}
