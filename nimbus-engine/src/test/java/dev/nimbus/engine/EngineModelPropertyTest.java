package dev.nimbus.engine;

import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.commit.CommitOutcome;
import dev.nimbus.engine.query.FilterEvaluator;
import dev.nimbus.storage.testing.TestStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random concurrent workloads (inserts, patches, replaces, deletes, atomic pairs, read-modify-write
 * transactions, schema and index changes) against the engine, checked against a plain in-memory
 * model: every acknowledged unit, replayed in commit order, must apply cleanly to the model (a
 * transaction must have read what the model holds at its commit point: serializability); then the
 * final documents, random query results and {@code verify} must agree with the model.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestStorage.Kind.class)
class EngineModelPropertyTest extends EngineFixture {
    @Parameter
    TestStorage.Kind provider;

    @Override
    TestStorage.Kind kind() {
        return provider;
    }

    private static final int KEYS = 24;
    private static final int WORKERS = 4;
    private static final int OPS_PER_WORKER = 120;

    @Override
    EngineLimits limits() {
        return EngineLimits.DEFAULTS.withOcc(10_000, 0, 2);
    }

    /** An acknowledged unit: its commit sequence and how to apply it to the model. */
    private record Acknowledged(long sequence, String what, java.util.function.Consumer<Map<DocumentId, Value.Obj>> apply) {
    }

    private static DocumentId key(int k) {
        return DocumentId.derivedFrom(Value.of("key-" + k));
    }

    private static Value.Obj randomFields(Random r) {
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("a", Value.of((long) r.nextInt(5)));
        if (r.nextBoolean()) {
            m.put("b", r.nextBoolean() ? Value.of("s" + r.nextInt(4)) : Value.of(r.nextInt(4) + 0.5));
        }
        if (r.nextInt(4) == 0) {
            m.put("c", Value.array(Value.of((long) r.nextInt(3))));
        }
        return new Value.Obj(m);
    }

