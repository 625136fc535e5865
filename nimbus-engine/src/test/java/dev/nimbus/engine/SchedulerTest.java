package dev.nimbus.engine;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.scheduler.ScheduledJob;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulerTest extends EngineFixture {
    static final TableName EFFECTS = TableName.of("effects");

    @Override
    EngineLimits limits() {
        return EngineLimits.DEFAULTS.withSchedulerPollMillis(10);
    }

    private int effects() {
        return engine.query(tenant, ADMIN, Query.all(EFFECTS)).size();
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void aTenantWithNothingScheduledIsNeverWrittenByTheScheduler() throws Exception {
        Thread.sleep(200); // twenty polls
        // No schema for the job tables (schema changes are commits without journal records).
        assertThat(engine.schema(tenant, TableName.system("_scheduled_jobs"))).isEmpty();
        assertThat(engine.commitStats(tenant).requests()).isZero();
        assertThat(engine.journal(tenant, 0, 10)).isEmpty();
    }

    @Test
    void aJobWrittenOnlyThroughTheEngineIsStillFoundWhenDue() throws Exception {
        // The scheduler has scanned the tenant (nothing due) before any job exists; the job's
        // applied write alone must bring it back.
        Thread.sleep(100);
        engine.scheduler().schedule(tenant, 300, new Mutation.Insert(EFFECTS, Optional.empty(), obj("x", 1)));
        waitUntil(() -> effects() == 1, 10_000);
        assertThat(effects()).isEqualTo(1);
    }

    @Test
    void aJobRunsOnceAtItsTimeAndKeepsItsResult() throws Exception {
        String id = engine.scheduler().schedule(tenant, 100, new Mutation.Insert(EFFECTS, Optional.empty(), obj("x", 1)));
        assertThat(engine.scheduler().pendingJobs(tenant)).extracting(ScheduledJob::id).containsExactly(id);
        waitUntil(() -> effects() == 1, 10_000);
        assertThat(effects()).isEqualTo(1);
        waitUntil(() -> engine.scheduler().job(tenant, id).map(j -> j.state().equals("completed")).orElse(false), 5_000);
        ScheduledJob done = engine.scheduler().job(tenant, id).orElseThrow();
        assertThat(done.state()).isEqualTo("completed");
        assertThat(done.finishedAtMillis()).isPresent();
        assertThat(engine.scheduler().pendingJobs(tenant)).isEmpty();
        Thread.sleep(100);
        assertThat(effects()).isEqualTo(1);
    }

    @Test
    void aJobWhoseMutationFailsIsRecordedAsFailed() throws Exception {
        DocumentId missing = DocumentId.parse("01jx2x9w7d2f0v6q8t3k5r9e1b");
        String id = engine.scheduler().schedule(tenant, 0, new Mutation.Delete(EFFECTS, missing));
        waitUntil(() -> engine.scheduler().job(tenant, id).map(j -> !j.state().equals("pending")).orElse(false), 10_000);
        ScheduledJob job = engine.scheduler().job(tenant, id).orElseThrow();
        assertThat(job.state()).isEqualTo("failed");
        assertThat(job.error()).hasValueSatisfying(e -> assertThat(e).contains("op.document_not_found"));
    }

    @Test
    void aPendingJobCanBeCancelledAndUnknownJobsAreNotFound() {
        String id = engine.scheduler().schedule(tenant, 60_000, new Mutation.Insert(EFFECTS, Optional.empty(), obj()));
        engine.scheduler().cancel(tenant, id);
        assertThat(engine.scheduler().pendingJobs(tenant)).isEmpty();
        assertThatThrownBy(() -> engine.scheduler().cancel(tenant, id)).isInstanceOfSatisfying(NimbusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.SCHEDULED_JOB_NOT_FOUND));
        assertThatThrownBy(() -> engine.scheduler().cancel(tenant, "nope")).isInstanceOfSatisfying(NimbusException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.SCHEDULED_JOB_NOT_FOUND));
    }

    @Test
    void cronsRunEveryInterval() throws Exception {
        engine.scheduler().putCron(tenant, "tick", 1, new Mutation.Insert(EFFECTS, Optional.empty(), obj("tick", true)));
        waitUntil(() -> effects() >= 2, 8_000);
        assertThat(effects()).isGreaterThanOrEqualTo(2);
        assertThat(engine.scheduler().crons(tenant)).singleElement().satisfies(c -> {
            assertThat(c.lastRunMillis()).isPresent();
            assertThat(c.intervalSeconds()).isEqualTo(1);
        });
        engine.scheduler().deleteCron(tenant, "tick");
        assertThat(engine.scheduler().crons(tenant)).isEmpty();
    }

    @Test
    void afterACrashWhileJobsRunEveryJobTakesEffectExactlyOnce() throws Exception {
        int jobs = 80;
        for (int i = 0; i < jobs; i++) {
            engine.scheduler().schedule(tenant, 5L * i, new Mutation.Insert(EFFECTS, Optional.empty(), obj("job", i)));
        }
        waitUntil(() -> effects() >= jobs / 4, 20_000);
        engine.halt(); // kill: no draining, in-flight batches are not committed
        storage.close();

        storage = place.open();
        engine = new Engine(storage, limits());
        waitUntil(() -> engine.scheduler().pendingJobs(tenant).isEmpty(), 30_000);
        assertThat(engine.scheduler().pendingJobs(tenant)).isEmpty();
        Map<Long, Integer> perJob = new HashMap<>();
        for (Document d : engine.query(tenant, ADMIN, Query.all(EFFECTS))) {
            perJob.merge(((Value.Int64) d.fields().get("job")).value(), 1, Integer::sum);
        }
        assertThat(perJob).hasSize(jobs);
        assertThat(perJob.values()).allMatch(n -> n == 1);
        assertThat(engine.verify(tenant).ok()).isTrue();
        // Each run's records carry its execution id; one execution per job.
        List<String> executions = engine.journal(tenant, 0, 10_000).stream()
                .flatMap(r -> r.scheduledExecutionId().stream()).distinct().toList();
        assertThat(executions).hasSize(jobs);
    }
}
