package dev.nimbus.dynamodb;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;

/**
 * Table-level operations: CreateTable, DeleteTable, DescribeTable, ListTables, UpdateTable
 * (settings and GSI create/delete), UpdateTimeToLive, DescribeTimeToLive, DescribeEndpoints,
 * DescribeLimits, and the TTL sweep. Tables and GSIs are ACTIVE at once (DDB-DIV-004).
 */
final class TableOperations {
    static final int LSI_MAX = 5;
    static final int GSI_MAX = 20;
    static final int LIST_TABLES_LIMIT_MAX = 100;
    static final int PROJECTED_ATTRIBUTES_MAX = 100;
    static final int PURGE_PAGE = 500;
    /** DynamoDB ignores TTL values more than five years in the past. */
    static final long TTL_PAST_HORIZON_SECONDS = 5L * 365 * 24 * 3600;
    static final int TTL_SWEEP_ITEMS_MAX = 10_000;
    static final List<String> KEY_TYPES = List.of("B", "N", "S");

    private final Engine engine;
    private final TableCatalog catalog;
    private final Clock clock;

    TableOperations(Engine engine, TableCatalog catalog, Clock clock) {
        this.engine = engine;
        this.catalog = catalog;
        this.clock = clock;
    }

    static DynamoDbException notFound(String table) {
        return DynamoDbException.resourceNotFound("Requested resource not found: Table: " + table + " not found");
    }

    // ---- CreateTable -------------------------------------------------------------------------

