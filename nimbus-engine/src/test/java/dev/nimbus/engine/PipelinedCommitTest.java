package dev.nimbus.engine;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.Query;
import dev.nimbus.engine.commit.CommitOutcome;
import dev.nimbus.storage.PendingDurability;
import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.TenantStore;
import dev.nimbus.storage.WriteTransaction;
import dev.nimbus.storage.sqlite.SqliteStorageProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pipelined group commit: the writer commits a batch and goes on with the next while the
 * syncer waits for the first to be durable. Durability is held back here by a gate around the
 * SQLite provider's deferred commits, to show what callers and readers see meanwhile.
 */
class PipelinedCommitTest {
    private static final TenantId TENANT = TenantId.of("acme");
    private static final TableName T = TableName.of("things");

    @TempDir
    Path dir;
    private StorageProvider sqlite;
    private Engine engine;
    /** Each deferred commit's durability, held until the test releases it. */
    private final BlockingQueue<Gate> commits = new LinkedBlockingQueue<>();
    /** Document lookups ({@link WriteTransaction#get}) on the writer's transactions. */
    private final java.util.concurrent.atomic.AtomicInteger writerGets = new java.util.concurrent.atomic.AtomicInteger();
    /** Calls of {@link WriteTransaction#flush} the engine made. */
    private final java.util.concurrent.atomic.AtomicInteger flushes = new java.util.concurrent.atomic.AtomicInteger();

    /** One deferred commit: {@link #release} lets its durability through, or fails it. */
    static final class Gate {
        final CompletableFuture<Void> released = new CompletableFuture<>();

        void release() {
            released.complete(null);
        }

        void fail(RuntimeException e) {
            released.completeExceptionally(e);
        }
    }

    @BeforeEach
    void start() {
        sqlite = new SqliteStorageProvider(dir);
        // No scheduler ticks: every commit counted here is the test's own.
        engine = new Engine(gated(sqlite), EngineLimits.DEFAULTS.withSchedulerPollMillis(3_600_000));
        engine.createTenant(TENANT);
    }

    @AfterEach
    void stop() {
        Gate g;
        while ((g = commits.poll()) != null) {
            g.release();
        }
        engine.close();
        sqlite.close();
    }

    @Test
    void aWriteIsNeitherAcknowledgedNorVisibleBeforeItsCommitIsDurable() throws Exception {
        CompletableFuture<CommitOutcome> insert = engine.submit(TENANT, Principal.ADMIN, insert(1));
        Gate first = nextCommit();
        // Committed to SQLite, not yet durable: no acknowledgement, and a reader waits.
        CompletableFuture<Integer> read = CompletableFuture.supplyAsync(
                () -> engine.query(TENANT, Principal.ADMIN, Query.all(T)).size());
        Thread.sleep(300);
        assertThat(insert).isNotDone();
        assertThat(read).isNotDone();

        first.release();
        assertThat(insert.get(10, TimeUnit.SECONDS).ids()).hasSize(1);
        assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void whileTheDiskSyncsOneBatchTheWriterGathersTheNextIntoOneTransaction() throws Exception {
        var before = engine.commitStats(TENANT);
        CompletableFuture<CommitOutcome> a = engine.submit(TENANT, Principal.ADMIN, insert(1));
        Gate first = nextCommit();
        List<CompletableFuture<CommitOutcome>> later = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            later.add(engine.submit(TENANT, Principal.ADMIN, insert(2 + i)));
        }
        // The writer applies the later writes to its open transaction, but commits it only once
        // the disk is free: no commit while the first is syncing.
        Thread.sleep(300);
        assertThat(commits).isEmpty();
        assertThat(a).isNotDone();
        assertThat(later).noneMatch(CompletableFuture::isDone);
        // While it waits for the disk it hands the rows buffered so far to the store, so that
        // the commit has less to do once the disk is free.
        assertThat(flushes.get()).isPositive();

        first.release();
        long previous = a.get(10, TimeUnit.SECONDS).sequence();
        Gate second = nextCommit();
        assertThat(later).noneMatch(CompletableFuture::isDone);
        second.release();
        for (CompletableFuture<CommitOutcome> f : later) {
            long sequence = f.get(10, TimeUnit.SECONDS).sequence();
            assertThat(sequence).isGreaterThan(previous);
            previous = sequence;
        }
        assertThat(commits).isEmpty();
        var after = engine.commitStats(TENANT);
        assertThat(after.batches() - before.batches()).isEqualTo(2); // all 20 later writes in one batch
        assertThat(after.requests() - before.requests()).isEqualTo(21);
        assertThat(engine.query(TENANT, Principal.ADMIN, Query.all(T))).hasSize(21);
    }

