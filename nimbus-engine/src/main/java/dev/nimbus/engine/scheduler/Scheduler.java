package dev.nimbus.engine.scheduler;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.DocumentIdGenerator;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.commit.CommittedWrite;
import dev.nimbus.engine.commit.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Durable one-off jobs and interval crons, stored in each tenant's own system tables
 * ({@code _scheduled_jobs}, {@code _crons}) so they survive restarts. A run commits the job's
 * mutation, the job's new state and an execution marker in ONE transaction with the execution
 * id ({@code job:<id>} or {@code cron:<name>:<due millis>}), so a run repeated after a crash
 * applies at most once, and a run lost in a crash is simply run again: exactly once in effect.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    static final TableName JOBS = TableName.system("_scheduled_jobs");
    static final TableName CRONS = TableName.system("_crons");
    private static final String PENDING = "pending";
    private static final int DUE_BATCH_MAX = 100;

    private final Engine engine;
    private final long pollMillis;
    private final Set<TenantId> watched = ConcurrentHashMap.newKeySet();
    private final Set<TenantId> prepared = ConcurrentHashMap.newKeySet();
    // When each watched tenant next has something due (epoch millis); absent = not known yet.
    // Kept current by the tick that scans a tenant and by every applied write to its job and
    // cron tables, so that an idle tenant is not read (nor kept open) every poll.
    private final Map<TenantId, Long> nextDue = new ConcurrentHashMap<>();
    private final DocumentIdGenerator ids = new DocumentIdGenerator();
    private final Thread thread;
    private volatile boolean running = true;

    public Scheduler(Engine engine, long pollMillis) {
        this.engine = engine;
        this.pollMillis = pollMillis;
        this.thread = Thread.ofPlatform().name("nimbus-scheduler").daemon(true).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    public void watch(TenantId tenant) {
        watched.add(tenant);
    }

    public void unwatch(TenantId tenant) {
        watched.remove(tenant);
        prepared.remove(tenant);
        nextDue.remove(tenant);
    }

    /**
     * Hears of a tenant's applied writes (on the tenant's syncer thread: cheap, never blocks):
     * a pending job or an enabled cron written, whatever wrote it, brings that tenant's next
     * due time forward.
     */
    public void onApplied(TenantId tenant, List<CommittedWrite> writes) {
        long earliest = Long.MAX_VALUE;
        for (CommittedWrite w : writes) {
            if (w.after().isEmpty()) {
                continue;
            }
            Value.Obj fields = w.after().get().fields();
            if (w.table().equals(JOBS) && Value.of(PENDING).equals(fields.get("state"))
                    && fields.get("run_at") instanceof Value.Int64 at) {
                earliest = Math.min(earliest, at.value());
            } else if (w.table().equals(CRONS) && Value.of(true).equals(fields.get("enabled"))
                    && fields.get("next_run") instanceof Value.Int64 next) {
                earliest = Math.min(earliest, next.value());
            }
        }
        if (earliest != Long.MAX_VALUE) {
            nextDue.merge(tenant, earliest, Math::min);
            if (earliest <= System.currentTimeMillis() + pollMillis) {
                wake();
            }
        }
    }

    // ---- API -------------------------------------------------------------------------------

    /** Schedules {@code mutation} to run {@code runAfterMillis} from now; returns the job id. */
    public String schedule(TenantId tenant, long runAfterMillis, Mutation mutation) {
        if (runAfterMillis < 0) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "run_after_ms must not be negative");
        }
        prepare(tenant);
        Value.Obj encoded = MutationJson.toValue(mutation);
        DocumentId id = ids.next();
        long now = System.currentTimeMillis();
        Map<String, Value> fields = new LinkedHashMap<>();
        fields.put("state", Value.of(PENDING));
        fields.put("run_at", Value.of(now + runAfterMillis));
        fields.put("mutation", encoded);
        fields.put("created_at", Value.of(now));
        engine.mutate(tenant, Principal.SYSTEM, new Mutation.Insert(JOBS, Optional.of(id), new Value.Obj(fields)));
        wake();
        return id.value();
    }

    public List<ScheduledJob> pendingJobs(TenantId tenant) {
        prepare(tenant);
        Query q = new Query(JOBS, Filter.eq("state", Value.of(PENDING)),
                List.of(new Query.SortKey(FieldPath.of("run_at"), Query.Direction.ASC)), OptionalInt.empty());
        return engine.query(tenant, Principal.SYSTEM, q).stream().map(Scheduler::job).toList();
    }

    public Optional<ScheduledJob> job(TenantId tenant, String jobId) {
        prepare(tenant);
        return engine.get(tenant, Principal.SYSTEM, JOBS, jobDocumentId(jobId)).map(Scheduler::job);
    }

    /** Cancels a pending job; {@code op.scheduled_job_not_found} if there is none. */
    public void cancel(TenantId tenant, String jobId) {
        prepare(tenant);
        DocumentId id = jobDocumentId(jobId);
        Optional<ScheduledJob> job = job(tenant, jobId);
        if (job.isEmpty() || !job.get().state().equals(PENDING)) {
            throw jobNotFound(jobId);
        }
        engine.mutate(tenant, Principal.SYSTEM, new Mutation.Delete(JOBS, id));
    }

    /** Adds or replaces a cron that runs {@code mutation} every {@code intervalSeconds}. */
    public void putCron(TenantId tenant, String name, long intervalSeconds, Mutation mutation) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,128}")) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "cron names are 1-128 letters, digits, '_', '.' or '-'");
        }
        if (intervalSeconds < 1) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "a cron interval is at least 1 second");
        }
        prepare(tenant);
        long now = System.currentTimeMillis();
        Map<String, Value> fields = new LinkedHashMap<>();
        fields.put("name", Value.of(name));
        fields.put("schedule", new Value.Obj(Map.of("type", Value.of("interval"), "seconds", Value.of(intervalSeconds))));
        fields.put("mutation", MutationJson.toValue(mutation));
        fields.put("enabled", Value.of(true));
        fields.put("last_run", Value.nullValue());
        fields.put("next_run", Value.of(now + intervalSeconds * 1000));
        fields.put("created_at", Value.of(now));
        DocumentId id = DocumentId.derivedFrom(Value.of(name));
        engine.transact(tenant, Principal.SYSTEM, tx -> {
            if (tx.get(CRONS, id).isPresent()) {
                tx.replace(CRONS, id, new Value.Obj(fields));
            } else {
                tx.insert(CRONS, id, new Value.Obj(fields));
            }
            return null;
        });
        wake();
    }

    public List<CronJob> crons(TenantId tenant) {
        prepare(tenant);
        return engine.query(tenant, Principal.SYSTEM, Query.all(CRONS)).stream().map(Scheduler::cron).toList();
    }

    public void deleteCron(TenantId tenant, String name) {
        prepare(tenant);
        try {
            engine.mutate(tenant, Principal.SYSTEM, new Mutation.Delete(CRONS, DocumentId.derivedFrom(Value.of(name))));
        } catch (NimbusException e) {
            if (e.code() == ErrorCode.DOCUMENT_NOT_FOUND) {
                throw new NimbusException(ErrorCode.NOT_FOUND, "no cron named " + name);
            }
            throw e;
        }
    }

    // ---- the loop ------------------------------------------------------------------------

    private synchronized void wake() {
        notifyAll();
    }

    private void run() {
        while (running) {
            for (TenantId t : List.copyOf(watched)) {
                if (!running) {
                    return;
                }
                Long due = nextDue.get(t);
                if (due != null && due > System.currentTimeMillis()) {
                    continue; // nothing due: the tenant is not even opened
                }
                try {
                    tick(t);
                } catch (NimbusException e) {
                    nextDue.remove(t); // look again next poll
                    if (e.code() == ErrorCode.TENANT_NOT_FOUND) {
                        unwatch(t);
                    } else if (running) {
                        LOG.warn("scheduler tick of tenant {} failed: {}", t, e.getMessage());
                    }
                } catch (RuntimeException e) {
                    nextDue.remove(t);
                    if (running) {
                        LOG.error("scheduler tick of tenant {} failed", t, e);
                    }
                }
            }
            synchronized (this) {
                try {
                    wait(pollMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /**
     * Runs every due job and cron of one tenant, then notes when the tenant next has something
     * due. Reads only: a tenant that never scheduled anything gets no system tables.
     */
    public void tick(TenantId tenant) {
        // Writes applied from here on lower this; the scan below raises it only to what it saw.
        nextDue.put(tenant, Long.MAX_VALUE);
        long now = System.currentTimeMillis();
        long earliest = Long.MAX_VALUE;
        Query due = new Query(JOBS, Filter.and(Filter.eq("state", Value.of(PENDING)),
                new Filter.Compare(FieldPath.of("run_at"), Filter.Op.LTE, Value.of(now))),
                List.of(new Query.SortKey(FieldPath.of("run_at"), Query.Direction.ASC)), OptionalInt.of(DUE_BATCH_MAX));
        List<Document> dueJobs = engine.query(tenant, Principal.SYSTEM, due);
        for (Document d : dueJobs) {
            if (!running) {
                return;
            }
            runJob(tenant, d);
        }
        Query nextJob = new Query(JOBS, Filter.eq("state", Value.of(PENDING)),
                List.of(new Query.SortKey(FieldPath.of("run_at"), Query.Direction.ASC)), OptionalInt.of(1));
        for (Document d : engine.query(tenant, Principal.SYSTEM, nextJob)) {
            earliest = Math.min(earliest, job(d).runAtMillis()); // a job that stays pending is retried
        }
        for (Document d : engine.query(tenant, Principal.SYSTEM, Query.all(CRONS))) {
            if (!running) {
                return;
            }
            CronJob c = cron(d);
            if (c.enabled() && c.nextRunMillis() <= now) {
                runCron(tenant, d.id(), c, now);
            }
        }
        for (Document d : engine.query(tenant, Principal.SYSTEM, Query.all(CRONS))) {
            CronJob c = cron(d);
            if (c.enabled()) {
                earliest = Math.min(earliest, c.nextRunMillis());
            }
        }
        nextDue.merge(tenant, earliest, Math::min);
    }

    private void runJob(TenantId tenant, Document d) {
        ScheduledJob job = job(d);
        String executionId = "job:" + job.id();
        long now = System.currentTimeMillis();
        Map<String, Value> done = new LinkedHashMap<>();
        done.put("state", Value.of("completed"));
        done.put("finished_at", Value.of(now));
        done.put("outcome", Value.of("completed"));
        done.put("error", Value.nullValue());
        try {
            engine.commitOnce(tenant, Principal.SYSTEM, List.of(new Operation.Write(job.mutation()),
                    new Operation.Write(new Mutation.Patch(JOBS, d.id(), new Value.Obj(done), Set.of()))), executionId);
        } catch (NimbusException e) {
            if (e.retryable()) {
                return; // stays pending; the next tick retries
            }
            done.put("state", Value.of("failed"));
            done.put("outcome", Value.of("failed"));
            done.put("error", Value.of(e.code().wireName() + ": " + e.getMessage()));
            engine.commitOnce(tenant, Principal.SYSTEM, List.of(
                    new Operation.Write(new Mutation.Patch(JOBS, d.id(), new Value.Obj(done), Set.of()))), executionId);
        }
    }

    private void runCron(TenantId tenant, DocumentId id, CronJob c, long now) {
        long interval = c.intervalSeconds() * 1000;
        long next = c.nextRunMillis() + interval;
        if (next <= now) {
            next = now + interval - ((now - c.nextRunMillis()) % interval);
        }
        String executionId = "cron:" + c.name() + ":" + c.nextRunMillis();
        Map<String, Value> update = Map.of("last_run", Value.of(now), "next_run", Value.of(next));
        Mutation advance = new Mutation.Patch(CRONS, id, new Value.Obj(update), Set.of());
        try {
            engine.commitOnce(tenant, Principal.SYSTEM, List.of(new Operation.Write(c.mutation()),
                    new Operation.Write(advance)), executionId);
        } catch (NimbusException e) {
            if (e.retryable()) {
                return;
            }
            LOG.warn("cron {} of tenant {} failed: {}", c.name(), tenant, e.getMessage());
            engine.commitOnce(tenant, Principal.SYSTEM, List.of(new Operation.Write(advance)), executionId);
        }
    }

    /** Creates the system tables' schemas (with the due-job index) once per tenant. */
    private void prepare(TenantId tenant) {
        if (prepared.contains(tenant)) {
            return;
        }
        if (engine.schema(tenant, JOBS).isEmpty()) {
            engine.setSchema(tenant, Principal.SYSTEM, new TableSchema(JOBS, List.of(),
                    List.of(new TableSchema.IndexDefinition("by_state_run_at",
                            List.of(FieldPath.of("state"), FieldPath.of("run_at")), TableSchema.IndexState.ENABLED)),
                    Optional.empty()));
        }
        prepared.add(tenant);
    }

    private static DocumentId jobDocumentId(String jobId) {
        if (!DocumentId.isValid(jobId)) {
            throw jobNotFound(jobId);
        }
        return DocumentId.parse(jobId);
    }

    private static NimbusException jobNotFound(String jobId) {
        return new NimbusException(ErrorCode.SCHEDULED_JOB_NOT_FOUND, "no pending job " + jobId,
                Map.of("jobId", Value.of(jobId)));
    }

    private static ScheduledJob job(Document d) {
        Value.Obj f = d.fields();
        return new ScheduledJob(d.id().value(), ((Value.Int64) f.get("run_at")).value(),
                MutationJson.fromValue(f.get("mutation")), ((Value.Int64) f.get("created_at")).value(),
                ((Value.Str) f.get("state")).value(),
                f.get("finished_at") instanceof Value.Int64 t ? Optional.of(t.value()) : Optional.empty(),
                f.get("error") instanceof Value.Str s ? Optional.of(s.value()) : Optional.empty());
    }

    private static CronJob cron(Document d) {
        Value.Obj f = d.fields();
        Value.Obj schedule = (Value.Obj) f.get("schedule");
        return new CronJob(((Value.Str) f.get("name")).value(), ((Value.Int64) schedule.get("seconds")).value(),
                MutationJson.fromValue(f.get("mutation")), f.get("enabled") instanceof Value.Bool b && b.value(),
                f.get("last_run") instanceof Value.Int64 l ? Optional.of(l.value()) : Optional.empty(),
                ((Value.Int64) f.get("next_run")).value(), ((Value.Int64) f.get("created_at")).value());
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
