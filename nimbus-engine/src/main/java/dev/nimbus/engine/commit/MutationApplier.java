package dev.nimbus.engine.commit;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.DocumentIdGenerator;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.index.IndexKeys;
import dev.nimbus.engine.schema.PolicyCache;
import dev.nimbus.engine.schema.SchemaValidator;
import dev.nimbus.storage.DocumentScan;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.StorageLimits;
import dev.nimbus.storage.WriteTransaction;
import dev.nimbus.storage.format.DocumentCodec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one commit request into storage writes inside the batch's write transaction. Every
 * check (existence, schema, policy, limits, conflicts) runs first against a request-local
 * overlay; only a request that passed them all touches the transaction, so a rejected request
 * leaves no trace and never spoils the other requests of its batch.
 */
final class MutationApplier {
    static final TableName EXECUTIONS = TableName.system("_executions");

    private final WriteTransaction tx;
    private final WriterState state;
    private final PolicyCache policies;
    private final DocumentIdGenerator ids;

    /** State owned by the tenant's writer across batches. */
    static final class WriterState {
        final Map<TableName, Optional<TableSchema>> schemas = new HashMap<>();
        final RecentWrites recent;
        // Writes accepted earlier in the current batch: committed before any later request of
        // the batch, so conflict checks must see them too.
        final List<CommittedWrite> batch = new ArrayList<>();
        long lastMicros;

        WriterState(RecentWrites recent) {
            this.recent = recent;
        }

        long nextMicros() {
            long now = Math.multiplyExact(System.currentTimeMillis(), 1000L);
            lastMicros = Math.max(now, lastMicros + 1);
            return lastMicros;
        }
    }

    record Applied(CommitOutcome outcome, List<CommittedWrite> writes) {
    }

    private record Key(TableName table, DocumentId id) {
    }

    /**
     * One mutation's effect on one document, in request order; {@code encoded} is the stored
     * encoding of {@code after}'s fields when the caller made it.
     */
    private record Step(TableName table, DocumentId id, Optional<Document> before, Optional<Document> after,
                        Optional<String> encoded) {
        Step(TableName table, DocumentId id, Optional<Document> before, Optional<Document> after) {
            this(table, id, before, after, Optional.empty());
        }
    }

    MutationApplier(WriteTransaction tx, WriterState state, PolicyCache policies, DocumentIdGenerator ids) {
        this.tx = tx;
        this.state = state;
        this.policies = policies;
        this.ids = ids;
    }

    Optional<TableSchema> schema(TableName table) {
        return state.schemas.computeIfAbsent(table, tx::schema);
    }

