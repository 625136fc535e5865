package dev.nimbus.dynamodb;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the catalog knows of one DynamoDB table: key schema, attribute definitions, secondary
 * indexes (each backed by an engine index), billing settings echoed back, TTL and deletion
 * protection. Stored as JSON in the catalog table.
 */
public record TableDefinition(String name, String tableId, long creationMillis, KeySchema key,
                              Map<String, String> attributeTypes, String billingMode, Map<String, Object> throughput,
                              List<SecondaryIndex> indexes, Optional<String> ttlAttribute, boolean deletionProtection,
                              Map<String, Object> streamSpecification) {

    /** The engine index serving Query on the table's own key. */
    public static final String BASE_INDEX = "ddb_table";

    public TableDefinition {
        attributeTypes = Map.copyOf(attributeTypes);
        throughput = throughput == null ? null : new LinkedHashMap<>(throughput);
        indexes = List.copyOf(indexes);
    }

    /** A table's or an index's key: partition (HASH) attribute and optional sort (RANGE) attribute. */
    public record KeySchema(String hash, String hashType, Optional<String> range, Optional<String> rangeType) {
        public List<String> names() {
            return range.map(r -> List.of(hash, r)).orElse(List.of(hash));
        }

        public String typeOf(String attribute) {
            return attribute.equals(hash) ? hashType : rangeType.orElseThrow();
        }
    }

    /** An LSI or GSI with its projection; {@code engineIndex} is the engine index behind it. */
    public record SecondaryIndex(String name, boolean global, KeySchema key, String projectionType,
                                 List<String> nonKeyAttributes, String engineIndex, Map<String, Object> throughput) {
    }

    public Optional<SecondaryIndex> index(String indexName) {
        return indexes.stream().filter(i -> i.name().equals(indexName)).findFirst();
    }

    public TableDefinition withIndexes(List<SecondaryIndex> next, Map<String, String> types) {
        return new TableDefinition(name, tableId, creationMillis, key, types, billingMode, throughput, next,
                ttlAttribute, deletionProtection, streamSpecification);
    }

    public TableDefinition withTtl(Optional<String> attribute) {
        return new TableDefinition(name, tableId, creationMillis, key, attributeTypes, billingMode, throughput, indexes,
                attribute, deletionProtection, streamSpecification);
    }

    public TableDefinition withSettings(String billing, Map<String, Object> tp, boolean protection,
                                        Map<String, Object> streams) {
        return new TableDefinition(name, tableId, creationMillis, key, attributeTypes, billing, tp, indexes,
                ttlAttribute, protection, streams);
    }

    // ---- DescribeTable ---------------------------------------------------------------------

    public Map<String, Object> describe(String region, String status, long itemCount, long sizeBytes) {
        Map<String, Object> d = new LinkedHashMap<>();
        List<Object> defs = new ArrayList<>();
        attributeTypes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                defs.add(map("AttributeName", e.getKey(), "AttributeType", e.getValue())));
        d.put("AttributeDefinitions", defs);
        d.put("TableName", name);
        d.put("KeySchema", keySchema(key));
        d.put("TableStatus", status);
        d.put("CreationDateTime", BigDecimal.valueOf(creationMillis, 3));
        d.put("ProvisionedThroughput", throughputDescription(throughput));
        d.put("TableSizeBytes", sizeBytes);
        d.put("ItemCount", itemCount);
        String arn = "arn:aws:dynamodb:" + region + ":000000000000:table/" + name;
        d.put("TableArn", arn);
        d.put("TableId", tableId);
        if ("PAY_PER_REQUEST".equals(billingMode)) {
            d.put("BillingModeSummary", map("BillingMode", "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime", BigDecimal.valueOf(creationMillis, 3)));
        }
        List<Object> lsis = new ArrayList<>();
        List<Object> gsis = new ArrayList<>();
        for (SecondaryIndex i : indexes) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("IndexName", i.name());
            x.put("KeySchema", keySchema(i.key()));
            x.put("Projection", projection(i));
            if (i.global()) {
                x.put("IndexStatus", "ACTIVE");
                x.put("ProvisionedThroughput", throughputDescription(i.throughput()));
            }
            x.put("IndexSizeBytes", 0L);
            x.put("ItemCount", 0L);
            x.put("IndexArn", arn + "/index/" + i.name());
            (i.global() ? gsis : lsis).add(x);
        }
        if (!lsis.isEmpty()) {
            d.put("LocalSecondaryIndexes", lsis);
        }
        if (!gsis.isEmpty()) {
            d.put("GlobalSecondaryIndexes", gsis);
        }
        if (streamSpecification != null && Boolean.TRUE.equals(streamSpecification.get("StreamEnabled"))) {
            d.put("StreamSpecification", streamSpecification);
        }
        d.put("DeletionProtectionEnabled", deletionProtection);
        return d;
    }

    static Map<String, Object> projection(SecondaryIndex i) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("ProjectionType", i.projectionType());
        if (!i.nonKeyAttributes().isEmpty()) {
            p.put("NonKeyAttributes", i.nonKeyAttributes());
        }
        return p;
    }

    private static Map<String, Object> throughputDescription(Map<String, Object> tp) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("NumberOfDecreasesToday", 0L);
        Object r = tp == null ? null : tp.get("ReadCapacityUnits");
        Object w = tp == null ? null : tp.get("WriteCapacityUnits");
        out.put("ReadCapacityUnits", r == null ? 0L : r);
        out.put("WriteCapacityUnits", w == null ? 0L : w);
        return out;
    }

    static List<Object> keySchema(KeySchema k) {
        List<Object> out = new ArrayList<>();
        out.add(map("AttributeName", k.hash(), "KeyType", "HASH"));
        k.range().ifPresent(r -> out.add(map("AttributeName", r, "KeyType", "RANGE")));
        return out;
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    // ---- storage form ------------------------------------------------------------------------

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("tableId", tableId);
        m.put("creationMillis", creationMillis);
        m.put("key", keyJson(key));
        m.put("attributeTypes", new LinkedHashMap<>(attributeTypes));
        m.put("billingMode", billingMode);
        if (throughput != null) {
            m.put("throughput", throughput);
        }
        List<Object> idx = new ArrayList<>();
        for (SecondaryIndex i : indexes) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", i.name());
            x.put("global", i.global());
            x.put("key", keyJson(i.key()));
            x.put("projectionType", i.projectionType());
            x.put("nonKeyAttributes", i.nonKeyAttributes());
            x.put("engineIndex", i.engineIndex());
            if (i.throughput() != null) {
                x.put("throughput", i.throughput());
            }
            idx.add(x);
        }
        m.put("indexes", idx);
        ttlAttribute.ifPresent(t -> m.put("ttlAttribute", t));
        m.put("deletionProtection", deletionProtection);
        if (streamSpecification != null) {
            m.put("streamSpecification", streamSpecification);
        }
        return m;
    }

    private static Map<String, Object> keyJson(KeySchema k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hash", k.hash());
        m.put("hashType", k.hashType());
        k.range().ifPresent(r -> m.put("range", r));
        k.rangeType().ifPresent(r -> m.put("rangeType", r));
        return m;
    }

    @SuppressWarnings("unchecked")
    public static TableDefinition fromJson(Map<String, Object> m) {
        List<SecondaryIndex> idx = new ArrayList<>();
        for (Object o : (List<Object>) m.get("indexes")) {
            Map<String, Object> x = (Map<String, Object>) o;
            idx.add(new SecondaryIndex((String) x.get("name"), (Boolean) x.get("global"),
                    keyFromJson((Map<String, Object>) x.get("key")), (String) x.get("projectionType"),
                    ((List<Object>) x.get("nonKeyAttributes")).stream().map(String.class::cast).toList(),
                    (String) x.get("engineIndex"), (Map<String, Object>) x.get("throughput")));
        }
        Map<String, String> types = new LinkedHashMap<>();
        ((Map<String, Object>) m.get("attributeTypes")).forEach((k, v) -> types.put(k, (String) v));
        return new TableDefinition((String) m.get("name"), (String) m.get("tableId"),
                ((BigDecimal) m.get("creationMillis")).longValueExact(), keyFromJson((Map<String, Object>) m.get("key")),
                types, (String) m.get("billingMode"), (Map<String, Object>) m.get("throughput"), idx,
                Optional.ofNullable((String) m.get("ttlAttribute")), Boolean.TRUE.equals(m.get("deletionProtection")),
                (Map<String, Object>) m.get("streamSpecification"));
    }

    private static KeySchema keyFromJson(Map<String, Object> m) {
        return new KeySchema((String) m.get("hash"), (String) m.get("hashType"),
                Optional.ofNullable((String) m.get("range")), Optional.ofNullable((String) m.get("rangeType")));
    }
}
