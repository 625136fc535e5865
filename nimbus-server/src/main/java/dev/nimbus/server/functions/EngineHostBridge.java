package dev.nimbus.server.functions;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.DocumentIdGenerator;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.query.QueryRunner;
import dev.nimbus.engine.transaction.Transaction;
import dev.nimbus.runtime.FunctionKind;
import dev.nimbus.runtime.HostBridge;
import dev.nimbus.runtime.Invocation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link HostBridge} of one invocation, bound to its tenant and principal at construction:
 * every call names only tables and ids, never a tenant, so nothing else is reachable. Reads and
 * writes of queries and mutations go through the invocation's engine {@link Transaction}
 * (snapshot reads recorded in its read set, staged writes committed once by the engine with the
 * same validation, policies, journal and fan-out as an HTTP write). Actions have no transaction:
 * they reach data only by running queries and mutations.
 *
 * <p>A mutation may first run <em>blind</em> ({@link #blind}): without a transaction or snapshot,
 * staging inserts (and scheduled jobs) only. The first call that needs the snapshot (a read, a
 * patch, replace or delete of an existing document, a job cancellation) marks the bridge
 * {@link #snapshotNeeded()} and fails; the caller then discards that run, whatever it returned,
 * and runs the mutation again in an engine transaction.
 */
final class EngineHostBridge implements HostBridge {
    private static final DocumentIdGenerator IDS = new DocumentIdGenerator();
    private final FunctionService service;
    private final Engine engine;
    private final Invocation invocation;
    private final Principal principal;
    private final Transaction tx;
    private final List<FunctionJobs.Job> staged = new ArrayList<>();
    /** Blind mode's staged inserts; null for a bridge with a transaction (or an action's). */
    private final List<Mutation> blindWrites;
    private boolean snapshotNeeded;

    EngineHostBridge(FunctionService service, Engine engine, Invocation invocation, Principal principal, Transaction tx) {
        this(service, engine, invocation, principal, tx, null);
    }

    private EngineHostBridge(FunctionService service, Engine engine, Invocation invocation, Principal principal,
                             Transaction tx, List<Mutation> blindWrites) {
        this.service = service;
        this.engine = engine;
        this.invocation = invocation;
        this.principal = principal;
        this.tx = tx;
        this.blindWrites = blindWrites;
    }

    /** A bridge for a mutation's blind run: inserts are staged without a snapshot; reads end the run. */
    static EngineHostBridge blind(FunctionService service, Engine engine, Invocation invocation, Principal principal) {
        if (invocation.kind() != FunctionKind.MUTATION) {
            throw new IllegalArgumentException("only mutations run blind");
        }
        return new EngineHostBridge(service, engine, invocation, principal, null, new ArrayList<>());
    }

    /** True once a blind run asked for something only a transaction can give: re-run it in one. */
    boolean snapshotNeeded() {
        return snapshotNeeded;
    }

    /** A blind run's staged inserts, in order. */
    List<Mutation> blindWrites() {
        return List.copyOf(blindWrites);
    }

    private NimbusException needSnapshot() {
        snapshotNeeded = true;
        return new NimbusException(ErrorCode.CONFLICT, "this mutation reads: it is run again in a transaction");
    }

    /** Jobs a mutation scheduled; written once its transaction has committed. */
    List<FunctionJobs.Job> stagedJobs() {
        return List.copyOf(staged);
    }

    private Transaction tx() {
        if (blindWrites != null) {
            throw needSnapshot();
        }
        if (tx == null) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "actions have no ctx.db; use ctx.runQuery or ctx.runMutation");
        }
        return tx;
    }

    private Transaction writableTx() {
        if (invocation.kind() != FunctionKind.MUTATION) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "only mutations write; queries are read-only");
        }
        return tx();
    }

    private static DocumentId id(String id) {
        try {
            return DocumentId.parse(id);
        } catch (RuntimeException e) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "'" + id + "' is not a document id");
        }
    }

    /** The table holding {@code id}, for Convex's table-less db.get/patch/replace/delete. */
    private Optional<TableName> locate(Optional<String> table, DocumentId id) {
        if (table.isPresent()) {
            return Optional.of(TableName.of(table.get()));
        }
        for (TableName t : engine.tables(invocation.tenant())) {
            if (tx().get(t, id).isPresent()) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<Value.Obj> get(Optional<String> table, String id) {
        DocumentId docId = id(id);
        Optional<TableName> t = locate(table, docId);
        return t.flatMap(name -> tx().get(name, docId)).map(Document::toObject);
    }

    @Override
    public List<String> indexFields(String table, String index) {
        Optional<TableSchema> schema = engine.schema(invocation.tenant(), TableName.of(table));
        return schema.flatMap(s -> s.index(index)).map(i -> i.fields().stream().map(FieldPath::toString).toList())
                .orElseThrow(() -> new NimbusException(ErrorCode.MISSING_INDEX, "table " + table + " has no index '"
                        + index + "'; declare it in the table's schema", Map.of("table", Value.of(table),
                        "index", Value.of(index))));
    }

    @Override
    public List<Value.Obj> query(Query query) {
        return tx().query(query).stream().map(Document::toObject).toList();
    }

    @Override
    public Page paginate(Query query, int numItems, Optional<String> cursor) {
        // Pages read the applied state, not the snapshot: record the whole table so a
        // subscription or a mutation's commit check still sees every write that could matter.
        tx().readSet().tableScan(query.table());
        QueryRunner.Page page = engine.page(invocation.tenant(), principal, query, numItems, cursor);
        return new Page(page.documents().stream().map(Document::toObject).toList(), page.nextCursor(), !page.hasMore());
    }

    @Override
    public String insert(String table, Value.Obj fields) {
        if (blindWrites != null) {
            TableName name = TableName.of(table);
            DocumentId id = IDS.next();
            blindWrites.add(new Mutation.Insert(name, Optional.of(id), fields));
            return id.value();
        }
        return writableTx().insert(TableName.of(table), fields).value();
    }

    @Override
    public void patch(Optional<String> table, String id, Value.Obj fields, List<String> unset) {
        DocumentId docId = id(id);
        TableName t = existing(table, docId);
        writableTx().patch(t, docId, fields, Set.copyOf(unset));
    }

    @Override
    public void replace(Optional<String> table, String id, Value.Obj fields) {
        DocumentId docId = id(id);
        writableTx().replace(existing(table, docId), docId, fields);
    }

    @Override
    public void delete(Optional<String> table, String id) {
        DocumentId docId = id(id);
        writableTx().delete(existing(table, docId), docId);
    }

    private TableName existing(Optional<String> table, DocumentId id) {
        writableTx();
        return locate(table, id).orElseThrow(() -> new NimbusException(ErrorCode.DOCUMENT_NOT_FOUND,
                "document " + id.value() + " does not exist", Map.of("id", Value.of(id.value()))));
    }

    @Override
    public String runAfter(long delayMillis, String name, Value args) {
        if (delayMillis < 0) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "runAfter needs a delay >= 0 ms");
        }
        return schedule(System.currentTimeMillis() + delayMillis, name, args);
    }

    @Override
    public String runAt(long timestampMillis, String name, Value args) {
        return schedule(timestampMillis, name, args);
    }

    private String schedule(long runAtMillis, String name, Value args) {
        FunctionJobs.Job job = service.jobs().prepare(invocation.deployment(), runAtMillis, name, args);
        if (invocation.kind() == FunctionKind.MUTATION) {
            staged.add(job); // created only if the mutation commits
        } else {
            service.jobs().create(invocation.tenant(), List.of(job));
        }
        return job.id().value();
    }

    @Override
    public void cancel(String jobId) {
        if (blindWrites != null) {
            throw needSnapshot(); // cancelling is immediate: never twice for one call
        }
        service.jobs().cancel(invocation.tenant(), jobId);
    }

    @Override
    public Optional<Value.Obj> userIdentity() {
        if (principal.kind() != Principal.Kind.USER) {
            return Optional.empty();
        }
        java.util.Map<String, Value> claims = new java.util.LinkedHashMap<>(principal.claims().fields());
        claims.put("subject", Value.of(principal.subject()));
        claims.putIfAbsent("tokenIdentifier", Value.of(principal.subject()));
        return Optional.of(new Value.Obj(claims));
    }

    @Override
    public Value run(FunctionKind kind, String name, Value args) {
        return service.run(invocation.nested(name, kind, args), principal).value();
    }

    @Override
    public FetchResponse fetch(String url, String method, Map<String, String> headers, Optional<String> body) {
        return service.fetcher().fetch(url, method, headers, body);
    }

    @Override
    public Optional<String> environmentVariable(String name) {
        return service.environment(invocation.tenant(), name);
    }
}
