package dev.nimbus.server.api;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.schema.SchemaJson;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.query.QueryRunner;
import dev.nimbus.engine.scheduler.CronJob;
import dev.nimbus.engine.scheduler.MutationJson;
import dev.nimbus.engine.scheduler.ScheduledJob;
import dev.nimbus.engine.verify.VerifyReport;
import dev.nimbus.server.http.ApiRequest;
import dev.nimbus.server.http.ApiResponse;
import dev.nimbus.server.http.Router;
import dev.nimbus.storage.JournalRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The native HTTP API (routes, bodies and codes of Nimbus's HTTP reference): tenants, documents,
 * queries, paginated queries, schemas and the journal. Every tenant-scoped route is admitted to
 * exactly one existing tenant before the engine sees it. Callers hold the admin token, so they
 * act as the admin principal.
 */
public final class NativeApi {
    private static final Value.Obj HEALTHY = obj("ok", Value.of(true));
    private final Engine engine;
    private final TenantDirectory tenants;

    public NativeApi(Engine engine) {
        this(engine, TenantDirectory.of(engine));
    }

    /** @param tenants which tenants exist and their lifecycle (the server passes the control plane's registry) */
    public NativeApi(Engine engine, TenantDirectory tenants) {
        this.engine = engine;
        this.tenants = tenants;
    }

    public Router routes(Router r) {
        String t = "/api/tenants/{tenant_id}";
        return r
                .addNonBlocking("GET", "/health", q -> ApiResponse.ok(HEALTHY))
                .add("POST", "/api/tenants", Router.Access.ADMIN, this::createTenant)
                .add("GET", "/api/tenants", Router.Access.ADMIN, q -> ApiResponse.ok(obj("tenants",
                        Value.array(tenants.list().stream().map(id -> (Value) Value.of(id.value())).toList()))))
                .add("DELETE", t, Router.Access.ADMIN, q -> {
                    tenants.delete(tenant(q));
                    return ApiResponse.noContent();
                })
                .addAsync("POST", t + "/documents", Router.Access.ADMIN, this::insert)
                .add("GET", t + "/documents/{table}", Router.Access.ADMIN, this::list)
                .add("GET", t + "/documents/{table}/{document_id}", Router.Access.ADMIN, this::get)
                .addAsync("PATCH", t + "/documents/{table}/{document_id}", Router.Access.ADMIN, this::patch)
                .addAsync("DELETE", t + "/documents/{table}/{document_id}", Router.Access.ADMIN, this::delete)
                .add("POST", t + "/query", Router.Access.ADMIN, this::query)
                .add("POST", t + "/query/paginated", Router.Access.ADMIN, this::queryPaginated)
                .add("GET", t + "/schema", Router.Access.ADMIN, this::schemas)
                .add("GET", t + "/schema/{table}", Router.Access.ADMIN, this::schema)
                .add("PUT", t + "/schema/{table}", Router.Access.ADMIN, this::putSchema)
                .add("DELETE", t + "/schema/{table}", Router.Access.ADMIN, q -> {
                    engine.deleteSchema(tenant(q), Principal.ADMIN, table(q.param("table")));
                    return ApiResponse.noContent();
                })
                .add("GET", t + "/journal", Router.Access.ADMIN, this::journal)
                .add("GET", t + "/journal/bootstrap", Router.Access.ADMIN, this::bootstrap)
                .add("POST", t + "/schedule", Router.Access.ADMIN, this::schedule)
                .add("GET", t + "/schedule", Router.Access.ADMIN, this::jobs)
                .add("DELETE", t + "/schedule/{job_id}", Router.Access.ADMIN, q -> {
                    engine.scheduler().cancel(tenant(q), q.param("job_id"));
                    return ApiResponse.noContent();
                })
                .add("GET", t + "/schedule/history/{job_id}", Router.Access.ADMIN, this::jobResult)
                .add("POST", t + "/crons", Router.Access.ADMIN, this::putCron)
                .add("GET", t + "/crons", Router.Access.ADMIN, this::crons)
                .add("DELETE", t + "/crons/{name}", Router.Access.ADMIN, q -> {
                    engine.scheduler().deleteCron(tenant(q), q.param("name"));
                    return ApiResponse.noContent();
                })
                .add("GET", "/debug/tenants/{tenant_id}/consistency", Router.Access.ADMIN, this::consistency)
                .add("GET", "/debug/tenants/{tenant_id}/engine/metrics", Router.Access.ADMIN, this::metrics);
    }

    // ---- tenants ---------------------------------------------------------------------------

    private ApiResponse createTenant(ApiRequest q) {
        String id = string(q.json(), "id");
        tenants.create(TenantId.of(id));
        return ApiResponse.created(obj("id", Value.of(id)));
    }

    /** Admission: the path's tenant must exist before anything else happens. */
    private TenantId tenant(ApiRequest q) {
        String raw = q.param("tenant_id");
        TenantId tenant;
        try {
            tenant = TenantId.of(raw);
        } catch (NimbusException e) {
            throw notFound(raw);
        }
        if (!tenants.admit(tenant, Principal.ADMIN)) {
            throw notFound(raw);
        }
        return tenant;
    }

    private static NimbusException notFound(String raw) {
        return new NimbusException(ErrorCode.TENANT_NOT_FOUND, "tenant " + raw + " does not exist",
                Map.of("tenantId", Value.of(raw)));
    }

    // ---- documents -------------------------------------------------------------------------

    // Writes hand their mutation to the engine and answer when it is committed: no thread waits.

    private CompletableFuture<ApiResponse> insert(ApiRequest q) {
        TenantId tenant = tenant(q);
        Value.Obj body = q.json();
        TableName table = table(string(body, "table"));
        Value.Obj fields = body.get("fields") instanceof Value.Obj f ? f : fail("\"fields\" is an object");
        return engine.submit(tenant, Principal.ADMIN, new Mutation.Insert(table, Optional.empty(), fields))
                .thenApply(o -> ApiResponse.created(obj("id", Value.of(o.ids().get(0).value()))));
    }

    private ApiResponse list(ApiRequest q) {
        TenantId tenant = tenant(q);
        List<Document> docs = engine.query(tenant, Principal.ADMIN, Query.all(table(q.param("table"))));
        return ApiResponse.ok(obj("data", documents(docs)));
    }

    private ApiResponse get(ApiRequest q) {
        TenantId tenant = tenant(q);
        DocumentId id = DocumentId.parse(q.param("document_id"));
        Document d = engine.get(tenant, Principal.ADMIN, table(q.param("table")), id)
                .orElseThrow(() -> documentNotFound(id));
        return ApiResponse.ok(obj("document", d.toObject()));
    }

    private CompletableFuture<ApiResponse> patch(ApiRequest q) {
        TenantId tenant = tenant(q);
        DocumentId id = DocumentId.parse(q.param("document_id"));
        Value.Obj body = q.json();
        Value.Obj patch = body.get("patch") instanceof Value.Obj p ? p : fail("\"patch\" is an object");
        return engine.submit(tenant, Principal.ADMIN, new Mutation.Patch(table(q.param("table")), id, patch, Set.of()))
                .thenApply(o -> ApiResponse.ok(obj("id", Value.of(id.value()))));
    }

    private CompletableFuture<ApiResponse> delete(ApiRequest q) {
        TenantId tenant = tenant(q);
        DocumentId id = DocumentId.parse(q.param("document_id"));
        return engine.submit(tenant, Principal.ADMIN, new Mutation.Delete(table(q.param("table")), id))
                .thenApply(o -> ApiResponse.noContent());
    }

    private static NimbusException documentNotFound(DocumentId id) {
        return new NimbusException(ErrorCode.DOCUMENT_NOT_FOUND, "document " + id + " does not exist",
                Map.of("documentId", Value.of(id.value())));
    }

    // ---- queries ---------------------------------------------------------------------------

    private ApiResponse query(ApiRequest q) {
        TenantId tenant = tenant(q);
        Query query = QueryJson.parse(q.json());
        return ApiResponse.ok(obj("data", documents(engine.query(tenant, Principal.ADMIN, query))));
    }

    private ApiResponse queryPaginated(ApiRequest q) {
        TenantId tenant = tenant(q);
        Value.Obj body = q.json();
        if (!(body.get("query") instanceof Value.Obj query)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "\"query\" is an object");
        }
        if (!(body.get("page_size") instanceof Value.Int64 size) || size.value() < 1 || size.value() > 1000) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "\"page_size\" is an integer from 1 to 1000");
        }
        Optional<String> after = switch (body.get("after")) {
            case null -> Optional.empty();
            case Value.Null n -> Optional.empty();
            case Value.Str s -> Optional.of(s.value());
            default -> throw new NimbusException(ErrorCode.INVALID_INPUT, "\"after\" is a cursor string");
        };
        QueryRunner.Page page = engine.page(tenant, Principal.ADMIN, QueryJson.parse(query), (int) size.value(), after);
        Map<String, Value> out = new LinkedHashMap<>();
        out.put("data", documents(page.documents()));
        out.put("next_cursor", page.nextCursor().<Value>map(Value::of).orElse(Value.nullValue()));
        out.put("has_more", Value.of(page.hasMore()));
        return ApiResponse.ok(new Value.Obj(out));
    }

    // ---- schemas and journal ---------------------------------------------------------------

    private ApiResponse schemas(ApiRequest q) {
        TenantId tenant = tenant(q);
        Map<String, Value> tables = new LinkedHashMap<>();
        for (TableName t : engine.tables(tenant)) {
            engine.schema(tenant, t).ifPresent(s -> tables.put(t.value(), SchemaJson.toValue(s)));
        }
        return ApiResponse.ok(obj("tables", new Value.Obj(tables)));
    }

    private ApiResponse schema(ApiRequest q) {
        TenantId tenant = tenant(q);
        TableName table = table(q.param("table"));
        TableSchema s = engine.schema(tenant, table).orElseThrow(() -> new NimbusException(ErrorCode.SCHEMA_NOT_FOUND,
                "table " + table + " has no schema", Map.of("table", Value.of(table.value()))));
        return ApiResponse.ok(SchemaJson.toValue(s));
    }

    private ApiResponse putSchema(ApiRequest q) {
        TenantId tenant = tenant(q);
        TableName table = table(q.param("table"));
        TableSchema schema = SchemaJson.fromValue(q.json());
        if (!schema.table().equals(table)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "the schema's \"table\" (" + schema.table()
                    + ") must match the table in the path (" + table + ")");
        }
        engine.setSchema(tenant, Principal.ADMIN, schema);
        return ApiResponse.ok(SchemaJson.toValue(engine.schema(tenant, table).orElseThrow()));
    }

    private ApiResponse journal(ApiRequest q) {
        TenantId tenant = tenant(q);
        long after = longParam(q.queryParam("after"), 0, "after");
        int limit = (int) Math.min(1000, longParam(q.queryParam("limit"), 100, "limit"));
        List<JournalRecord> records = engine.journal(tenant, after, limit);
        List<Value> out = new ArrayList<>();
        for (JournalRecord r : records) {
            List<Value> writes = new ArrayList<>();
            for (JournalRecord.Write w : r.writes()) {
                Map<String, Value> m = new LinkedHashMap<>();
                m.put("table", Value.of(w.table().value()));
                m.put("id", Value.of(w.id().value()));
                m.put("op", Value.of(w.op().name().toLowerCase(java.util.Locale.ROOT)));
                m.put("document", w.after().<Value>map(Document::toObject).orElse(Value.nullValue()));
                writes.add(new Value.Obj(m));
            }
            Map<String, Value> rec = new LinkedHashMap<>();
            rec.put("version", Value.of((long) JournalRecord.VERSION));
            rec.put("sequence", Value.of(r.sequence()));
            rec.put("timestamp", Value.of(r.timestampMicros() / 1000));
            rec.put("writes", Value.array(writes));
            rec.put("scheduled_execution_id", r.scheduledExecutionId().<Value>map(Value::of).orElse(Value.nullValue()));
            out.add(new Value.Obj(rec));
        }
        long latest = engine.appliedSequence(tenant);
        long next = records.isEmpty() ? after : records.get(records.size() - 1).sequence();
        Map<String, Value> body = new LinkedHashMap<>();
        body.put("records", Value.array(out));
        body.put("next_cursor", Value.of(next));
        body.put("latest_sequence", Value.of(latest));
        body.put("cursor_floor", Value.of(0L));
        body.put("has_more", Value.of(next < latest));
        return ApiResponse.ok(new Value.Obj(body));
    }

    private ApiResponse bootstrap(ApiRequest q) {
        TenantId tenant = tenant(q);
        Engine.Bootstrap b = engine.bootstrap(tenant);
        Map<String, Value> schema = new LinkedHashMap<>();
        b.schemas().forEach((table, s) -> schema.put(table.value(), SchemaJson.toValue(s)));
        Map<String, Value> documents = new LinkedHashMap<>();
        b.documents().forEach((table, docs) -> documents.put(table.value(), documents(docs)));
        Map<String, Value> snapshot = new LinkedHashMap<>();
        snapshot.put("version", Value.of((long) JournalRecord.VERSION));
        snapshot.put("applied_sequence", Value.of(b.sequence()));
        snapshot.put("durable_head", Value.of(b.sequence()));
        snapshot.put("schema", new Value.Obj(schema));
        snapshot.put("documents", new Value.Obj(documents));
        snapshot.put("scheduled_execution_ids", Value.array(b.executionIds().stream().map(x -> (Value) Value.of(x)).toList()));
        Map<String, Value> body = new LinkedHashMap<>();
        body.put("snapshot", new Value.Obj(snapshot));
        body.put("resume_after_sequence", Value.of(b.sequence()));
        body.put("bootstrap_cut_sequence", Value.of(b.sequence()));
        body.put("cursor_floor_sequence", Value.of(0L));
        return ApiResponse.ok(new Value.Obj(body));
    }

    // ---- scheduling (Nimbus's schedule and cron routes) ------------------------------------

    private ApiResponse schedule(ApiRequest q) {
        TenantId tenant = tenant(q);
        Value.Obj body = q.json();
        if (!(body.get("run_after_ms") instanceof Value.Int64 after)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "\"run_after_ms\" is an integer (milliseconds from now)");
        }
        Mutation m = MutationJson.fromValue(body.get("mutation"));
        String id = engine.scheduler().schedule(tenant, after.value(), m);
        return ApiResponse.created(obj("job_id", Value.of(id)));
    }

    private ApiResponse jobs(ApiRequest q) {
        TenantId tenant = tenant(q);
        List<Value> out = new ArrayList<>();
        for (ScheduledJob j : engine.scheduler().pendingJobs(tenant)) {
            Map<String, Value> m = new LinkedHashMap<>();
            m.put("id", Value.of(j.id()));
            m.put("run_at", Value.of(j.runAtMillis()));
            m.put("mutation", MutationJson.toValue(j.mutation()));
            m.put("created_at", Value.of(j.createdAtMillis()));
            out.add(new Value.Obj(m));
        }
        return ApiResponse.ok(obj("jobs", Value.array(out)));
    }

    private ApiResponse jobResult(ApiRequest q) {
        TenantId tenant = tenant(q);
        String id = q.param("job_id");
        ScheduledJob j = engine.scheduler().job(tenant, id).filter(x -> !x.state().equals("pending"))
                .orElseThrow(() -> new NimbusException(ErrorCode.SCHEDULED_JOB_NOT_FOUND, "no finished job " + id,
                        Map.of("jobId", Value.of(id))));
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("id", Value.of(j.id()));
        m.put("run_at", Value.of(j.runAtMillis()));
        m.put("finished_at", j.finishedAtMillis().<Value>map(Value::of).orElse(Value.nullValue()));
        m.put("mutation", MutationJson.toValue(j.mutation()));
        m.put("outcome", Value.of(j.state()));
        m.put("error", j.error().<Value>map(Value::of).orElse(Value.nullValue()));
        return ApiResponse.ok(obj("result", new Value.Obj(m)));
    }

    private ApiResponse putCron(ApiRequest q) {
        TenantId tenant = tenant(q);
        Value.Obj body = q.json();
        String name = string(body, "name");
        if (!(body.get("schedule") instanceof Value.Obj sch) || !Value.of("interval").equals(sch.get("type"))
                || !(sch.get("seconds") instanceof Value.Int64 seconds)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT,
                    "\"schedule\" is {\"type\": \"interval\", \"seconds\": N}; interval is the only schedule type");
        }
        engine.scheduler().putCron(tenant, name, seconds.value(), MutationJson.fromValue(body.get("mutation")));
        return new ApiResponse(201, null);
    }

    private ApiResponse crons(ApiRequest q) {
        TenantId tenant = tenant(q);
        List<Value> out = new ArrayList<>();
        for (CronJob c : engine.scheduler().crons(tenant)) {
            Map<String, Value> m = new LinkedHashMap<>();
            m.put("name", Value.of(c.name()));
            m.put("schedule", new Value.Obj(Map.of("type", Value.of("interval"), "seconds", Value.of(c.intervalSeconds()))));
            m.put("mutation", MutationJson.toValue(c.mutation()));
            m.put("enabled", Value.of(c.enabled()));
            m.put("last_run", c.lastRunMillis().<Value>map(Value::of).orElse(Value.nullValue()));
            m.put("next_run", Value.of(c.nextRunMillis()));
            m.put("created_at", Value.of(c.createdAtMillis()));
            out.add(new Value.Obj(m));
        }
        return ApiResponse.ok(obj("crons", Value.array(out)));
    }

    // ---- operations ------------------------------------------------------------------------

    private ApiResponse consistency(ApiRequest q) {
        TenantId tenant = tenant(q);
        VerifyReport report = engine.verify(tenant);
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("ok", Value.of(report.ok()));
        m.put("authoritative", new Value.Obj(Map.of("documents", Value.of(report.documents()),
                "index_entries", Value.of(report.indexEntries()), "journal_records", Value.of(report.journalRecords()))));
        m.put("mismatches", Value.array(report.problems().stream().map(p -> (Value) Value.of(p)).toList()));
        return ApiResponse.ok(new Value.Obj(m));
    }

    private ApiResponse metrics(ApiRequest q) {
        TenantId tenant = tenant(q);
        var stats = engine.commitStats(tenant);
        Map<String, Value> admission = new LinkedHashMap<>();
        admission.put("queued", Value.of((long) stats.queued()));
        admission.put("shed", Value.of(stats.shed()));
        admission.put("capacity", Value.of((long) engine.limits().admissionQueueMax()));
        Map<String, Value> journal = new LinkedHashMap<>();
        journal.put("batches", Value.of(stats.batches()));
        journal.put("requests", Value.of(stats.requests()));
        journal.put("applied_head", Value.of(engine.appliedSequence(tenant)));
        journal.put("apply_nanos_total", Value.of(stats.applyNanos()));
        journal.put("commit_nanos_total", Value.of(stats.commitNanos()));
        Map<String, Value> diagnostics = new LinkedHashMap<>();
        diagnostics.put("mutation_admission", new Value.Obj(admission));
        diagnostics.put("mutation_journal", new Value.Obj(journal));
        return ApiResponse.ok(new Value.Obj(Map.of("tenant_id", Value.of(tenant.value()),
                "diagnostics", new Value.Obj(diagnostics))));
    }

    // ---- helpers ---------------------------------------------------------------------------

    static TableName table(String name) {
        return TableName.of(name);
    }

    private static long longParam(String raw, long fallback, String name) {
        if (raw == null) {
            return fallback;
        }
        try {
            long v = Long.parseLong(raw);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "query parameter " + name + " is a non-negative integer");
        }
    }

    private static Value documents(List<Document> docs) {
        List<Value> out = new ArrayList<>(docs.size());
        for (Document d : docs) {
            out.add(d.toObject());
        }
        return Value.array(out);
    }

    static String string(Value.Obj o, String field) {
        if (o.get(field) instanceof Value.Str s) {
            return s.value();
        }
        throw new NimbusException(ErrorCode.INVALID_INPUT, "\"" + field + "\" is a string");
    }

    private static <T> T fail(String message) {
        throw new NimbusException(ErrorCode.INVALID_INPUT, message);
    }

    static Value.Obj obj(String k, Value v) {
        return new Value.Obj(Map.of(k, v));
    }

}