    Map<String, Object> createTable(Call c) {
        Map<String, Object> b = c.body();
        String name = Requests.tableName(b);
        List<Object> keySchema = Requests.list(b, "KeySchema");
        if (keySchema == null) {
            throw Requests.constraint(null, "keySchema", "Member must not be null");
        }
        List<Object> defs = Requests.list(b, "AttributeDefinitions");
        if (defs == null) {
            throw Requests.constraint(null, "attributeDefinitions", "Member must not be null");
        }
        Map<String, String> types = attributeDefinitions(defs);
        TableDefinition.KeySchema key = keySchema(keySchema, types, "KeySchema");
        String billing = Requests.enumValue(b, "BillingMode", "billingMode", "PROVISIONED",
                List.of("PROVISIONED", "PAY_PER_REQUEST"));
        Map<String, Object> throughput = throughput(b, billing);
        if (name.startsWith("_")) {
            throw DynamoDbException.validation("One or more parameter values were invalid: table names starting with '_' "
                    + "are reserved by Nimbus (DDB-DIV-003)");
        }
        Set<String> used = new HashSet<>(key.names());
        List<TableDefinition.SecondaryIndex> indexes = new ArrayList<>();
        Set<String> indexNames = new HashSet<>();
        List<Object> lsis = Requests.list(b, "LocalSecondaryIndexes");
        if (lsis != null) {
            if (key.range().isEmpty()) {
                throw DynamoDbException.validation("One or more parameter values were invalid: Table KeySchema does not "
                        + "have a range key, which is required when specifying a LocalSecondaryIndex");
            }
            if (lsis.size() > LSI_MAX) {
                throw DynamoDbException.validation("One or more parameter values were invalid: Number of "
                        + "LocalSecondaryIndexes exceeds per-table limit of " + LSI_MAX);
            }
            for (Object o : lsis) {
                TableDefinition.SecondaryIndex i = index(asMap(o), types, false, billing);
                if (!i.key().hash().equals(key.hash())) {
                    throw DynamoDbException.validation("One or more parameter values were invalid: Index KeySchema does "
                            + "not have the same leading hash key as table KeySchema for index: " + i.name()
                            + ". index hash key: " + i.key().hash() + ", table hash key: " + key.hash());
                }
                if (i.key().range().isEmpty()) {
                    throw DynamoDbException.validation("One or more parameter values were invalid: Index KeySchema must have a range key");
                }
                addIndex(indexes, indexNames, i, used);
            }
        }
        List<Object> gsis = Requests.list(b, "GlobalSecondaryIndexes");
        if (gsis != null) {
            if (gsis.size() > GSI_MAX) {
                throw DynamoDbException.validation("One or more parameter values were invalid: GlobalSecondaryIndex count "
                        + "exceeds the per-table limit of " + GSI_MAX);
            }
            for (Object o : gsis) {
                addIndex(indexes, indexNames, index(asMap(o), types, true, billing), used);
            }
        }
        if (!used.containsAll(types.keySet()) || types.size() != used.size()) {
            throw DynamoDbException.validation("One or more parameter values were invalid: Number of attributes in "
                    + "KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
        }
        checkProjectedTotal(indexes);
        Map<String, Object> streams = Requests.object(b, "StreamSpecification");
        boolean protection = Boolean.TRUE.equals(Requests.bool(b, "DeletionProtectionEnabled"));
        TableDefinition t = new TableDefinition(name, UUID.randomUUID().toString(), clock.millis(), key, types, billing,
                throughput, indexes, Optional.empty(), protection, streams);
        if (catalog.find(c.tenant(), name).isPresent()) {
            throw DynamoDbException.resourceInUse("Table already exists: " + name);
        }
        catalog.create(c.tenant(), t);
        return Map.of("TableDescription", t.describe(c.region(), "ACTIVE", 0, 0));
    }

    private static void addIndex(List<TableDefinition.SecondaryIndex> indexes, Set<String> names,
                                 TableDefinition.SecondaryIndex i, Set<String> used) {
        if (!names.add(i.name())) {
            throw DynamoDbException.validation("One or more parameter values were invalid: Duplicate index name: " + i.name());
        }
        indexes.add(i);
        used.addAll(i.key().names());
    }

    private static void checkProjectedTotal(List<TableDefinition.SecondaryIndex> indexes) {
        int total = indexes.stream().mapToInt(i -> i.nonKeyAttributes().size()).sum();
        if (total > PROJECTED_ATTRIBUTES_MAX) {
            throw DynamoDbException.validation("One or more parameter values were invalid: Number of projected attributes "
                    + "in all indexes exceeds limit of " + PROJECTED_ATTRIBUTES_MAX + ", number of projected attributes:" + total);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        if (!(o instanceof Map)) {
            throw DynamoDbException.serialization("Unexpected value type in payload");
        }
        return (Map<String, Object>) o;
    }

    private static Map<String, String> attributeDefinitions(List<Object> defs) {
        Map<String, String> types = new LinkedHashMap<>();
        for (Object o : defs) {
            Map<String, Object> d = asMap(o);
            String n = Requests.string(d, "AttributeName");
            String t = Requests.string(d, "AttributeType");
            if (n == null) {
                throw Requests.constraint(null, "attributeDefinitions.member.attributeName", "Member must not be null");
            }
            if (t == null || !KEY_TYPES.contains(t)) {
                throw Requests.constraint(t, "attributeDefinitions.member.attributeType",
                        "Member must satisfy enum value set: [B, N, S]");
            }
            if (types.put(n, t) != null) {
                throw DynamoDbException.validation("Cannot have two attributes with the same name");
            }
        }
        return types;
    }

    private static TableDefinition.KeySchema keySchema(List<Object> elements, Map<String, String> types, String where) {
        if (elements.isEmpty() || elements.size() > 2) {
            throw Requests.constraint(elements, "keySchema", "Member must have length less than or equal to 2");
        }
        String hash = null;
        String range = null;
        for (int i = 0; i < elements.size(); i++) {
            Map<String, Object> e = asMap(elements.get(i));
            String n = Requests.string(e, "AttributeName");
            String kt = Requests.string(e, "KeyType");
            if (n == null) {
                throw Requests.constraint(null, "keySchema.member.attributeName", "Member must not be null");
            }
            if (!"HASH".equals(kt) && !"RANGE".equals(kt)) {
                throw Requests.constraint(kt, "keySchema.member.keyType", "Member must satisfy enum value set: [HASH, RANGE]");
            }
            if (i == 0 && !kt.equals("HASH")) {
                throw DynamoDbException.validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
            }
            if (i == 1 && !kt.equals("RANGE")) {
                throw DynamoDbException.validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
            }
            if (i == 0) {
                hash = n;
            } else {
                range = n;
            }
        }
        if (hash.equals(range)) {
            throw DynamoDbException.validation("Both the Hash Key and the Range Key element in the KeySchema have the same name");
        }
        List<String> missing = new ArrayList<>();
        for (String n : range == null ? List.of(hash) : List.of(hash, range)) {
            if (!types.containsKey(n)) {
                missing.add(n);
            }
        }
        if (!missing.isEmpty() && where.equals("KeySchema") && (range != null || types.isEmpty())) {
            // The table's own two-element (or definition-less) key schema gets DynamoDB's short form.
            throw DynamoDbException.validation("Invalid KeySchema: Some index key attribute have no definition");
        }
        if (!missing.isEmpty()) {
            throw DynamoDbException.validation("One or more parameter values were invalid: Some index key attributes are "
                    + "not defined in AttributeDefinitions. Keys: " + missing + ", AttributeDefinitions: " + types.keySet());
        }
        return new TableDefinition.KeySchema(hash, types.get(hash), Optional.ofNullable(range),
                Optional.ofNullable(range == null ? null : types.get(range)));
    }

    private TableDefinition.SecondaryIndex index(Map<String, Object> m, Map<String, String> types, boolean global,
                                                 String billing) {
        String name = Requests.tableName(Requests.string(m, "IndexName"), global
                ? "globalSecondaryIndexes.member.indexName" : "localSecondaryIndexes.member.indexName");
        List<Object> ks = Requests.list(m, "KeySchema");
        if (ks == null) {
            throw Requests.constraint(null, "keySchema", "Member must not be null");
        }
        TableDefinition.KeySchema key = keySchema(ks, types, "index");
        Map<String, Object> projection = Requests.object(m, "Projection");
        if (projection == null) {
            throw Requests.constraint(null, "projection", "Member must not be null");
        }
        String type = Requests.enumValue(projection, "ProjectionType", "projection.projectionType", "INCLUDE",
                List.of("ALL", "KEYS_ONLY", "INCLUDE"));
        List<Object> nonKey = Requests.list(projection, "NonKeyAttributes");
        List<String> attrs = nonKey == null ? List.of() : nonKey.stream().map(String::valueOf).toList();
        if (type.equals("INCLUDE") && attrs.isEmpty()) {
            throw DynamoDbException.validation("One or more parameter values were invalid: NonKeyAttributes must not be "
                    + "empty when ProjectionType is INCLUDE");
        }
        if (!type.equals("INCLUDE") && nonKey != null) {
            throw DynamoDbException.validation("One or more parameter values were invalid: ProjectionType is " + type
                    + ", but NonKeyAttributes is specified");
        }
        Map<String, Object> tp = null;
        if (global) {
            tp = Requests.object(m, "ProvisionedThroughput");
            if (billing.equals("PROVISIONED") && tp == null) {
                throw DynamoDbException.validation("One or more parameter values were invalid: ProvisionedThroughput "
                        + "should not be null for index: " + name);
            }
            if (billing.equals("PAY_PER_REQUEST") && tp != null) {
                throw DynamoDbException.validation("One or more parameter values were invalid: ProvisionedThroughput "
                        + "should not be specified for index: " + name + " when BillingMode is PAY_PER_REQUEST");
            }
        }
        return new TableDefinition.SecondaryIndex(name, global, key, type, attrs, TableCatalog.engineIndexName(name), tp);
    }

    private static Map<String, Object> throughput(Map<String, Object> b, String billing) {
        Map<String, Object> tp = Requests.object(b, "ProvisionedThroughput");
        if (billing.equals("PROVISIONED")) {
            if (tp == null || !tp.containsKey("ReadCapacityUnits") || !tp.containsKey("WriteCapacityUnits")) {
                throw DynamoDbException.validation("One or more parameter values were invalid: ReadCapacityUnits and "
                        + "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
            }
            for (String k : List.of("ReadCapacityUnits", "WriteCapacityUnits")) {
                Object v = tp.get(k);
                if (!(v instanceof BigDecimal d) || d.signum() <= 0) {
                    throw Requests.constraint(v, "provisionedThroughput." + Character.toLowerCase(k.charAt(0)) + k.substring(1),
                            "Member must have value greater than or equal to 1");
                }
            }
        } else if (tp != null) {
            throw DynamoDbException.validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                    + "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
        }
        return tp;
    }

    // ---- DeleteTable / DescribeTable / ListTables --------------------------------------------

    Map<String, Object> deleteTable(Call c) {
        String name = Requests.tableName(c.body());
        TableDefinition t = catalog.find(c.tenant(), name).orElseThrow(() -> notFound(name));
        if (t.deletionProtection()) {
            throw DynamoDbException.validation("Resource cannot be deleted as it is currently protected against deletion. "
                    + "Disable deletion protection first.");
        }
        catalog.delete(c.tenant(), name);
        purge(c.tenant(), TableName.of(name));
        return Map.of("TableDescription", t.describe(c.region(), "DELETING", 0, 0));
    }

    /** Deletes every item of a dropped table, page by page, then its engine schema. */
    private void purge(TenantId tenant, TableName table) {
        while (true) {
            List<Document> page = engine.query(tenant, Principal.SYSTEM,
                    new Query(table, Filter.all(), List.of(), OptionalInt.of(PURGE_PAGE)));
            if (page.isEmpty()) {
                break;
            }
            List<Mutation> deletes = new ArrayList<>();
            page.forEach(d -> deletes.add(new Mutation.Delete(table, d.id())));
            engine.commit(tenant, Principal.SYSTEM, deletes);
            if (page.size() < PURGE_PAGE) {
                break;
            }
        }
        try {
            engine.deleteSchema(tenant, Principal.SYSTEM, table);
        } catch (NimbusException e) {
            if (e.code() != ErrorCode.SCHEMA_NOT_FOUND) {
                throw e;
            }
        }
    }

    Map<String, Object> describeTable(Call c) {
        String name = Requests.tableName(c.body());
        TableDefinition t = catalog.find(c.tenant(), name).orElseThrow(() -> notFound(name));
        return Map.of("Table", t.describe(c.region(), "ACTIVE", 0, 0));
    }

    Map<String, Object> listTables(Call c) {
        Integer limit = Requests.integer(c.body(), "Limit");
        if (limit != null && (limit < 1 || limit > LIST_TABLES_LIMIT_MAX)) {
            throw Requests.constraint(limit, "limit", limit < 1 ? "Member must have value greater than or equal to 1"
                    : "Member must have value less than or equal to 100");
        }
        String start = Requests.string(c.body(), "ExclusiveStartTableName");
        int max = limit == null ? LIST_TABLES_LIMIT_MAX : limit;
        List<String> names = new ArrayList<>();
        boolean more = false;
        for (TableDefinition t : catalog.list(c.tenant())) {
            if (start != null && t.name().compareTo(start) <= 0) {
                continue;
            }
            if (names.size() == max) {
                more = true;
                break;
            }
            names.add(t.name());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("TableNames", names);
        if (more) {
            out.put("LastEvaluatedTableName", names.get(names.size() - 1));
        }
        return out;
    }

    // ---- UpdateTable -------------------------------------------------------------------------

    Map<String, Object> updateTable(Call c) {
        Map<String, Object> b = c.body();
        String name = Requests.tableName(b);
        TableDefinition t = catalog.find(c.tenant(), name).orElseThrow(() -> notFound(name));
        List<Object> updates = Requests.list(b, "GlobalSecondaryIndexUpdates");
        boolean settings = b.containsKey("BillingMode") || b.containsKey("ProvisionedThroughput")
                || b.containsKey("StreamSpecification") || b.containsKey("DeletionProtectionEnabled");
        if ((updates == null || updates.isEmpty()) && !settings) {
            throw DynamoDbException.validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                    + "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
        }
        String billing = Requests.enumValue(b, "BillingMode", "billingMode", t.billingMode(),
                List.of("PROVISIONED", "PAY_PER_REQUEST"));
        Map<String, Object> tp = b.containsKey("ProvisionedThroughput") || !billing.equals(t.billingMode())
                ? throughput(b, billing) : t.throughput();
        Boolean protection = Requests.bool(b, "DeletionProtectionEnabled");
        Map<String, Object> streams = b.containsKey("StreamSpecification") ? Requests.object(b, "StreamSpecification")
                : t.streamSpecification();
        TableDefinition next = t.withSettings(billing, tp, protection == null ? t.deletionProtection() : protection, streams);
        boolean indexesChanged = false;
        if (updates != null && !updates.isEmpty()) {
            if (updates.size() > 1) {
                throw DynamoDbException.validation("Subscriber limit exceeded: Only 1 online index can be created or "
                        + "deleted simultaneously per table");
            }
            Map<String, Object> u = asMap(updates.get(0));
            Map<String, String> types = new LinkedHashMap<>(t.attributeTypes());
            List<Object> defs = Requests.list(b, "AttributeDefinitions");
            if (defs != null) {
                for (Map.Entry<String, String> e : attributeDefinitions(defs).entrySet()) {
                    String prior = types.putIfAbsent(e.getKey(), e.getValue());
                    if (prior != null && !prior.equals(e.getValue())) {
                        throw DynamoDbException.validation("One or more parameter values were invalid: Attribute "
                                + e.getKey() + " is already defined with type " + prior);
                    }
                }
            }
            List<TableDefinition.SecondaryIndex> indexes = new ArrayList<>(t.indexes());
            if (u.containsKey("Create")) {
                TableDefinition.SecondaryIndex i = index(asMap(u.get("Create")), types, true, billing);
                if (t.index(i.name()).isPresent()) {
                    throw DynamoDbException.validation("One or more parameter values were invalid: Index with name: "
                            + i.name() + " already exists");
                }
                if (indexes.stream().filter(TableDefinition.SecondaryIndex::global).count() >= GSI_MAX) {
                    throw DynamoDbException.validation("One or more parameter values were invalid: GlobalSecondaryIndex "
                            + "count exceeds the per-table limit of " + GSI_MAX);
                }
                indexes.add(i);
                checkProjectedTotal(indexes);
            } else if (u.containsKey("Delete")) {
                String indexName = Requests.string(asMap(u.get("Delete")), "IndexName");
                TableDefinition.SecondaryIndex i = t.index(indexName).filter(TableDefinition.SecondaryIndex::global)
                        .orElseThrow(() -> DynamoDbException.resourceNotFound("Requested resource not found: Index: "
                                + indexName + " not found"));
                indexes.remove(i);
            } else if (u.containsKey("Update")) {
                String indexName = Requests.string(asMap(u.get("Update")), "IndexName");
                t.index(indexName).filter(TableDefinition.SecondaryIndex::global)
                        .orElseThrow(() -> DynamoDbException.resourceNotFound("Requested resource not found: Index: "
                                + indexName + " not found"));
            } else {
                throw DynamoDbException.validation("One or more parameter values were invalid: One of Create, Update or "
                        + "Delete must be specified in a GlobalSecondaryIndexUpdate");
            }
            Set<String> used = new HashSet<>(t.key().names());
            indexes.forEach(i -> used.addAll(i.key().names()));
            types.keySet().retainAll(used);
            next = next.withIndexes(indexes, types);
            indexesChanged = true;
        }
        catalog.update(c.tenant(), next, indexesChanged);
        return Map.of("TableDescription", next.describe(c.region(), "ACTIVE", 0, 0));
    }

    // ---- TTL ---------------------------------------------------------------------------------

    Map<String, Object> updateTimeToLive(Call c) {
        String name = Requests.tableName(c.body());
        Map<String, Object> spec = Requests.object(c.body(), "TimeToLiveSpecification");
        if (spec == null) {
            throw Requests.constraint(null, "timeToLiveSpecification", "Member must not be null");
        }
        Boolean enabled = Requests.bool(spec, "Enabled");
        String attribute = Requests.string(spec, "AttributeName");
        if (enabled == null) {
            throw Requests.constraint(null, "timeToLiveSpecification.enabled", "Member must not be null");
        }
        if (attribute == null || attribute.isEmpty() || attribute.length() > 255) {
            throw Requests.constraint(attribute, "timeToLiveSpecification.attributeName",
                    "Member must have length greater than or equal to 1");
        }
        TableDefinition t = catalog.find(c.tenant(), name).orElseThrow(() -> notFound(name));
        if (enabled && t.ttlAttribute().isPresent()) {
            throw DynamoDbException.validation("TimeToLive is already enabled");
        }
        if (!enabled) {
            if (t.ttlAttribute().isEmpty()) {
                throw DynamoDbException.validation("TimeToLive is already disabled");
            }
            if (!t.ttlAttribute().get().equals(attribute)) {
                throw DynamoDbException.validation("TimeToLive is active on a different AttributeName: current name: "
                        + t.ttlAttribute().get());
            }
        }
        catalog.update(c.tenant(), t.withTtl(enabled ? Optional.of(attribute) : Optional.empty()), true);
        return Map.of("TimeToLiveSpecification", TableDefinition.map("Enabled", enabled, "AttributeName", attribute));
    }

    Map<String, Object> describeTimeToLive(Call c) {
        String name = Requests.tableName(c.body());
        TableDefinition t = catalog.find(c.tenant(), name).orElseThrow(() -> notFound(name));
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("TimeToLiveStatus", t.ttlAttribute().isPresent() ? "ENABLED" : "DISABLED");
        t.ttlAttribute().ifPresent(a -> d.put("AttributeName", a));
        return Map.of("TimeToLiveDescription", d);
    }

    /** Deletes items whose TTL attribute (epoch seconds) has passed, through the engine. */
    int sweepExpired(TenantId tenant) {
        if (!engine.tenantExists(tenant)) {
            return 0;
        }
        long now = clock.millis() / 1000;
        int deleted = 0;
        for (TableDefinition t : catalog.list(tenant)) {
            if (t.ttlAttribute().isEmpty()) {
                continue;
            }
            TableName table = TableName.of(t.name());
            FieldPath field = FieldPath.of(AttributeCodec.fieldName(t.ttlAttribute().get()));
            Filter expired = Filter.and(
                    new Filter.Compare(field, Filter.Op.LT, new Value.Decimal(BigDecimal.valueOf(now))),
                    new Filter.Compare(field, Filter.Op.GTE, new Value.Decimal(BigDecimal.valueOf(now - TTL_PAST_HORIZON_SECONDS))),
                    new Filter.TypeIs(field, Set.of(Value.Kind.DECIMAL)));
            List<Document> docs = engine.query(tenant, Principal.SYSTEM, new Query(table, expired, List.of(),
                    OptionalInt.of(TTL_SWEEP_ITEMS_MAX - deleted)));
            for (Document d : docs) {
                // Re-checked inside the transaction: an item rewritten since the read is left alone.
                boolean gone = engine.transact(tenant, Principal.SYSTEM, tx -> {
                    Optional<Document> now2 = tx.get(table, d.id());
                    if (now2.isPresent() && now2.get().updateTimeMicros() == d.updateTimeMicros()) {
                        tx.delete(table, d.id());
                        return true;
                    }
                    return false;
                });
                deleted += gone ? 1 : 0;
            }
            if (deleted >= TTL_SWEEP_ITEMS_MAX) {
                break;
            }
        }
        return deleted;
    }

    // ---- endpoints and limits ------------------------------------------------------------------

    Map<String, Object> describeEndpoints(Call c) {
        return Map.of("Endpoints", List.of(TableDefinition.map("Address", c.host(), "CachePeriodInMinutes", 1440L)));
    }

    Map<String, Object> describeLimits(Call c) {
        return TableDefinition.map("AccountMaxReadCapacityUnits", 80000L, "AccountMaxWriteCapacityUnits", 80000L,
                "TableMaxReadCapacityUnits", 40000L, "TableMaxWriteCapacityUnits", 40000L);
    }
}
