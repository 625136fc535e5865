package dev.nimbus.engine;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class TransactionTest extends EngineFixture {

    @Override
    EngineLimits limits() {
        // Enough attempts that every increment eventually wins under heavy contention.
        return EngineLimits.DEFAULTS.withOcc(10_000, 0, 2);
    }

    @Test
    void concurrentReadIncrementWriteLosesNoUpdate() throws Exception {
        DocumentId id = engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("n", 0))).ids().get(0);
        int threads = 8;
        int each = 40;
        AtomicInteger attempts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    engine.transact(tenant, ADMIN, tx -> {
                        attempts.incrementAndGet();
                        long n = ((Value.Int64) tx.get(T, id).orElseThrow().fields().get("n")).value();
                        tx.patch(T, id, obj("n", n + 1), Set.of());
                        return null;
                    });
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        Document d = engine.get(tenant, ADMIN, T, id).orElseThrow();
        assertThat(d.fields().get("n")).isEqualTo(Value.of((long) threads * each));
        assertThat(attempts.get()).as("conflicts happened and were retried").isGreaterThanOrEqualTo(threads * each);
    }

    @Test
    void aTransactionWhoseReadChangedFailsAsAWholeWhenRetriesRunOut() {
        EngineLimits oneAttempt = EngineLimits.DEFAULTS.withOcc(1, 0, 0);
        engine.close();
        engine = new Engine(storage, oneAttempt);
        DocumentId id = engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("n", 0))).ids().get(0);
        try {
            engine.transact(tenant, ADMIN, tx -> {
                tx.get(T, id);
                tx.insert(T, obj("side", "effect"));
                // Another writer changes what this transaction read.
                engine.mutate(tenant, ADMIN, new Mutation.Patch(T, id, obj("n", 99), Set.of()));
                tx.patch(T, id, obj("n", 1), Set.of());
                return null;
            });
            throw new AssertionError("expected a conflict");
        } catch (NimbusException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
            assertThat(e.retryable()).isTrue();
        }
        assertThat(engine.get(tenant, ADMIN, T, id).orElseThrow().fields().get("n")).isEqualTo(Value.of(99L));
        assertThat(engine.query(tenant, ADMIN, Query.all(T))).hasSize(1); // the staged insert was not applied
    }

    @Test
    void aRangeReadConflictsWithAnInsertIntoThatRange() {
        EngineLimits oneAttempt = EngineLimits.DEFAULTS.withOcc(1, 0, 0);
        engine.close();
        engine = new Engine(storage, oneAttempt);
        // With an index, the read is the range kind == "a", not the whole table.
        engine.setSchema(tenant, ADMIN, new dev.nimbus.core.schema.TableSchema(T, List.of(),
                List.of(new dev.nimbus.core.schema.TableSchema.IndexDefinition("by_kind",
                        List.of(dev.nimbus.core.query.FieldPath.of("kind")),
                        dev.nimbus.core.schema.TableSchema.IndexState.ENABLED)), Optional.empty()));
        engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("kind", "a")));
        Query kindA = new Query(T, Filter.eq("kind", Value.of("a")), List.of(), OptionalInt.empty());
        try {
            engine.transact(tenant, ADMIN, tx -> {
                int count = tx.query(kindA).size();
                engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("kind", "a")));
                tx.insert(T, obj("kind", "summary", "count", count));
                return null;
            });
            throw new AssertionError("expected a conflict");
        } catch (NimbusException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
        }
        // A write outside what was read does not conflict.
        engine.transact(tenant, ADMIN, tx -> {
            int count = tx.query(kindA).size();
            engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("kind", "b")));
            tx.insert(T, obj("kind", "summary", "count", count));
            return null;
        });
    }

    @Test
    void aTransactionSeesItsOwnWrites() {
        engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("kind", "a", "n", 1)));
        List<Document> seen = engine.transact(tenant, ADMIN, tx -> {
            DocumentId mine = tx.insert(T, obj("kind", "a", "n", 2));
            assertThat(tx.get(T, mine)).isPresent();
            return tx.query(new Query(T, Filter.eq("kind", Value.of("a")), List.of(), OptionalInt.empty()));
        });
        assertThat(seen).hasSize(2);
        assertThat(engine.query(tenant, ADMIN, Query.all(T))).hasSize(2);
    }
}
