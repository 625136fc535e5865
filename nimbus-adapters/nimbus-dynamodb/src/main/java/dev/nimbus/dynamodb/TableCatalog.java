package dev.nimbus.dynamodb;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.transaction.Transaction;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The DynamoDB table catalog of each tenant: one document per table in the system table
 * {@code _ddb_catalog}, keyed by the table name, holding the {@link TableDefinition} as JSON.
 * Written through the engine as {@link Principal#SYSTEM}; the table's engine schema carries the
 * indexes that serve Query on the table key and on each secondary index.
 *
 * <p>Reads inside a transaction ({@link #require(Transaction, TenantId, String)}) are cached per
 * tenant by the snapshot's commit sequence: a snapshot at the same sequence holds the same
 * catalog, so a lookup at the sequence of the cached one reads nothing, whoever wrote the catalog
 * and by whichever path. A lookup at another sequence reads the entry in the caller's snapshot;
 * its stored JSON is parsed again only when it changed. A tenant dropped and created again starts
 * its sequences anew, so the cache is also keyed by the tenant's incarnation in the engine
 * ({@link Engine#lastAppliedWrite}).
 */
final class TableCatalog {
    static final TableName CATALOG = TableName.system("_ddb_catalog");
    static final String DEFINITION = "definition";
    /** The engine index over the TTL attribute, so the sweeper reads only expired items. */
    static final String TTL_INDEX = "ddb_ttl";

    /** Table names whose lookups a tenant's cache keeps per sequence; more clear it (a bound on its memory). */
    static final int CACHED_TABLES_MAX = 4096;

    private final Engine engine;
    /** Per tenant: the catalog as seen at one commit sequence. Replaced, never mutated across sequences. */
    private final ConcurrentHashMap<TenantId, AtSequence> bySequence = new ConcurrentHashMap<>();
    /** Parsed definitions by stored JSON text (the catalog entry's whole content). */
    private final ConcurrentHashMap<String, TableDefinition> parsed = new ConcurrentHashMap<>();
    private final AtomicLong catalogReads = new AtomicLong();

    /** The lookups made at one sequence: name → definition, or empty for "no such table". */
    private record AtSequence(long incarnation, long sequence,
                              ConcurrentHashMap<String, Optional<TableDefinition>> tables) {
    }

    TableCatalog(Engine engine) {
        this.engine = engine;
    }

    Optional<TableDefinition> find(TenantId tenant, String name) {
        catalogReads.incrementAndGet();
        return engine.get(tenant, Principal.SYSTEM, CATALOG, idOf(name)).map(this::definition);
    }

    TableDefinition require(TenantId tenant, String name) {
        return find(tenant, name).orElseThrow(DynamoDbException::tableNotFound);
    }

    /** The table's definition as of {@code tx}'s snapshot (cached by its sequence). */
    Optional<TableDefinition> find(Transaction tx, TenantId tenant, String name) {
        long sequence = tx.snapshotSequence();
        long incarnation = engine.lastAppliedWrite(tenant, CATALOG).incarnation();
        AtSequence at = bySequence.get(tenant);
        if (at == null || at.sequence() != sequence || at.incarnation() != incarnation) {
            // The latest reader's sequence wins; readers at other sequences never see its entries.
            at = new AtSequence(incarnation, sequence, new ConcurrentHashMap<>());
            bySequence.put(tenant, at);
        }
        Optional<TableDefinition> d = at.tables().get(name);
        if (d == null) {
            catalogReads.incrementAndGet();
            d = tx.get(CATALOG, idOf(name)).map(this::definition);
            if (at.tables().size() >= CACHED_TABLES_MAX) {
                at.tables().clear();
            }
            at.tables().put(name, d);
        }
        return d;
    }

    TableDefinition require(Transaction tx, TenantId tenant, String name) {
        return find(tx, tenant, name).orElseThrow(DynamoDbException::tableNotFound);
    }

    /** How many catalog entries were read from the engine (the rest came from the cache). */
    long catalogReads() {
        return catalogReads.get();
    }

    List<TableDefinition> list(TenantId tenant) {
        List<TableDefinition> out = new ArrayList<>();
        for (Document d : engine.query(tenant, Principal.SYSTEM, Query.all(CATALOG))) {
            out.add(definition(d));
        }
        out.sort(Comparator.comparing(TableDefinition::name));
        return out;
    }

    void create(TenantId tenant, TableDefinition t) {
        try {
            engine.mutate(tenant, Principal.SYSTEM, new Mutation.Insert(CATALOG, Optional.of(idOf(t.name())), fields(t)));
        } catch (NimbusException e) {
            if (e.code() == ErrorCode.ALREADY_EXISTS) {
                throw DynamoDbException.resourceInUse("Table already exists: " + t.name());
            }
            throw e;
        }
        engine.setSchema(tenant, Principal.SYSTEM, schema(tenant, t));
    }

    /** Replaces the definition and, when the indexes changed, the engine schema (rebuilding them). */
    void update(TenantId tenant, TableDefinition t, boolean indexesChanged) {
        if (indexesChanged) {
            engine.setSchema(tenant, Principal.SYSTEM, schema(tenant, t));
        }
        engine.mutate(tenant, Principal.SYSTEM, new Mutation.Replace(CATALOG, idOf(t.name()), fields(t)));
    }

    void delete(TenantId tenant, String name) {
        engine.mutate(tenant, Principal.SYSTEM, new Mutation.Delete(CATALOG, idOf(name)));
    }

    /** The engine schema: any fields/policy set by other surfaces stay, the ddb_ indexes are ours. */
    private TableSchema schema(TenantId tenant, TableDefinition t) {
        TableName table = TableName.of(t.name());
        Optional<TableSchema> existing = engine.schema(tenant, table);
        List<TableSchema.IndexDefinition> indexes = new ArrayList<>();
        existing.ifPresent(s -> s.indexes().stream().filter(i -> !i.name().startsWith("ddb_")).forEach(indexes::add));
        indexes.add(new TableSchema.IndexDefinition(TableDefinition.BASE_INDEX, fields(t.key()), TableSchema.IndexState.ENABLED));
        for (TableDefinition.SecondaryIndex i : t.indexes()) {
            indexes.add(new TableSchema.IndexDefinition(i.engineIndex(), fields(i.key()), TableSchema.IndexState.ENABLED));
        }
        t.ttlAttribute().ifPresent(a -> indexes.add(new TableSchema.IndexDefinition(TTL_INDEX,
                List.of(FieldPath.of(AttributeCodec.fieldName(a))), TableSchema.IndexState.ENABLED)));
        return new TableSchema(table, existing.map(TableSchema::fields).orElse(List.of()), indexes,
                existing.flatMap(TableSchema::policy));
    }

    private static List<FieldPath> fields(TableDefinition.KeySchema k) {
        return k.names().stream().map(n -> FieldPath.of(AttributeCodec.fieldName(n))).toList();
    }

    /** A stable engine index name for a DynamoDB index name (which may hold '.' and '-'). */
    static String engineIndexName(String indexName) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(indexName.getBytes(StandardCharsets.UTF_8));
            return "ddb_i_" + java.util.HexFormat.of().formatHex(h, 0, 10);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DocumentId idOf(String name) {
        return DocumentId.derivedFrom(Value.of(name));
    }

    private static Value.Obj fields(TableDefinition t) {
        return new Value.Obj(Map.of(DEFINITION, Value.of(new String(Json.write(t.toJson()), StandardCharsets.UTF_8))));
    }

    private TableDefinition definition(Document d) {
        String json = ((Value.Str) d.fields().get(DEFINITION)).value();
        TableDefinition known = parsed.get(json);
        if (known != null) {
            return known;
        }
        TableDefinition t;
        try {
            t = TableDefinition.fromJson(Json.parseObject(json.getBytes(StandardCharsets.UTF_8)));
        } catch (Json.MalformedException e) {
            throw new IllegalStateException("corrupt catalog entry for " + d.id(), e);
        }
        if (parsed.size() >= CACHED_TABLES_MAX) {
            parsed.clear();
        }
        parsed.put(json, t);
        return t;
    }
}