    @Test
    void aTransactionThatOnlyInsertsOpensNoSnapshotSoItDoesNotWaitForAnotherCommitsSync() throws Exception {
        CompletableFuture<CommitOutcome> first = engine.submit(TENANT, Principal.ADMIN, insert(1));
        Gate gate = nextCommit(); // committed, not durable: a snapshot now would wait for it
        java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(2);
        CompletableFuture<Engine.TransactionResult<Object>> inserting = CompletableFuture.supplyAsync(
                () -> engine.transactDetailed(TENANT, Principal.ADMIN, tx -> {
                    tx.insert(T, EngineFixture.obj("n", 2));
                    ran.countDown();
                    return null;
                }));
        CompletableFuture<Engine.TransactionResult<Object>> reading = CompletableFuture.supplyAsync(
                () -> engine.transactDetailed(TENANT, Principal.ADMIN, tx -> {
                    tx.query(Query.all(T));
                    ran.countDown();
                    return null;
                }));
        Thread.sleep(300);
        assertThat(ran.getCount()).as("only the inserting transaction ran its body").isEqualTo(1);
        assertThat(reading).isNotDone();

        gate.release();
        first.get(10, TimeUnit.SECONDS);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        Gate second = nextCommit();
        second.release();
        assertThat(inserting.get(10, TimeUnit.SECONDS).commit()).isPresent();
        assertThat(reading.get(10, TimeUnit.SECONDS).commit()).isEmpty();
        assertThat(engine.query(TENANT, Principal.ADMIN, Query.all(T))).hasSize(2);
    }

    @Test
    void theWriterLooksUpATransactionsInsertOnlyWhenTheCallerChoseItsId() throws Exception {
        CompletableFuture<Engine.TransactionResult<Object>> generated = CompletableFuture.supplyAsync(
                () -> engine.transactDetailed(TENANT, Principal.ADMIN, tx -> tx.insert(T, EngineFixture.obj("n", 1))));
        nextCommit().release();
        assertThat(generated.get(10, TimeUnit.SECONDS).commit()).isPresent();
        assertThat(writerGets.get()).as("a generated id is new by construction").isZero();

        dev.nimbus.core.model.DocumentId chosen = new dev.nimbus.core.model.DocumentIdGenerator().next();
        CompletableFuture<Engine.TransactionResult<Object>> explicit = CompletableFuture.supplyAsync(
                () -> engine.transactDetailed(TENANT, Principal.ADMIN, tx -> {
                    tx.insert(T, chosen, EngineFixture.obj("n", 2));
                    return null;
                }));
        nextCommit().release();
        assertThat(explicit.get(10, TimeUnit.SECONDS).commit()).isPresent();
        assertThat(writerGets.get()).as("a chosen id is checked for existence").isPositive();
        assertThat(engine.query(TENANT, Principal.ADMIN, Query.all(T))).hasSize(2);
    }

    @Test
    void aReadWaitsForACommitInFlightOnlyIfThatCommitWroteItsTable() throws Exception {
        // Threads of its own: a waiting read must not hold up the others (the common pool may have one).
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
        try {
            readsWaitOnlyForTheirTable(threads);
        } finally {
            threads.shutdownNow();
        }
    }