    Applied apply(CommitRequest request) {
        if (request.reads().isPresent()) {
            Optional<Long> conflict = state.recent.firstConflict(request.snapshotSequence(), request.reads().get());
            if (conflict.isEmpty()) {
                for (CommittedWrite w : state.batch) {
                    if (request.reads().get().conflictsWith(w)) {
                        conflict = Optional.of(w.sequence());
                        break;
                    }
                }
            }
            if (conflict.isPresent()) {
                throw new NimbusException(ErrorCode.CONFLICT, "a document this transaction read was changed"
                        + " by another commit; retry the transaction", Map.of(
                        "conflictingSequence", Value.of(conflict.get()), "retryability", Value.of("retryable")));
            }
        }
        if (request.executionId().isPresent() && tx.get(EXECUTIONS, executionDoc(request.executionId().get())).isPresent()) {
            return new Applied(new CommitOutcome(tx.lastSequence(), List.of(), true), List.of());
        }
        List<Operation> ops = request.operations();
        if (ops.size() == 1 && !(ops.get(0) instanceof Operation.Write)) {
            applySchemaChange(ops.get(0), request.principal());
            return new Applied(new CommitOutcome(tx.lastSequence(), List.of(), false), List.of());
        }

        // 1. Validate every mutation against the overlay, in order.
        Map<Key, Optional<Document>> overlay = new HashMap<>();
        List<Step> steps = new ArrayList<>();
        for (Operation op : ops) {
            if (!(op instanceof Operation.Write w)) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "a schema change cannot be combined with other writes");
            }
            steps.add(step(w, request.principal(), overlay));
        }
        if (request.executionId().isPresent()) {
            long now = state.nextMicros();
            DocumentId marker = executionDoc(request.executionId().get());
            steps.add(new Step(EXECUTIONS, marker, Optional.empty(), Optional.of(new Document(marker, now, now,
                    new Value.Obj(Map.of("execution_id", Value.of(request.executionId().get())))))));
        }

        // 2. Per document: first before, last after, and the index keys of both.
        Map<Key, CommittedWriteDraft> perDocument = new LinkedHashMap<>();
        for (Step s : steps) {
            CommittedWriteDraft d = perDocument.computeIfAbsent(new Key(s.table, s.id),
                    k -> new CommittedWriteDraft(s.table, s.id, s.before));
            d.after = s.after;
            d.encoded = s.encoded;
        }
        for (CommittedWriteDraft d : perDocument.values()) {
            d.computeKeys(schema(d.table));
        }

        // 3. Write: documents, index entries, one journal record per mutation.
        long sequence = tx.lastSequence();
        long timestamp = state.nextMicros();
        for (CommittedWriteDraft d : perDocument.values()) {
            d.writeTo(tx);
        }
        List<DocumentId> touched = new ArrayList<>();
        int mutations = ops.size();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (i >= mutations) {
                break; // the execution marker rides in the last mutation's record
            }
            List<JournalRecord.Write> writes = new ArrayList<>();
            writes.add(journalWrite(s));
            if (i == mutations - 1 && steps.size() > mutations) {
                writes.add(journalWrite(steps.get(mutations)));
            }
            tx.appendJournal(new JournalRecord(++sequence, timestamp, writes, request.executionId()));
            touched.add(s.id);
        }
        List<CommittedWrite> committed = new ArrayList<>();
        for (CommittedWriteDraft d : perDocument.values()) {
            committed.add(new CommittedWrite(sequence, d.table, d.id, d.before, d.after, d.beforeKeys, d.afterKeys));
        }
        state.batch.addAll(committed);
        return new Applied(new CommitOutcome(sequence, touched, false), committed);
    }

    static DocumentId executionDoc(String executionId) {
        return DocumentId.derivedFrom(Value.of(executionId));
    }

    private static JournalRecord.Write journalWrite(Step s) {
        JournalRecord.Op op = s.after.isEmpty() ? JournalRecord.Op.DELETE
                : s.before.isEmpty() ? JournalRecord.Op.INSERT : JournalRecord.Op.UPDATE;
        return new JournalRecord.Write(s.table, s.id, op, s.after);
    }

    private Optional<Document> current(Map<Key, Optional<Document>> overlay, TableName table, DocumentId id) {
        Key k = new Key(table, id);
        Optional<Document> o = overlay.get(k);
        return o != null ? o : tx.get(table, id);
    }

    private Step step(Operation.Write write, Principal principal, Map<Key, Optional<Document>> overlay) {
        Mutation m = write.mutation();
        if (m.table().isSystem() && principal.kind() != Principal.Kind.SYSTEM) {
            throw new NimbusException(ErrorCode.FORBIDDEN, "table " + m.table() + " is reserved for Nimbus");
        }
        Step s = switch (m) {
            case Mutation.Insert ins -> {
                DocumentId id = ins.id().orElseGet(ids::next);
                // A generated id is new by construction; only a caller-chosen id needs a lookup.
                if (ins.id().isPresent() && !write.generatedId() && current(overlay, ins.table(), id).isPresent()) {
                    throw new NimbusException(ErrorCode.ALREADY_EXISTS, "document " + id + " already exists in table "
                            + ins.table(), Map.of("documentId", Value.of(id.value())));
                }
                long now = state.nextMicros();
                yield new Step(ins.table(), id, Optional.empty(), Optional.of(new Document(id, now, now, ins.fields())),
                        write.encodedFields());
            }
            case Mutation.Patch p -> {
                Document before = existing(overlay, p.table(), p.id());
                Map<String, Value> fields = new LinkedHashMap<>(before.fields().fields());
                for (String f : p.unset()) {
                    fields.remove(f);
                }
                fields.putAll(p.set().fields());
                yield new Step(p.table(), p.id(), Optional.of(before), Optional.of(new Document(p.id(),
                        before.creationTimeMicros(), state.nextMicros(), new Value.Obj(fields))));
            }
            case Mutation.Replace r -> {
                Document before = existing(overlay, r.table(), r.id());
                yield new Step(r.table(), r.id(), Optional.of(before), Optional.of(new Document(r.id(),
                        before.creationTimeMicros(), state.nextMicros(), r.fields())), write.encodedFields());
            }
            case Mutation.Delete d -> {
                Document before = existing(overlay, d.table(), d.id());
                yield new Step(d.table(), d.id(), Optional.of(before), Optional.empty());
            }
        };
        Optional<TableSchema> schema = schema(s.table);
        if (s.after.isPresent()) {
            schema.ifPresent(sc -> SchemaValidator.validate(sc, s.after.get().fields()));
            if (s.encoded.isEmpty()) {
                checkSize(s.after.get()); // an encoding made by the caller was checked then
            }
        }
        if (!principal.bypassesPolicies() && !policies.of(schema).allowsWrite(principal,
                s.before.map(Document::toObject).orElse(null), s.after.map(Document::toObject).orElse(null))) {
            throw new NimbusException(ErrorCode.PERMISSION_DENIED, "the access policy of table " + s.table
                    + " does not allow this write", Map.of("table", Value.of(s.table.value())));
        }
        overlay.put(new Key(s.table, s.id), s.after);
        return s;
    }

    private Document existing(Map<Key, Optional<Document>> overlay, TableName table, DocumentId id) {
        return current(overlay, table, id).orElseThrow(() -> new NimbusException(ErrorCode.DOCUMENT_NOT_FOUND,
                "document " + id + " does not exist in table " + table, Map.of("documentId", Value.of(id.value()))));
    }

    /** Refuses oversized documents before they reach storage (where a refusal would spoil the batch). */
    private static void checkSize(Document d) {
        if (JsonSizeBound.of(d.fields()) > StorageLimits.DOCUMENT_BYTES_MAX) {
            DocumentCodec.encodeBody(d.fields()); // exact check; throws op.invalid_input when over
        }
    }

    /** A document's net change within one request, with its index keys. */
    private static final class CommittedWriteDraft {
        final TableName table;
        final DocumentId id;
        final Optional<Document> before;
        Optional<Document> after = Optional.empty();
        Optional<String> encoded = Optional.empty();
        final Map<String, byte[]> beforeKeys = new HashMap<>();
        final Map<String, byte[]> afterKeys = new HashMap<>();

        CommittedWriteDraft(TableName table, DocumentId id, Optional<Document> before) {
            this.table = table;
            this.id = id;
            this.before = before;
        }

        void computeKeys(Optional<TableSchema> schema) {
            for (TableSchema.IndexDefinition index : schema.map(TableSchema::indexes).orElse(List.of())) {
                before.ifPresent(d -> beforeKeys.put(index.name(), IndexKeys.key(index, d.toObject())));
                if (after.isPresent()) {
                    byte[] key = IndexKeys.key(index, after.get().toObject());
                    checkKey(index, key);
                    afterKeys.put(index.name(), key);
                }
            }
        }

        void writeTo(WriteTransaction tx) {
            if (after.isPresent()) {
                tx.ensureTable(table);
                // An insert is checked absent, or has a fresh generated id.
                if (encoded.isPresent()) {
                    if (before.isEmpty()) {
                        tx.insertDocument(table, after.get(), encoded.get());
                    } else {
                        tx.putDocument(table, after.get(), encoded.get());
                    }
                } else if (before.isEmpty()) {
                    tx.insertDocument(table, after.get());
                } else {
                    tx.putDocument(table, after.get());
                }
            } else if (before.isPresent()) {
                tx.deleteDocument(table, id);
            }
            for (Map.Entry<String, byte[]> e : beforeKeys.entrySet()) {
                byte[] next = afterKeys.get(e.getKey());
                if (next == null || !Arrays.equals(next, e.getValue())) {
                    tx.deleteIndexEntry(table, e.getKey(), e.getValue(), id);
                }
            }
            for (Map.Entry<String, byte[]> e : afterKeys.entrySet()) {
                byte[] prev = beforeKeys.get(e.getKey());
                if (prev == null || !Arrays.equals(prev, e.getValue())) {
                    tx.putIndexEntry(table, e.getKey(), e.getValue(), id);
                }
            }
        }
    }

    static void checkKey(TableSchema.IndexDefinition index, byte[] key) {
        if (key.length > StorageLimits.INDEX_KEY_BYTES_MAX) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "the values indexed by " + index.name() + " take "
                    + key.length + " bytes; an index key is limited to " + StorageLimits.INDEX_KEY_BYTES_MAX);
        }
    }

    // ---- schema changes ------------------------------------------------------------------

    private void applySchemaChange(Operation op, Principal principal) {
        if (!principal.bypassesPolicies()) {
            throw new NimbusException(ErrorCode.PERMISSION_DENIED, "only an admin may change schemas");
        }
        switch (op) {
            case Operation.SetSchema set -> setSchema(set.schema(), principal);
            case Operation.DeleteSchema del -> {
                Optional<TableSchema> old = schema(del.table());
                if (old.isEmpty()) {
                    throw new NimbusException(ErrorCode.SCHEMA_NOT_FOUND, "table " + del.table() + " has no schema",
                            Map.of("table", Value.of(del.table().value())));
                }
                for (TableSchema.IndexDefinition index : old.get().indexes()) {
                    tx.dropIndex(del.table(), index.name());
                }
                tx.deleteSchema(del.table());
                state.schemas.put(del.table(), Optional.empty());
            }
            case Operation.Write w -> throw new IllegalStateException("not a schema change");
        }
    }

    private void setSchema(TableSchema requested, Principal principal) {
        TableName table = requested.table();
        if (table.isSystem() && principal.kind() != Principal.Kind.SYSTEM) {
            throw new NimbusException(ErrorCode.FORBIDDEN, "table " + table + " is reserved for Nimbus");
        }
        policies.of(Optional.of(requested)); // compiles the rules: bad rules are op.invalid_input
        List<TableSchema.IndexDefinition> indexes = new ArrayList<>();
        for (TableSchema.IndexDefinition i : requested.indexes()) {
            indexes.add(new TableSchema.IndexDefinition(i.name(), i.fields(), TableSchema.IndexState.ENABLED));
        }
        TableSchema schema = new TableSchema(table, requested.fields(), indexes, requested.policy());
        Optional<TableSchema> old = schema(table);
        Map<String, TableSchema.IndexDefinition> oldIndexes = new HashMap<>();
        old.ifPresent(o -> o.indexes().forEach(i -> oldIndexes.put(i.name(), i)));

        // Compute every new index's entries before writing anything (limits are checked here).
        List<TableSchema.IndexDefinition> rebuild = new ArrayList<>();
        for (TableSchema.IndexDefinition i : indexes) {
            TableSchema.IndexDefinition prior = oldIndexes.get(i.name());
            if (prior == null || !prior.fields().equals(i.fields())) {
                rebuild.add(i);
            }
        }
        Map<String, List<Map.Entry<byte[], DocumentId>>> entries = new HashMap<>();
        if (!rebuild.isEmpty()) {
            Optional<DocumentId> after = Optional.empty();
            while (true) {
                List<Document> page = tx.scanDocuments(table, new DocumentScan(after, false, 1000));
                for (Document d : page) {
                    Value.Obj view = d.toObject();
                    for (TableSchema.IndexDefinition i : rebuild) {
                        byte[] key = IndexKeys.key(i, view);
                        checkKey(i, key);
                        entries.computeIfAbsent(i.name(), n -> new ArrayList<>()).add(Map.entry(key, d.id()));
                    }
                }
                if (page.size() < 1000) {
                    break;
                }
                after = Optional.of(page.get(page.size() - 1).id());
            }
        }
        tx.ensureTable(table);
        for (TableSchema.IndexDefinition prior : oldIndexes.values()) {
            boolean kept = indexes.stream().anyMatch(i -> i.name().equals(prior.name()) && i.fields().equals(prior.fields()));
            if (!kept) {
                tx.dropIndex(table, prior.name());
            }
        }
        for (TableSchema.IndexDefinition i : rebuild) {
            for (Map.Entry<byte[], DocumentId> e : entries.getOrDefault(i.name(), List.of())) {
                tx.putIndexEntry(table, i.name(), e.getKey(), e.getValue());
            }
        }
        tx.putSchema(schema);
        state.schemas.put(table, Optional.of(schema));
    }
}