    @Test
    void concurrentRandomWorkloadsAgreeWithTheModel() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            runWorkload(seed);
            engine.dropTenant(tenant);
            engine.createTenant(tenant);
        }
    }

    private void runWorkload(long seed) throws Exception {
        ConcurrentLinkedQueue<Acknowledged> log = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            Random r = new Random(seed * 100 + w);
            futures.add(pool.submit(() -> {
                for (int i = 0; i < OPS_PER_WORKER; i++) {
                    try {
                        Acknowledged a = randomOperation(r);
                        if (a != null) {
                            log.add(a);
                        }
                    } catch (NimbusException expected) {
                        // refused (not found, already exists, ...): must leave no trace, checked below
                    }
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();

        // Replay acknowledged units in commit order onto the model.
        Map<DocumentId, Value.Obj> model = new TreeMap<>();
        List<Acknowledged> ordered = new ArrayList<>(log);
        ordered.sort(Comparator.comparingLong(Acknowledged::sequence));
        for (Acknowledged a : ordered) {
            try {
                a.apply.accept(model);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": unit at sequence " + a.sequence + " (" + a.what
                        + ") does not apply to the model: " + e.getMessage(), e);
            }
        }

        // Final state.
        Map<DocumentId, Value.Obj> actual = new TreeMap<>();
        for (Document d : engine.query(tenant, ADMIN, Query.all(T))) {
            actual.put(d.id(), d.fields());
        }
        assertThat(actual).as("seed %d final documents", seed).isEqualTo(model);
        assertThat(engine.verify(tenant).problems()).as("seed %d verify", seed).isEmpty();

        // Random queries against brute force over the model.
        Random qr = new Random(seed);
        for (int i = 0; i < 60; i++) {
            Query q = randomQuery(qr);
            // Without an order, results come in the chosen index's order (documented): use the
            // effective order the engine states for this plan.
            List<Query.SortKey> order = dev.nimbus.engine.query.QueryRunner.effectiveOrder(q, engine.explain(tenant, q));
            List<DocumentId> expected = bruteForce(model, q, order);
            List<DocumentId> got = engine.query(tenant, ADMIN, q).stream().map(Document::id).toList();
            assertThat(got).as("seed %d query %s (plan %s)", seed, q, engine.explain(tenant, q).describe())
                    .isEqualTo(expected);
        }
    }

    private Acknowledged randomOperation(Random r) {
        int k = r.nextInt(KEYS);
        DocumentId id = key(k);
        switch (r.nextInt(9)) {
            case 0, 1: {
                Value.Obj f = randomFields(r);
                CommitOutcome o = engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.of(id), f));
                return new Acknowledged(o.sequence(), "insert " + k, m -> {
                    assertThat(m).doesNotContainKey(id);
                    m.put(id, f);
                });
            }
            case 2, 3: {
                Value.Obj set = new Value.Obj(Map.of("a", Value.of((long) r.nextInt(5))));
                Set<String> unset = r.nextBoolean() ? Set.of("b") : Set.of();
                CommitOutcome o = engine.mutate(tenant, ADMIN, new Mutation.Patch(T, id, set, unset));
                return new Acknowledged(o.sequence(), "patch " + k, m -> {
                    assertThat(m).containsKey(id);
                    Map<String, Value> f = new LinkedHashMap<>(m.get(id).fields());
                    unset.forEach(f::remove);
                    f.putAll(set.fields());
                    m.put(id, new Value.Obj(f));
                });
            }
            case 4: {
                Value.Obj f = randomFields(r);
                CommitOutcome o = engine.mutate(tenant, ADMIN, new Mutation.Replace(T, id, f));
                return new Acknowledged(o.sequence(), "replace " + k, m -> {
                    assertThat(m).containsKey(id);
                    m.put(id, f);
                });
            }
            case 5: {
                CommitOutcome o = engine.mutate(tenant, ADMIN, new Mutation.Delete(T, id));
                return new Acknowledged(o.sequence(), "delete " + k, m -> assertThat(m.remove(id)).isNotNull());
            }
            case 6: {
                // Atomic pair: delete one key and insert another, all or nothing.
                DocumentId other = key((k + 1 + r.nextInt(KEYS - 1)) % KEYS);
                Value.Obj f = randomFields(r);
                CommitOutcome o = engine.commit(tenant, ADMIN, List.of(new Mutation.Delete(T, id),
                        new Mutation.Insert(T, Optional.of(other), f)));
                return new Acknowledged(o.sequence(), "pair " + k, m -> {
                    assertThat(m.remove(id)).isNotNull();
                    assertThat(m).doesNotContainKey(other);
                    m.put(other, f);
                });
            }
            case 7: {
                // Read-modify-write: copy a+1 of one document into another (created if absent).
                DocumentId target = key((k + 1 + r.nextInt(KEYS - 1)) % KEYS);
                Engine.TransactionResult<Optional<Value.Obj>> result = engine.transactDetailed(tenant, ADMIN, tx -> {
                    Optional<Document> src = tx.get(T, id);
                    Optional<Document> dst = tx.get(T, target);
                    if (src.isEmpty()) {
                        return Optional.<Value.Obj>empty();
                    }
                    long a = ((Value.Int64) src.get().fields().get("a")).value();
                    Value.Obj f = new Value.Obj(Map.of("a", Value.of(a + 1), "from", Value.of(id.value())));
                    if (dst.isPresent()) {
                        tx.replace(T, target, f);
                    } else {
                        tx.insert(T, target, f);
                    }
                    return Optional.of(f);
                });
                if (result.commit().isEmpty()) {
                    return null;
                }
                Value.Obj written = result.value().orElseThrow();
                return new Acknowledged(result.commit().get().sequence(), "transaction " + k, m -> {
                    Value.Obj src = m.get(id);
                    assertThat(src).as("the transaction read a document the model has").isNotNull();
                    assertThat(written.get("a")).as("the transaction read the current value")
                            .isEqualTo(Value.of(((Value.Int64) src.get("a")).value() + 1));
                    m.put(target, written);
                });
            }
            default: {
                List<TableSchema.IndexDefinition> indexes = new ArrayList<>();
                if (r.nextBoolean()) {
                    indexes.add(new TableSchema.IndexDefinition("by_a", List.of(FieldPath.of("a")), TableSchema.IndexState.ENABLED));
                }
                if (r.nextBoolean()) {
                    indexes.add(new TableSchema.IndexDefinition("by_a_b", List.of(FieldPath.of("a"), FieldPath.of("b")),
                            TableSchema.IndexState.ENABLED));
                }
                if (r.nextBoolean()) {
                    indexes.add(new TableSchema.IndexDefinition("by_b", List.of(FieldPath.of("b")), TableSchema.IndexState.ENABLED));
                }
                engine.setSchema(tenant, ADMIN, new TableSchema(T, List.of(), indexes, Optional.empty()));
                return null;
            }
        }
    }

    private static Query randomQuery(Random r) {
        List<Filter> clauses = new ArrayList<>();
        if (r.nextBoolean()) {
            clauses.add(Filter.eq("a", Value.of((long) r.nextInt(6))));
        }
        if (r.nextBoolean()) {
            Filter.Op op = Filter.Op.values()[r.nextInt(Filter.Op.values().length)];
            Value v = r.nextBoolean() ? Value.of("s" + r.nextInt(4)) : Value.of(r.nextInt(4) + 0.5);
            clauses.add(new Filter.Compare(FieldPath.of("b"), op, v));
        }
        if (r.nextInt(4) == 0) {
            clauses.add(new Filter.Exists(FieldPath.of("c"), r.nextBoolean()));
        }
        if (r.nextInt(5) == 0) {
            clauses.add(new Filter.Or(List.of(Filter.eq("a", Value.of(1L)), new Filter.Not(Filter.eq("a", Value.of(2L))))));
        }
        List<Query.SortKey> order = new ArrayList<>();
        if (r.nextBoolean()) {
            Query.Direction d = r.nextBoolean() ? Query.Direction.ASC : Query.Direction.DESC;
            order.add(new Query.SortKey(FieldPath.of(r.nextBoolean() ? "a" : "b"), d));
            if (r.nextBoolean()) {
                order.add(new Query.SortKey(FieldPath.of("b"), d));
            }
        }
        OptionalInt limit = r.nextBoolean() ? OptionalInt.of(1 + r.nextInt(10)) : OptionalInt.empty();
        return new Query(T, new Filter.And(clauses), order, limit);
    }

    /** Filter over the model, sort by the effective order (which ends with _id), cut at the limit. */
    private static List<DocumentId> bruteForce(Map<DocumentId, Value.Obj> model, Query q, List<Query.SortKey> order) {
        List<Map.Entry<DocumentId, Value.Obj>> rows = new ArrayList<>();
        for (Map.Entry<DocumentId, Value.Obj> e : model.entrySet()) {
            Map<String, Value> view = new HashMap<>(e.getValue().fields());
            view.put("_id", Value.of(e.getKey().value()));
            if (FilterEvaluator.matches(q.filter(), new Value.Obj(view))) {
                rows.add(e);
            }
        }
        Comparator<Map.Entry<DocumentId, Value.Obj>> cmp = (x, y) -> 0;
        for (Query.SortKey k : order) {
            Comparator<Map.Entry<DocumentId, Value.Obj>> c = k.path().equals(FieldPath.of("_id"))
                    ? Map.Entry.comparingByKey()
                    : (x, y) -> FilterEvaluator.compareForSort(
                            FilterEvaluator.resolve(x.getValue(), k.path()), FilterEvaluator.resolve(y.getValue(), k.path()));
            cmp = cmp.thenComparing(k.direction() == Query.Direction.DESC ? c.reversed() : c);
        }
        assertThat(order.get(order.size() - 1).path()).isEqualTo(FieldPath.of("_id"));
        rows.sort(cmp);
        List<DocumentId> out = rows.stream().map(Map.Entry::getKey).toList();
        int limit = q.limit().orElse(Integer.MAX_VALUE);
        return out.size() > limit ? out.subList(0, limit) : out;
    }
}