    private void readsWaitOnlyForTheirTable(java.util.concurrent.Executor threads) throws Exception {
        TableName other = TableName.of("others");
        CompletableFuture<CommitOutcome> seed = engine.submit(TENANT, Principal.ADMIN, new Mutation.Insert(other,
                Optional.empty(), EngineFixture.obj("n", 0)));
        nextCommit().release();
        CommitOutcome seeded = seed.get(10, TimeUnit.SECONDS);
        CompletableFuture<CommitOutcome> insert = engine.submit(TENANT, Principal.ADMIN, insert(1));
        Gate held = nextCommit(); // committed to SQLite, not durable, not applied
        // Another table: read at once, as of the applied state.
        CompletableFuture<Integer> elsewhere = CompletableFuture.supplyAsync(
                () -> engine.query(TENANT, Principal.ADMIN, Query.all(other)).size(), threads);
        CompletableFuture<Boolean> byId = CompletableFuture.supplyAsync(
                () -> engine.get(TENANT, Principal.ADMIN, other, seeded.ids().get(0)).isPresent(), threads);
        assertThat(elsewhere.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(byId.get(5, TimeUnit.SECONDS)).isTrue();
        // The table the held commit wrote: the read waits for it to be durable and applied.
        CompletableFuture<Integer> here = CompletableFuture.supplyAsync(
                () -> engine.query(TENANT, Principal.ADMIN, Query.all(T)).size(), threads);
        Thread.sleep(300);
        assertThat(here).isNotDone();
        assertThat(insert).isNotDone();

        // The same inside a transaction, table by table.
        CompletableFuture<Integer> txElsewhere = CompletableFuture.supplyAsync(() -> engine.transact(TENANT,
                Principal.ADMIN, tx -> tx.query(Query.all(other)).size()), threads);
        assertThat(txElsewhere.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        CompletableFuture<Integer> txHere = CompletableFuture.supplyAsync(() -> engine.transact(TENANT,
                Principal.ADMIN, tx -> tx.query(Query.all(other)).size() + tx.query(Query.all(T)).size()), threads);
        Thread.sleep(300);
        assertThat(txHere).isNotDone();

        held.release();
        assertThat(insert.get(10, TimeUnit.SECONDS).ids()).hasSize(1);
        assertThat(here.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(txHere.get(10, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void aCommitThatCannotBeMadeDurableFailsItsCallersAndStopsTheTenantsWrites() throws Exception {
        CompletableFuture<CommitOutcome> insert = engine.submit(TENANT, Principal.ADMIN, insert(1));
        nextCommit().fail(new NimbusException(ErrorCode.STORAGE_IO, "sqlite storage error [io]: fsync failed"));

        assertThatThrownBy(() -> insert.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(NimbusException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_IO));
        assertThatThrownBy(() -> engine.mutate(TENANT, Principal.ADMIN, insert(2)))
                .isInstanceOfSatisfying(NimbusException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_IO);
                    assertThat(e.getMessage()).contains("could not be made durable");
                });
    }

    private Gate nextCommit() throws InterruptedException {
        Gate g = commits.poll(10, TimeUnit.SECONDS);
        assertThat(g).as("a deferred commit").isNotNull();
        return g;
    }

    private static Mutation insert(int n) {
        return new Mutation.Insert(T, Optional.empty(), EngineFixture.obj("n", n));
    }

    /** The provider, with every deferred commit's durability held at a {@link Gate}. */
    private StorageProvider gated(StorageProvider provider) {
        return proxy(StorageProvider.class, provider, (target, method, args) -> {
            Object result = method.invoke(target, args);
            return result instanceof TenantStore store ? gatedStore(store) : result;
        });
    }

    private TenantStore gatedStore(TenantStore store) {
        return proxy(TenantStore.class, store, (target, method, args) -> {
            Object result = method.invoke(target, args);
            return result instanceof WriteTransaction tx ? gatedTransaction(tx) : result;
        });
    }

    private WriteTransaction gatedTransaction(WriteTransaction tx) {
        return proxy(WriteTransaction.class, tx, (target, method, args) -> {
            if (method.getName().equals("commitDeferred")) {
                PendingDurability durable = tx.commitDeferred();
                Gate gate = new Gate();
                commits.add(gate);
                return (PendingDurability) () -> {
                    try {
                        gate.released.join();
                    } catch (java.util.concurrent.CompletionException e) {
                        durable.await();
                        throw (RuntimeException) e.getCause();
                    }
                    durable.await();
                };
            }
            if (method.getName().equals("flush")) {
                flushes.incrementAndGet();
            }
            if (method.getName().equals("get")) {
                writerGets.incrementAndGet();
            }
            return method.invoke(target, args);
        });
    }

    interface Call<T> {
        Object invoke(T target, java.lang.reflect.Method method, Object[] args) throws Exception;
    }

    private static <T> T proxy(Class<T> type, T target, Call<T> call) {
        InvocationHandler h = (p, method, args) -> {
            try {
                return call.invoke(target, method, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
    }
}
