package dev.nimbus.engine;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.subscription.Subscription;
import dev.nimbus.engine.subscription.SubscriptionUpdate;
import dev.nimbus.storage.testing.TestStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ParameterizedClass(name = "on {0}")
@EnumSource(TestStorage.Kind.class)
class SubscriptionTest extends EngineFixture {
    @Parameter
    TestStorage.Kind provider;

    @Override
    TestStorage.Kind kind() {
        return provider;
    }


    private static Query openTasks() {
        return new Query(T, Filter.eq("done", Value.of(false)),
                List.of(new Query.SortKey(FieldPath.of("prio"), Query.Direction.DESC)), OptionalInt.of(10));
    }

    @Test
    void deliversTheInitialResultThenEveryChangeThatMatters() throws Exception {
        engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("done", false, "prio", 1)));
        Subscription s = engine.subscribe(tenant, ADMIN, openTasks(), () -> { });
        SubscriptionUpdate first = s.poll().orElseThrow();
        assertThat(first.documents()).hasSize(1);

        DocumentId id = engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("done", false, "prio", 5)))
                .ids().get(0);
        SubscriptionUpdate second = s.await(Duration.ofSeconds(10)).orElseThrow();
        assertThat(second.sequence()).isGreaterThan(first.sequence());
        assertThat(second.documents()).extracting(d -> d.fields().get("prio")).containsExactly(Value.of(5L), Value.of(1L));

        // A write the query cannot see wakes nobody.
        engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("done", true, "prio", 9)));
        assertThat(s.await(Duration.ofMillis(300))).isEmpty();

        // An update moving a document out of the result is delivered.
        engine.mutate(tenant, ADMIN, new Mutation.Patch(T, id, obj("done", true), Set.of()));
        assertThat(s.await(Duration.ofSeconds(10)).orElseThrow().documents()).hasSize(1);
        s.close();
    }

    @Test
    void neverDeliversOlderAfterNewerAndEndsEqualToAFreshQuery() throws Exception {
        int subscribers = 12;
        List<Subscription> subs = new ArrayList<>();
        List<List<SubscriptionUpdate>> received = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            Subscription s = engine.subscribe(tenant, ADMIN, openTasks(), () -> { });
            List<SubscriptionUpdate> log = Collections.synchronizedList(new ArrayList<>());
            subs.add(s);
            received.add(log);
            int slowness = i % 3; // some readers are slow: they must get the latest, not a backlog
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    while (!s.isClosed()) {
                        s.await(Duration.ofMillis(200)).ifPresent(log::add);
                        Thread.sleep(slowness * 7L);
                    }
                } catch (InterruptedException | RuntimeException e) {
                    // closed
                }
            });
            readers.add(t);
        }
        Random random = new Random(5);
        List<DocumentId> ids = new ArrayList<>();
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            if (ids.isEmpty() || random.nextInt(3) > 0) {
                ids.add(engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(),
                        obj("done", random.nextBoolean(), "prio", random.nextInt(50)))).ids().get(0));
            } else {
                DocumentId id = ids.get(random.nextInt(ids.size()));
                writes.add(engine.submit(tenant, ADMIN, new Mutation.Patch(T, id,
                        obj("done", random.nextBoolean(), "prio", random.nextInt(50)), Set.of())));
            }
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        List<Document> fresh = engine.query(tenant, ADMIN, openTasks());
        long head = engine.appliedSequence(tenant);
        // Wait (bounded) for every subscriber to catch up to the head.
        long deadline = System.currentTimeMillis() + 20_000;
        for (Subscription s : subs) {
            while (s.lastSequence() < head && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
        }
        Thread.sleep(300); // let slow readers drain their mailbox
        for (int i = 0; i < subscribers; i++) {
            subs.get(i).close();
            readers.get(i).join(5_000);
            List<SubscriptionUpdate> log = received.get(i);
            assertThat(log).isNotEmpty();
            for (int j = 1; j < log.size(); j++) {
                assertThat(log.get(j).sequence()).as("subscriber %d update %d", i, j).isGreaterThan(log.get(j - 1).sequence());
            }
            assertThat(log.get(log.size() - 1).documents()).as("subscriber %d ends at the fresh result", i).isEqualTo(fresh);
        }
    }

    @Test
    void aStuckSubscriberDoesNotSlowWriters() throws Exception {
        // A listener that blocks the delivery worker (a contract violation) and a reader that never
        // reads: writers must still make progress, and the stuck reader holds one result, not a backlog.
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        Subscription stuck = engine.subscribe(tenant, ADMIN, Query.all(T), () -> {
            if (calls.getAndIncrement() == 0) {
                return; // the first result is delivered inside subscribe(), on the caller's thread
            }
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Subscription neverRead = engine.subscribe(tenant, ADMIN, Query.all(T), () -> { });
        int writes = 3_000;
        long started = System.nanoTime();
        List<CompletableFuture<?>> futures = new ArrayList<>();
        for (int i = 0; i < writes; i++) {
            futures.add(engine.submit(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("i", i))));
            if (futures.size() >= 256) {
                CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
                futures.clear();
            }
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        // Progress, not speed: every write was acknowledged while the subscriber was stuck.
        assertThat(engine.appliedSequence(tenant)).isEqualTo(writes);
        System.out.printf("writer progress with a stuck subscriber: %d writes in %d ms%n", writes, elapsedMillis);
        assertThat(calls.get()).as("the delivery worker is stuck in the listener").isEqualTo(2);
        release.countDown();
        assertThat(neverRead.poll()).isPresent();
        assertThat(neverRead.poll()).as("one pending result at most, never a backlog").isEmpty();
        stuck.close();
        neverRead.close();
    }
}
