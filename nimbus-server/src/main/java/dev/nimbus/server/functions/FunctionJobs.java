package dev.nimbus.server.functions;

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
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.runtime.Deployment;
import dev.nimbus.runtime.FunctionKind;
import dev.nimbus.runtime.FunctionSpec;
import dev.nimbus.runtime.Invocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Scheduled functions ({@code ctx.scheduler.runAfter/runAt/cancel}). A job is a document of the
 * tenant's system table {@code _function_jobs}: {@code name, args, runAt, state} with state
 * pending → running → completed | failed, or canceled. A job scheduled by a mutation is written
 * only after that mutation committed; one scheduled by an action at once. A poller claims due
 * jobs with an optimistic transaction (so one claim wins), runs them as the anonymous principal,
 * and records the outcome. A failed job is recorded and not retried.
 */
public final class FunctionJobs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FunctionJobs.class);
    static final TableName TABLE = TableName.system("_function_jobs");
    static final long POLL_MILLIS = 100;
    static final int DUE_BATCH_MAX = 32;
    /** Convex's bound: runAt within five years. */
    static final long HORIZON_MILLIS = 5L * 366 * 24 * 3600 * 1000;
    private static final DocumentIdGenerator IDS = new DocumentIdGenerator();

    /** A job about to be written. */
    record Job(DocumentId id, long runAtMillis, String name, Value args) {
    }

    private final Engine engine;
    private final FunctionService service;
    private final Thread poller;
    private volatile boolean running = true;

    FunctionJobs(Engine engine, FunctionService service) {
        this.engine = engine;
        this.service = service;
        this.poller = Thread.ofPlatform().name("nimbus-function-jobs").daemon(true).unstarted(this::loop);
    }

    void start() {
        poller.start();
    }

    Job prepare(Deployment deployment, long runAtMillis, String name, Value args) {
        FunctionSpec spec = deployment.manifest().function(name).orElseThrow(() -> new NimbusException(
                ErrorCode.INVALID_INPUT, "cannot schedule '" + name + "': no such function in the deployed bundle"));
        if (spec.kind() != FunctionKind.MUTATION && spec.kind() != FunctionKind.ACTION) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "only mutations and actions can be scheduled; '"
                    + name + "' is a " + spec.kind().wireName());
        }
        long now = System.currentTimeMillis();
        if (Math.abs(runAtMillis - now) > HORIZON_MILLIS) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "a job must run within five years of now");
        }
        return new Job(IDS.next(), Math.max(runAtMillis, now), spec.name(), args);
    }

    void create(TenantId tenant, List<Job> jobs) {
        if (jobs.isEmpty()) {
            return;
        }
        engine.commit(tenant, Principal.SYSTEM, jobs.stream().map(j -> (Mutation) new Mutation.Insert(TABLE,
                Optional.of(j.id()), record(j))).toList());
    }

    private static Value.Obj record(Job j) {
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("name", Value.of(j.name()));
        m.put("args", j.args());
        m.put("runAt", Value.of(j.runAtMillis()));
        m.put("state", Value.of("pending"));
        m.put("createdAt", Value.of(System.currentTimeMillis()));
        return new Value.Obj(m);
    }

    /** Cancels a pending job; {@code op.scheduled_job_not_found} if the tenant has no such pending job. */
    void cancel(TenantId tenant, String jobId) {
        DocumentId id;
        try {
            id = DocumentId.parse(jobId);
        } catch (RuntimeException e) {
            throw notFound(jobId);
        }
        engine.transact(tenant, Principal.SYSTEM, tx -> {
            Document d = tx.get(TABLE, id).orElseThrow(() -> notFound(jobId));
            if (!(d.fields().get("state") instanceof Value.Str s) || !s.value().equals("pending")) {
                throw notFound(jobId);
            }
            tx.patch(TABLE, id, new Value.Obj(Map.of("state", Value.of("canceled"))), java.util.Set.of());
            return null;
        });
    }

    /** A job's record as {@code {id, name, args, runAt, state, error?}}, if the tenant has it. */
    Optional<Value.Obj> job(TenantId tenant, String jobId) {
        try {
            return engine.get(tenant, Principal.SYSTEM, TABLE, DocumentId.parse(jobId)).map(Document::toObject);
        } catch (NimbusException e) {
            return Optional.empty();
        }
    }

    private static NimbusException notFound(String jobId) {
        return new NimbusException(ErrorCode.SCHEDULED_JOB_NOT_FOUND, "no pending scheduled job " + jobId,
                Map.of("jobId", Value.of(jobId)));
    }

    private void loop() {
        while (running) {
            try {
                for (TenantId tenant : service.deployments().tenants()) {
                    runDue(tenant);
                }
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("scheduled functions: {}", e.getMessage());
            }
        }
    }

    /** Runs the tenant's due jobs once; returns how many ran. */
    int runDue(TenantId tenant) {
        if (!engine.tenantExists(tenant)) {
            return 0;
        }
        Query due = new Query(TABLE, new Filter.And(List.of(Filter.eq("state", Value.of("pending")),
                new Filter.Compare(FieldPath.of("runAt"), Filter.Op.LTE, Value.of(System.currentTimeMillis())))),
                List.of(new Query.SortKey(FieldPath.of("runAt"), Query.Direction.ASC)), OptionalInt.of(DUE_BATCH_MAX));
        int ran = 0;
        for (Document job : engine.query(tenant, Principal.SYSTEM, due)) {
            if (claim(tenant, job.id())) {
                execute(tenant, job);
                ran++;
            }
        }
        return ran;
    }

    private boolean claim(TenantId tenant, DocumentId id) {
        try {
            return engine.transact(tenant, Principal.SYSTEM, tx -> {
                Optional<Document> d = tx.get(TABLE, id);
                if (d.isEmpty() || !(d.get().fields().get("state") instanceof Value.Str s) || !s.value().equals("pending")) {
                    return false;
                }
                tx.patch(TABLE, id, new Value.Obj(Map.of("state", Value.of("running"))), java.util.Set.of());
                return true;
            });
        } catch (NimbusException e) {
            return false; // another claimer won, or the tenant went away
        }
    }

    private void execute(TenantId tenant, Document job) {
        String name = ((Value.Str) job.fields().get("name")).value();
        Value args = job.fields().get("args") == null ? Value.Obj.EMPTY : job.fields().get("args");
        Map<String, Value> outcome = new LinkedHashMap<>();
        try {
            Deployments.Active active = service.deployments().active(tenant).orElseThrow(() ->
                    new NimbusException(ErrorCode.NOT_FOUND, "no functions are deployed"));
            FunctionSpec spec = active.deployment().manifest().function(name).orElseThrow(() ->
                    new NimbusException(ErrorCode.NOT_FOUND, "function " + name + " is no longer deployed"));
            service.run(new Invocation(tenant, active.deployment(), name, spec.kind(), args, false, 0), Principal.ANONYMOUS);
            outcome.put("state", Value.of("completed"));
        } catch (NimbusException e) {
            outcome.put("state", Value.of("failed"));
            outcome.put("error", Value.of(e.code().wireName() + ": " + e.getMessage()));
        }
        outcome.put("finishedAt", Value.of(System.currentTimeMillis()));
        engine.mutate(tenant, Principal.SYSTEM, new Mutation.Patch(TABLE, job.id(), new Value.Obj(outcome), java.util.Set.of()));
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
    }
}
