package dev.nimbus.engine.transaction;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.DocumentIdGenerator;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.commit.ReadSet;
import dev.nimbus.engine.query.FilterEvaluator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A unit of reads and writes (a JS mutation, a dialect's multi-item transaction). Reads come
 * from one snapshot and are recorded; writes are staged and visible to this transaction's own
 * later reads; at commit the engine checks that nothing read has changed since the snapshot and
 * applies the writes at once, or fails the whole unit with a retryable {@code op.conflict}.
 */
public final class Transaction {
    private static final DocumentIdGenerator IDS = new DocumentIdGenerator();

    /** The snapshot side: plain reads that record into the read set. */
    public interface Reads {
        Optional<Document> get(TableName table, DocumentId id);

        List<Document> query(Query query);

        /** Orders documents by the query's effective order. */
        List<Document> order(Query query, List<Document> documents);
    }

    private record Key(TableName table, DocumentId id) {
    }

    private final Reads reads;
    private final ReadSet readSet;
    private final java.util.function.LongSupplier snapshotSequence;
    private final List<Mutation> staged = new ArrayList<>();
    // By identity: the staged inserts whose ids this transaction generated.
    private final Set<Mutation> generatedIds = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final Map<Key, Optional<Document>> overlay = new LinkedHashMap<>();

    /**
     * {@code snapshotSequence} gives the sequence of the snapshot {@code reads} reads at; a
     * provider may open that snapshot lazily, on the first read or on this call.
     */
    public Transaction(Reads reads, ReadSet readSet, java.util.function.LongSupplier snapshotSequence) {
        this.reads = reads;
        this.readSet = readSet;
        this.snapshotSequence = snapshotSequence;
    }

    public long snapshotSequence() {
        return snapshotSequence.getAsLong();
    }

    public Optional<Document> get(TableName table, DocumentId id) {
        Optional<Document> own = overlay.get(new Key(table, id));
        if (own != null) {
            return own;
        }
        return reads.get(table, id);
    }

    /** The query's result as of the snapshot with this transaction's own writes applied. */
    public List<Document> query(Query query) {
        if (overlay.keySet().stream().noneMatch(k -> k.table.equals(query.table()))) {
            return reads.query(query);
        }
        Query unlimited = new Query(query.table(), query.filter(), query.order(), java.util.OptionalInt.empty());
        List<Document> merged = new ArrayList<>();
        for (Document d : reads.query(unlimited)) {
            if (!overlay.containsKey(new Key(query.table(), d.id()))) {
                merged.add(d);
            }
        }
        for (Map.Entry<Key, Optional<Document>> e : overlay.entrySet()) {
            if (e.getKey().table.equals(query.table()) && e.getValue().isPresent()
                    && FilterEvaluator.matches(query.filter(), e.getValue().get().toObject())) {
                merged.add(e.getValue().get());
            }
        }
        List<Document> ordered = reads.order(query, merged);
        int limit = query.limit().orElse(Integer.MAX_VALUE);
        return ordered.size() > limit ? ordered.subList(0, limit) : ordered;
    }

    /** Inserts with a new generated id; reads nothing (the id cannot exist yet). */
    public DocumentId insert(TableName table, Value.Obj fields) {
        DocumentId id = IDS.next();
        long now = System.currentTimeMillis() * 1000;
        overlay.put(new Key(table, id), Optional.of(new Document(id, now, now, fields)));
        Mutation.Insert insert = new Mutation.Insert(table, Optional.of(id), fields);
        staged.add(insert);
        generatedIds.add(insert);
        return id;
    }

    /** Whether {@code m} is one of this transaction's inserts with an id it generated. */
    public boolean hasGeneratedId(Mutation m) {
        return generatedIds.contains(m);
    }

    public void insert(TableName table, DocumentId id, Value.Obj fields) {
        stage(new Mutation.Insert(table, Optional.of(id), fields), table, id,
                (before, now) -> Optional.of(new Document(id, now, now, fields)));
    }

    public void patch(TableName table, DocumentId id, Value.Obj set, Set<String> unset) {
        stage(new Mutation.Patch(table, id, set, unset), table, id, (before, now) -> before.map(b -> {
            Map<String, Value> fields = new LinkedHashMap<>(b.fields().fields());
            unset.forEach(fields::remove);
            fields.putAll(set.fields());
            return new Document(id, b.creationTimeMicros(), Math.max(now, b.creationTimeMicros()), new Value.Obj(fields));
        }));
    }

    public void replace(TableName table, DocumentId id, Value.Obj fields) {
        stage(new Mutation.Replace(table, id, fields), table, id, (before, now) -> before.map(b ->
                new Document(id, b.creationTimeMicros(), Math.max(now, b.creationTimeMicros()), fields)));
    }

    public void delete(TableName table, DocumentId id) {
        stage(new Mutation.Delete(table, id), table, id, (before, now) -> Optional.empty());
    }

    private void stage(Mutation m, TableName table, DocumentId id,
                       BiFunction<Optional<Document>, Long, Optional<Document>> effect) {
        Optional<Document> before = get(table, id);
        // The engine re-checks existence, schema and policy at commit; this is the local view.
        overlay.put(new Key(table, id), effect.apply(before, System.currentTimeMillis() * 1000));
        staged.add(m);
    }

    public List<Mutation> stagedMutations() {
        return List.copyOf(staged);
    }

    public ReadSet readSet() {
        return readSet;
    }
}
