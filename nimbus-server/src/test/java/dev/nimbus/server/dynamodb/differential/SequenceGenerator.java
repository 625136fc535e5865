package dev.nimbus.server.dynamodb.differential;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ListTablesRequest;
import software.amazon.awssdk.services.dynamodb.model.ListTablesResponse;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Generates one random operation sequence from a seed: one or two fresh tables (names start with
 * the sequence's unique prefix) and then a mix of item writes, reads, queries, scans, batches,
 * transactions, table operations and deliberate errors over small key domains, so that
 * overwrites, conditional failures and pagination happen often. The ops are fixed up front (they do
 * not depend on answers), so both endpoints receive byte-for-byte the same requests.
 *
 * <p>Steered away from, because a correct server may answer differently (see README.md):
 * scan order (whole scans are read to the end and their items compared as a sorted multiset),
 * the order of items with equal index keys (index queries are compared as sorted multisets),
 * the order of BatchGetItem's items, which segment of a parallel scan returns an item, page
 * boundaries of scans and index queries, sort keys with characters outside the BMP, and
 * ClientRequestToken idempotency (a 10-minute server-side window).
 */
public final class SequenceGenerator {
    /** Ops per sequence between the table creations and the final scan: 4 to 14. */
    private static final int MIN_OPS = 4;
    private static final int MAX_EXTRA_OPS = 11;
    /** Pagination is followed to the end but never beyond this many pages. */
    static final int MAX_PAGES = 64;
    /** DynamoDB's item size limit, plus a margin: an item this big must be rejected. */
    private static final int OVERSIZE_BYTES = 400 * 1024 + 100;
    private static final int BATCH_WRITE_MAX = 25;
    private static final int PK_DOMAIN = 3;
    private static final int SK_DOMAIN = 6;

    private static final List<String> S_KEYS = List.of("a", "ab", "b", "abc", "é", "日本", "Z", "b0");
    private static final List<String> N_KEYS = List.of("1", "2", "10", "-3", "2.5", "0", "100000000000000000000", "-0.001");
    private static final List<byte[]> B_KEYS = List.of(new byte[]{0}, new byte[]{1}, new byte[]{(byte) 0xff},
            new byte[]{1, 2}, new byte[]{0x7f}, new byte[]{(byte) 0x80}, new byte[]{0, 0}, new byte[]{2});
    /** Non-key attributes and the type each one usually has (other types appear 15% of the time). */
    private static final Map<String, String> ATTRS = new LinkedHashMap<>();

    static {
        ATTRS.put("a", "S");
        ATTRS.put("b", "N");
        ATTRS.put("c", "B");
        ATTRS.put("d", "ANY");
        ATTRS.put("n", "N");
        ATTRS.put("m", "M");
        ATTRS.put("l", "L");
        ATTRS.put("ss", "SS");
        ATTRS.put("ns", "NS");
        ATTRS.put("bs", "BS");
        ATTRS.put("t", "BOOL");
        ATTRS.put("z", "NULL");
        ATTRS.put("status", "S");
    }

    private static final List<String> ATTR_NAMES = List.copyOf(ATTRS.keySet());
    private static final List<String> TYPES = List.of("S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M");

    /** A key attribute. */
    record KeyAttr(String name, ScalarAttributeType type) {
    }

    /** A secondary index of a generated table. */
    record IndexSpec(String name, KeyAttr hash, KeyAttr range, ProjectionType projection, List<String> nonKey,
                     boolean global) {
    }

    /** A generated table's schema. */
    record TableSpec(String name, KeyAttr hash, KeyAttr range, List<IndexSpec> indexes) {
        List<KeyAttr> keyAttrs() {
            return range == null ? List.of(hash) : List.of(hash, range);
        }

        boolean isKeyAttr(String attr) {
            return hash.name.equals(attr) || (range != null && range.name.equals(attr));
        }
    }

    /** The ops of one sequence and the tables it may leave behind (deleted afterwards, not compared). */
    public record Sequence(List<Op> ops, List<String> tables) {
    }

    private final Random rnd;
    private final String prefix;
    private final List<TableSpec> tables = new ArrayList<>();
    private final List<Op> ops = new ArrayList<>();

    private SequenceGenerator(long seed, String prefix) {
        this.rnd = new Random(seed);
        this.prefix = prefix;
    }

    /** The sequence for {@code seed}; its table names start with {@code prefix} (lowercase, unique per sequence). */
    public static Sequence generate(long seed, String prefix) {
        SequenceGenerator g = new SequenceGenerator(seed, prefix);
        return g.build();
    }

    private Sequence build() {
        int tableCount = rnd.nextInt(4) == 0 ? 2 : 1;
        for (int i = 0; i < tableCount; i++) {
            TableSpec t = newTable(prefix + "t" + i);
            tables.add(t);
            ops.add(createTable(t));
        }
        int n = MIN_OPS + rnd.nextInt(MAX_EXTRA_OPS);
        for (int i = 0; i < n; i++) {
            TableSpec t = tables.get(rnd.nextInt(tables.size()));
            int r = rnd.nextInt(100);
            if (r < 22) {
                ops.add(putItem(t));
            } else if (r < 34) {
                ops.add(updateItem(t));
            } else if (r < 39) {
                ops.add(deleteItem(t));
            } else if (r < 46) {
                ops.add(getItem(t));
            } else if (r < 56) {
                ops.add(query(t));
            } else if (r < 60) {
                ops.add(indexQuery(t));
            } else if (r < 65) {
                ops.add(scan(t));
            } else if (r < 69) {
                ops.add(batchWrite(t));
            } else if (r < 72) {
                ops.add(batchGet(t));
            } else if (r < 77) {
                ops.add(transactWrite(t));
            } else if (r < 79) {
                ops.add(transactGet(t));
            } else if (r < 81) {
                ops.add(describeTable(t.name));
            } else if (r < 82) {
                ops.add(listTables());
            } else if (r < 83) {
                ops.add(deleteTable(t.name));
            } else {
                ops.add(error(t));
            }
        }
        // A final full scan shows the state both sides ended with.
        ops.add(scanAll(tables.get(0)));
        List<String> names = new ArrayList<>();
        tables.forEach(t -> names.add(t.name));
        names.add(prefix + "bad");
        return new Sequence(List.copyOf(ops), names);
    }

    // ---------------------------------------------------------------- tables

    private TableSpec newTable(String name) {
        KeyAttr hash = new KeyAttr("pk", scalarType());
        KeyAttr range = rnd.nextInt(4) == 0 ? null : new KeyAttr("sk", scalarType());
        List<IndexSpec> indexes = new ArrayList<>();
        if (range != null && rnd.nextInt(3) == 0) {
            indexes.add(new IndexSpec("lsi1", hash, new KeyAttr("lk", rnd.nextBoolean() ? ScalarAttributeType.S : ScalarAttributeType.N),
                    projectionType(), List.of("a", "n"), false));
        }
        if (rnd.nextInt(3) == 0) {
            KeyAttr gr = rnd.nextBoolean() ? new KeyAttr("gr", rnd.nextBoolean() ? ScalarAttributeType.N : ScalarAttributeType.S) : null;
            indexes.add(new IndexSpec("gsi1", new KeyAttr("gh", rnd.nextBoolean() ? ScalarAttributeType.S : ScalarAttributeType.N),
                    gr, projectionType(), List.of("a", "b", "status"), true));
        }
        return new TableSpec(name, hash, range, indexes);
    }

    private ScalarAttributeType scalarType() {
        int r = rnd.nextInt(10);
        return r < 5 ? ScalarAttributeType.S : r < 8 ? ScalarAttributeType.N : ScalarAttributeType.B;
    }

    private ProjectionType projectionType() {
        return switch (rnd.nextInt(3)) {
            case 0 -> ProjectionType.ALL;
            case 1 -> ProjectionType.KEYS_ONLY;
            default -> ProjectionType.INCLUDE;
        };
    }

    private static CreateTableRequest createRequest(TableSpec t, boolean provisioned) {
        Map<String, ScalarAttributeType> defs = new TreeMap<>();
        List<KeySchemaElement> ks = new ArrayList<>();
        ks.add(KeySchemaElement.builder().attributeName(t.hash.name).keyType(KeyType.HASH).build());
        defs.put(t.hash.name, t.hash.type);
        if (t.range != null) {
            ks.add(KeySchemaElement.builder().attributeName(t.range.name).keyType(KeyType.RANGE).build());
            defs.put(t.range.name, t.range.type);
        }
        List<LocalSecondaryIndex> lsis = new ArrayList<>();
        List<GlobalSecondaryIndex> gsis = new ArrayList<>();
        ProvisionedThroughput pt = ProvisionedThroughput.builder().readCapacityUnits(5L).writeCapacityUnits(5L).build();
        for (IndexSpec ix : t.indexes) {
            List<KeySchemaElement> iks = new ArrayList<>();
            iks.add(KeySchemaElement.builder().attributeName(ix.hash.name).keyType(KeyType.HASH).build());
            defs.put(ix.hash.name, ix.hash.type);
            if (ix.range != null) {
                iks.add(KeySchemaElement.builder().attributeName(ix.range.name).keyType(KeyType.RANGE).build());
                defs.put(ix.range.name, ix.range.type);
            }
            Projection.Builder p = Projection.builder().projectionType(ix.projection);
            if (ix.projection == ProjectionType.INCLUDE) {
                p.nonKeyAttributes(ix.nonKey);
            }
            if (ix.global) {
                GlobalSecondaryIndex.Builder g = GlobalSecondaryIndex.builder().indexName(ix.name).keySchema(iks)
                        .projection(p.build());
                if (provisioned) {
                    g.provisionedThroughput(pt);
                }
                gsis.add(g.build());
            } else {
                lsis.add(LocalSecondaryIndex.builder().indexName(ix.name).keySchema(iks).projection(p.build()).build());
            }
        }
        List<AttributeDefinition> ad = new ArrayList<>();
        defs.forEach((k, v) -> ad.add(AttributeDefinition.builder().attributeName(k).attributeType(v).build()));
        CreateTableRequest.Builder b = CreateTableRequest.builder().tableName(t.name).keySchema(ks).attributeDefinitions(ad);
        if (provisioned) {
            b.billingMode(BillingMode.PROVISIONED).provisionedThroughput(pt);
        } else {
            b.billingMode(BillingMode.PAY_PER_REQUEST);
        }
        if (!lsis.isEmpty()) {
            b.localSecondaryIndexes(lsis);
        }
        if (!gsis.isEmpty()) {
            b.globalSecondaryIndexes(gsis);
        }
        return b.build();
    }

    private Op createTable(TableSpec t) {
        CreateTableRequest req = createRequest(t, rnd.nextInt(3) == 0);
        return op("CreateTable", req, c -> Canonical.of(c.createTable(req)));
    }

    private Op describeTable(String name) {
        DescribeTableRequest req = DescribeTableRequest.builder().tableName(name).build();
        return op("DescribeTable", req, c -> Canonical.of(c.describeTable(req)));
    }

    private Op deleteTable(String name) {
        DeleteTableRequest req = DeleteTableRequest.builder().tableName(name).build();
        return op("DeleteTable", req, c -> Canonical.deletedTable(c.deleteTable(req)));
    }

    /** Lists tables from this sequence's prefix on, in pages of 1-3, and keeps only this sequence's names. */
    private Op listTables() {
        int limit = 1 + rnd.nextInt(3);
        return new Op("ListTables", "ListTables(ExclusiveStartTableName=" + prefix + ", Limit=" + limit + ") filtered to " + prefix + "*",
                c -> {
                    List<Object> names = new ArrayList<>();
                    String start = prefix;
                    for (int page = 0; page < MAX_PAGES && start != null; page++) {
                        ListTablesResponse r = c.listTables(ListTablesRequest.builder().exclusiveStartTableName(start).limit(limit).build());
                        boolean past = false;
                        for (String n : r.tableNames()) {
                            if (n.startsWith(prefix)) {
                                names.add(n);
                            } else {
                                past = true;
                            }
                        }
                        start = past ? null : r.lastEvaluatedTableName();
                    }
                    return Canonical.tree("TableNames", names);
                });
    }

    // ---------------------------------------------------------------- values

    private AttributeValue keyValue(KeyAttr k, int domain) {
        int i = rnd.nextInt(domain);
        return switch (k.type) {
            case S -> AttributeValue.fromS(S_KEYS.get(i));
            case N -> AttributeValue.fromN(N_KEYS.get(i));
            default -> AttributeValue.fromB(SdkBytes.fromByteArray(B_KEYS.get(i)));
        };
    }

    private Map<String, AttributeValue> key(TableSpec t) {
        Map<String, AttributeValue> k = new HashMap<>();
        k.put(t.hash.name, keyValue(t.hash, PK_DOMAIN));
        if (t.range != null) {
            k.put(t.range.name, keyValue(t.range, SK_DOMAIN));
        }
        return k;
    }

    private Map<String, AttributeValue> item(TableSpec t) {
        Map<String, AttributeValue> item = key(t);
        for (String a : ATTR_NAMES) {
            if (rnd.nextInt(100) < 45) {
                item.put(a, valueFor(a));
            }
        }
        for (IndexSpec ix : t.indexes) {
            for (KeyAttr k : ix.range == null ? List.of(ix.hash) : List.of(ix.hash, ix.range)) {
                if (!t.isKeyAttr(k.name) && !item.containsKey(k.name) && rnd.nextInt(100) < 75) {
                    item.put(k.name, keyValue(k, SK_DOMAIN));
                }
            }
        }
        return item;
    }

    private AttributeValue valueFor(String attr) {
        String type = ATTRS.get(attr);
        if (type == null || type.equals("ANY") || rnd.nextInt(100) < 15) {
            type = TYPES.get(rnd.nextInt(TYPES.size()));
        }
        return value(type, 2);
    }

    private AttributeValue value(String type, int depth) {
        return switch (type) {
            case "S" -> AttributeValue.fromS(string());
            case "N" -> AttributeValue.fromN(number());
            case "B" -> AttributeValue.fromB(bytes(rnd.nextInt(6)));
            case "BOOL" -> AttributeValue.fromBool(rnd.nextBoolean());
            case "NULL" -> AttributeValue.fromNul(true);
            case "SS" -> {
                Set<String> s = new HashSet<>();
                int n = 1 + rnd.nextInt(4);
                while (s.size() < n) {
                    s.add("s" + rnd.nextInt(8));
                }
                yield AttributeValue.fromSs(new ArrayList<>(s));
            }
            case "NS" -> {
                Set<String> s = new HashSet<>();
                int n = 1 + rnd.nextInt(4);
                while (s.size() < n) {
                    s.add(Integer.toString(rnd.nextInt(10) - 3));
                }
                yield AttributeValue.fromNs(new ArrayList<>(s));
            }
            case "BS" -> {
                Map<Integer, SdkBytes> s = new TreeMap<>();
                int n = 1 + rnd.nextInt(3);
                while (s.size() < n) {
                    int v = rnd.nextInt(6);
                    s.put(v, SdkBytes.fromByteArray(new byte[]{(byte) v, (byte) (v * 40)}));
                }
                yield AttributeValue.fromBs(new ArrayList<>(s.values()));
            }
            case "L" -> {
                List<AttributeValue> l = new ArrayList<>();
                int n = depth <= 0 ? 0 : rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    l.add(value(TYPES.get(rnd.nextInt(TYPES.size())), depth - 1));
                }
                yield AttributeValue.fromL(l);
            }
            default -> {
                Map<String, AttributeValue> m = new HashMap<>();
                int n = depth <= 0 ? 0 : rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    m.put(List.of("x", "y", "a", "status").get(rnd.nextInt(4)), value(TYPES.get(rnd.nextInt(TYPES.size())), depth - 1));
                }
                yield AttributeValue.fromM(m);
            }
        };
    }

    private String string() {
        String alphabet = "abcxyz é日_";
        int n = rnd.nextInt(7);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private String number() {
        return switch (rnd.nextInt(12)) {
            case 0 -> "3.14";
            case 1 -> "-0.5";
            case 2 -> "12345678901234567890123456789012345678";
            case 3 -> "0.000000000000000000000000000000000001";
            case 4 -> "1.50";
            case 5 -> "1E+10";
            case 6 -> "-99999999999999999999.999";
            case 7 -> "0";
            default -> Integer.toString(rnd.nextInt(21) - 5);
        };
    }

    private SdkBytes bytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return SdkBytes.fromByteArray(b);
    }

    // ---------------------------------------------------------------- expressions

    /** A random attribute path: top level, nested in the map, or an element of the list. */
    private String path(ExpressionBuilder e, String attr) {
        if (attr.equals("m") && rnd.nextInt(3) == 0) {
            return e.name("m") + "." + e.name(List.of("x", "y", "status").get(rnd.nextInt(3)));
        }
        if (attr.equals("l") && rnd.nextInt(3) == 0) {
            return e.name("l") + "[" + rnd.nextInt(3) + "]";
        }
        return e.name(attr);
    }

    private String nonKeyAttr() {
        return ATTR_NAMES.get(rnd.nextInt(ATTR_NAMES.size()));
    }

    private String condition(ExpressionBuilder e, int depth, List<String> attrs) {
        if (depth > 0 && rnd.nextInt(100) < 35) {
            return switch (rnd.nextInt(3)) {
                case 0 -> "(" + condition(e, depth - 1, attrs) + ") AND (" + condition(e, depth - 1, attrs) + ")";
                case 1 -> condition(e, depth - 1, attrs) + " OR " + condition(e, depth - 1, attrs);
                default -> "NOT (" + condition(e, depth - 1, attrs) + ")";
            };
        }
        String attr = attrs.get(rnd.nextInt(attrs.size()));
        String scalar = scalarAttr(attrs);
        // Placeholders are registered only for the form chosen: an unused one is an error.
        return switch (rnd.nextInt(10)) {
            case 0 -> "attribute_exists(" + path(e, attr) + ")";
            case 1 -> "attribute_not_exists(" + path(e, attr) + ")";
            case 2 -> e.name(scalar) + " " + List.of("=", "<>", "<", "<=", ">", ">=").get(rnd.nextInt(6)) + " " + e.value(valueFor(scalar));
            case 3 -> "begins_with(" + path(e, attr) + ", " + e.value(rnd.nextInt(5) == 0 ? AttributeValue.fromB(bytes(1))
                    : AttributeValue.fromS(S_KEYS.get(rnd.nextInt(S_KEYS.size())).substring(0, 1))) + ")";
            case 4 -> "contains(" + path(e, attr) + ", " + e.value(rnd.nextBoolean() ? AttributeValue.fromS("s" + rnd.nextInt(8))
                    : valueFor(scalar)) + ")";
            case 5 -> "size(" + path(e, attr) + ") " + List.of("=", "<", ">=").get(rnd.nextInt(3)) + " " + e.value(AttributeValue.fromN(Integer.toString(rnd.nextInt(5))));
            case 6 -> {
                String p = path(e, scalar);
                yield p + " IN (" + e.value(valueFor(scalar)) + ", " + e.value(valueFor(scalar)) + ", " + e.value(valueFor(scalar)) + ")";
            }
            case 7 -> {
                int lo = rnd.nextInt(10) - 5;
                String p = e.name(rnd.nextBoolean() ? "b" : "n");
                yield p + " BETWEEN " + e.value(AttributeValue.fromN(Integer.toString(lo))) + " AND "
                        + e.value(AttributeValue.fromN(Integer.toString(lo + rnd.nextInt(8))));
            }
            case 8 -> "attribute_type(" + path(e, attr) + ", " + e.value(AttributeValue.fromS(TYPES.get(rnd.nextInt(TYPES.size())))) + ")";
            default -> path(e, attr) + " = " + e.value(valueFor(attr));
        };
    }

    /** An attribute of {@code attrs} that usually holds S, N or B (so that comparisons are valid). */
    private String scalarAttr(List<String> attrs) {
        for (int i = 0; i < 8; i++) {
            String a = attrs.get(rnd.nextInt(attrs.size()));
            String type = ATTRS.getOrDefault(a, "S");
            if (type.equals("S") || type.equals("N") || type.equals("B")) {
                return a;
            }
        }
        return "a";
    }

    private List<String> conditionAttrs(TableSpec t) {
        List<String> attrs = new ArrayList<>(ATTR_NAMES);
        attrs.add(t.hash.name);
        if (t.range != null) {
            attrs.add(t.range.name);
        }
        return attrs;
    }

    /**
     * An update expression with 1-3 clauses on distinct attributes. Most actions fit the
     * attribute's usual type (so most updates succeed); some do not, which DynamoDB rejects.
     */
    private String updateExpression(ExpressionBuilder e, TableSpec t) {
        List<String> free = new ArrayList<>(ATTR_NAMES);
        java.util.Collections.shuffle(free, rnd);
        List<String> set = new ArrayList<>();
        List<String> remove = new ArrayList<>();
        List<String> add = new ArrayList<>();
        List<String> delete = new ArrayList<>();
        int actions = 1 + rnd.nextInt(3);
        boolean sloppy = rnd.nextInt(6) == 0;
        for (int i = 0; i < actions && !free.isEmpty(); i++) {
            String a = free.remove(0);
            String type = ATTRS.get(a);
            switch (rnd.nextInt(8)) {
                case 0, 1 -> set.add(path(e, a) + " = " + e.value(valueFor(a)));
                case 2 -> {
                    String num = sloppy || type.equals("N") ? a : "n";
                    if (free.remove(num) || num.equals(a)) {
                        set.add(e.name(num) + " = " + (rnd.nextBoolean() ? "if_not_exists(" + e.name(num) + ", "
                                + e.value(AttributeValue.fromN("0")) + ")" : e.name(num))
                                + (rnd.nextBoolean() ? " + " : " - ") + e.value(AttributeValue.fromN(number())));
                    }
                }
                case 3 -> set.add(e.name(a) + " = if_not_exists(" + e.name(a) + ", " + e.value(valueFor(a)) + ")");
                case 4 -> {
                    String list = sloppy || type.equals("L") ? a : "l";
                    if (free.remove(list) || list.equals(a)) {
                        set.add(e.name(list) + " = list_append(" + (rnd.nextBoolean() ? e.name(list) + ", " + e.value(value("L", 1))
                                : e.value(value("L", 1)) + ", if_not_exists(" + e.name(list) + ", " + e.value(AttributeValue.fromL(List.of())) + ")") + ")");
                    }
                }
                case 5 -> remove.add(path(e, a));
                case 6 -> {
                    if (sloppy) {
                        add.add(e.name(a) + " " + e.value(valueFor(a)));
                    } else {
                        String target = List.of("n", "b", "ss", "ns").get(rnd.nextInt(4));
                        if (free.remove(target) || target.equals(a)) {
                            add.add(e.name(target) + " " + e.value(valueFor(target)));
                        }
                    }
                }
                default -> {
                    String target = sloppy ? a : List.of("ss", "ns", "bs").get(rnd.nextInt(3));
                    if (free.remove(target) || target.equals(a)) {
                        delete.add(e.name(target) + " " + e.value(valueFor(target)));
                    }
                }
            }
        }
        if (set.isEmpty() && remove.isEmpty() && add.isEmpty() && delete.isEmpty()) {
            set.add(e.name("a") + " = " + e.value(AttributeValue.fromS(string())));
        }
        StringBuilder sb = new StringBuilder();
        if (!set.isEmpty()) {
            sb.append("SET ").append(String.join(", ", set)).append(' ');
        }
        if (!remove.isEmpty()) {
            sb.append("REMOVE ").append(String.join(", ", remove)).append(' ');
        }
        if (!add.isEmpty()) {
            sb.append("ADD ").append(String.join(", ", add)).append(' ');
        }
        if (!delete.isEmpty()) {
            sb.append("DELETE ").append(String.join(", ", delete)).append(' ');
        }
        return sb.toString().trim();
    }

    // ---------------------------------------------------------------- item ops

    private Op putItem(TableSpec t) {
        PutItemRequest.Builder b = PutItemRequest.builder().tableName(t.name).item(item(t));
        if (rnd.nextInt(100) < 45) {
            ExpressionBuilder e = new ExpressionBuilder(rnd);
            b.conditionExpression(rnd.nextBoolean() ? "attribute_not_exists(" + e.name(t.hash.name) + ")"
                    : condition(e, 2, conditionAttrs(t)));
            b.expressionAttributeNames(e.names()).expressionAttributeValues(e.values());
            if (rnd.nextBoolean()) {
                b.returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
            }
        }
        if (rnd.nextBoolean()) {
            b.returnValues(ReturnValue.ALL_OLD);
        }
        if (rnd.nextInt(5) == 0) {
            b.returnConsumedCapacity(ReturnConsumedCapacity.TOTAL);
        }
        PutItemRequest req = b.build();
        return op("PutItem", req, c -> Canonical.of(c.putItem(req)));
    }

    private Op updateItem(TableSpec t) {
        ExpressionBuilder e = new ExpressionBuilder(rnd);
        UpdateItemRequest.Builder b = UpdateItemRequest.builder().tableName(t.name).key(key(t))
                .updateExpression(updateExpression(e, t));
        if (rnd.nextInt(100) < 40) {
            b.conditionExpression(condition(e, 2, conditionAttrs(t)));
            if (rnd.nextBoolean()) {
                b.returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
            }
        }
        b.expressionAttributeNames(e.names()).expressionAttributeValues(e.values());
        b.returnValues(List.of(ReturnValue.NONE, ReturnValue.ALL_OLD, ReturnValue.UPDATED_OLD, ReturnValue.ALL_NEW,
                ReturnValue.UPDATED_NEW).get(rnd.nextInt(5)));
        UpdateItemRequest req = b.build();
        return op("UpdateItem", req, c -> Canonical.of(c.updateItem(req)));
    }

    private Op deleteItem(TableSpec t) {
        DeleteItemRequest.Builder b = DeleteItemRequest.builder().tableName(t.name).key(key(t));
        if (rnd.nextInt(100) < 40) {
            ExpressionBuilder e = new ExpressionBuilder(rnd);
            b.conditionExpression(condition(e, 2, conditionAttrs(t)));
            b.expressionAttributeNames(e.names()).expressionAttributeValues(e.values());
        }
        if (rnd.nextBoolean()) {
            b.returnValues(ReturnValue.ALL_OLD);
        }
        DeleteItemRequest req = b.build();
        return op("DeleteItem", req, c -> Canonical.of(c.deleteItem(req)));
    }

    private String projection(ExpressionBuilder e) {
        List<String> paths = new ArrayList<>();
        int n = 1 + rnd.nextInt(3);
        Set<String> used = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String a = nonKeyAttr();
            if (used.add(a)) {
                paths.add(path(e, a));
            }
        }
        if (rnd.nextBoolean()) {
            paths.add(e.name("pk"));
        }
        return String.join(", ", paths);
    }

    private Op getItem(TableSpec t) {
        GetItemRequest.Builder b = GetItemRequest.builder().tableName(t.name).key(key(t)).consistentRead(rnd.nextBoolean());
        if (rnd.nextBoolean()) {
            ExpressionBuilder e = new ExpressionBuilder(rnd);
            b.projectionExpression(projection(e)).expressionAttributeNames(e.names());
        }
        GetItemRequest req = b.build();
        return op("GetItem", req, c -> Canonical.of(c.getItem(req)));
    }

    // ---------------------------------------------------------------- queries and scans

    private String rangeCondition(ExpressionBuilder e, KeyAttr range) {
        String p = e.name(range.name);
        return switch (rnd.nextInt(4)) {
            case 0 -> p + " " + List.of("=", "<", "<=", ">", ">=").get(rnd.nextInt(5)) + " " + e.value(keyValue(range, SK_DOMAIN));
            case 1 -> {
                AttributeValue lo = keyValue(range, SK_DOMAIN);
                AttributeValue hi = keyValue(range, SK_DOMAIN);
                yield p + " BETWEEN " + e.value(lo) + " AND " + e.value(hi);
            }
            case 2 -> range.type == ScalarAttributeType.N
                    ? p + " > " + e.value(keyValue(range, SK_DOMAIN))
                    : "begins_with(" + p + ", " + e.value(prefixOf(keyValue(range, SK_DOMAIN))) + ")";
            default -> p + " = " + e.value(keyValue(range, SK_DOMAIN));
        };
    }

    private static AttributeValue prefixOf(AttributeValue v) {
        if (v.s() != null) {
            return AttributeValue.fromS(v.s().substring(0, 1));
        }
        byte[] b = v.b().asByteArray();
        return AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{b[0]}));
    }

    private void filterAndSelect(ExpressionBuilder e, QueryRequest.Builder q, TableSpec t) {
        if (rnd.nextInt(100) < 40) {
            q.filterExpression(condition(e, 1, ATTR_NAMES));
        }
        int s = rnd.nextInt(10);
        if (s == 0) {
            q.select(Select.COUNT);
        } else if (s == 1) {
            q.projectionExpression(projection(e));
        }
    }

    /** A table query whose pages are followed to the end; every page is compared (the order is the sort key's). */
    private Op query(TableSpec t) {
        ExpressionBuilder e = new ExpressionBuilder(rnd);
        String kc = e.name(t.hash.name) + " = " + e.value(keyValue(t.hash, PK_DOMAIN));
        if (t.range != null && rnd.nextInt(100) < 70) {
            kc += " AND " + rangeCondition(e, t.range);
        }
        QueryRequest.Builder b = QueryRequest.builder().tableName(t.name).keyConditionExpression(kc)
                .scanIndexForward(rnd.nextBoolean()).consistentRead(rnd.nextBoolean());
        filterAndSelect(e, b, t);
        if (rnd.nextBoolean()) {
            b.limit(1 + rnd.nextInt(4));
        }
        b.expressionAttributeNames(e.names()).expressionAttributeValues(e.values());
        QueryRequest req = b.build();
        return op("Query", req, c -> {
            List<Object> pages = new ArrayList<>();
            QueryRequest r = req;
            for (int i = 0; i < MAX_PAGES; i++) {
                QueryResponse resp = c.query(r);
                pages.add(Canonical.of(resp));
                if (!resp.hasLastEvaluatedKey() || resp.lastEvaluatedKey().isEmpty()) {
                    break;
                }
                r = r.toBuilder().exclusiveStartKey(resp.lastEvaluatedKey()).build();
            }
            return pages;
        });
    }

    /**
     * An index query followed to the end; items with equal index keys have no defined order, so
     * the items of all pages are compared as a sorted multiset, with the summed counts.
     */
    private Op indexQuery(TableSpec t) {
        if (t.indexes.isEmpty()) {
            return query(t);
        }
        IndexSpec ix = t.indexes.get(rnd.nextInt(t.indexes.size()));
        ExpressionBuilder e = new ExpressionBuilder(rnd);
        String kc = e.name(ix.hash.name) + " = " + e.value(keyValue(ix.hash, ix.global ? SK_DOMAIN : PK_DOMAIN));
        if (ix.range != null && rnd.nextBoolean()) {
            kc += " AND " + rangeCondition(e, ix.range);
        }
        QueryRequest.Builder b = QueryRequest.builder().tableName(t.name).indexName(ix.name).keyConditionExpression(kc)
                .scanIndexForward(rnd.nextBoolean());
        if (rnd.nextInt(100) < 40) {
            b.filterExpression(condition(e, 1, List.of("a", "b", "status", "n")));
        }
        int s = rnd.nextInt(8);
        if (s == 0) {
            b.select(Select.COUNT);
        } else if (s == 1) {
            b.select(Select.ALL_ATTRIBUTES);
        } else if (s == 2) {
            b.select(Select.ALL_PROJECTED_ATTRIBUTES);
        }
        if (rnd.nextBoolean()) {
            b.limit(1 + rnd.nextInt(3));
        }
        b.expressionAttributeNames(e.names()).expressionAttributeValues(e.values());
        QueryRequest req = b.build();
        return op("Query(index)", req, c -> {
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            int count = 0;
            int scanned = 0;
            QueryRequest r = req;
            for (int i = 0; i < MAX_PAGES; i++) {
                QueryResponse resp = c.query(r);
                items.addAll(resp.items());
                count += resp.count();
                scanned += resp.scannedCount();
                if (!resp.hasLastEvaluatedKey() || resp.lastEvaluatedKey().isEmpty()) {
                    break;
                }
                r = r.toBuilder().exclusiveStartKey(resp.lastEvaluatedKey()).build();
            }
            return Canonical.tree("Items", Canonical.sortedItems(items), "Count", count, "ScannedCount", scanned);
        });
    }

    private Op scan(TableSpec t) {
        ExpressionBuilder e = new ExpressionBuilder(rnd);
        ScanRequest.Builder b = ScanRequest.builder().tableName(t.name).consistentRead(rnd.nextBoolean());
        if (rnd.nextInt(100) < 50) {
            b.filterExpression(condition(e, 2, conditionAttrs(t)));
        }
        if (rnd.nextInt(8) == 0) {
            b.projectionExpression(projection(e));
        }
        if (rnd.nextBoolean()) {
            b.limit(1 + rnd.nextInt(4));
        }
        if (!t.indexes.isEmpty() && rnd.nextInt(5) == 0) {
            IndexSpec ix = t.indexes.get(rnd.nextInt(t.indexes.size()));
            b.indexName(ix.name);
            if (ix.global) {
                // DynamoDB rejects ConsistentRead on a GSI; Nimbus serves it (DDB-DIV-010): not generated.
                b.consistentRead(false);
            }
        }
        int segments = rnd.nextInt(4) == 0 ? 2 + rnd.nextInt(3) : 0;
        b.expressionAttributeNames(e.names()).expressionAttributeValues(e.values());
        return scanOp(b.build(), segments);
    }

    private Op scanAll(TableSpec t) {
        return scanOp(ScanRequest.builder().tableName(t.name).consistentRead(true).build(), 0);
    }

    /**
     * A scan read to the end (every segment, when segmented): scan order across partitions and the
     * split into segments are implementation-defined, so the items are compared as a sorted
     * multiset, with summed counts.
     */
    private Op scanOp(ScanRequest req, int segments) {
        String desc = req + (segments > 0 ? " x segments 0.." + (segments - 1) + " of " + segments : "");
        return new Op(segments > 0 ? "Scan(parallel)" : "Scan", desc, c -> {
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            int count = 0;
            int scanned = 0;
            for (int seg = 0; seg < Math.max(1, segments); seg++) {
                ScanRequest r = segments > 0 ? req.toBuilder().segment(seg).totalSegments(segments).build() : req;
                for (int i = 0; i < MAX_PAGES; i++) {
                    ScanResponse resp = c.scan(r);
                    items.addAll(resp.items());
                    count += resp.count();
                    scanned += resp.scannedCount();
                    if (!resp.hasLastEvaluatedKey() || resp.lastEvaluatedKey().isEmpty()) {
                        break;
                    }
                    r = r.toBuilder().exclusiveStartKey(resp.lastEvaluatedKey()).build();
                }
            }
            return Canonical.tree("Items", Canonical.sortedItems(items), "Count", count, "ScannedCount", scanned);
        });
    }

    // ---------------------------------------------------------------- batches and transactions

    private List<Map<String, AttributeValue>> distinctKeys(TableSpec t, int n) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n * 4 && keys.size() < n; i++) {
            Map<String, AttributeValue> k = key(t);
            if (seen.add(Canonical.json(Canonical.item(k)))) {
                keys.add(k);
            }
        }
        return keys;
    }

    private Op batchWrite(TableSpec t) {
        List<WriteRequest> writes = new ArrayList<>();
        for (Map<String, AttributeValue> k : distinctKeys(t, 1 + rnd.nextInt(6))) {
            if (rnd.nextInt(3) == 0) {
                writes.add(WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(k).build()).build());
            } else {
                Map<String, AttributeValue> item = item(t);
                item.putAll(k);
                writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            }
        }
        BatchWriteItemRequest req = BatchWriteItemRequest.builder().requestItems(Map.of(t.name, writes)).build();
        return op("BatchWriteItem", req, c -> Canonical.of(c.batchWriteItem(req)));
    }

    /** BatchGetItem: the order of the returned items is unspecified, so each table's items are sorted. */
    private Op batchGet(TableSpec t) {
        Map<String, KeysAndAttributes> request = new TreeMap<>();
        for (TableSpec table : tables) {
            if (table == t || rnd.nextBoolean()) {
                KeysAndAttributes.Builder ka = KeysAndAttributes.builder().keys(distinctKeys(table, 1 + rnd.nextInt(5)))
                        .consistentRead(rnd.nextBoolean());
                if (rnd.nextInt(3) == 0) {
                    ExpressionBuilder e = new ExpressionBuilder(rnd);
                    ka.projectionExpression(projection(e)).expressionAttributeNames(e.names());
                }
                request.put(table.name, ka.build());
            }
        }
        BatchGetItemRequest req = BatchGetItemRequest.builder().requestItems(request).build();
        return op("BatchGetItem", req, c -> batchGetResult(c.batchGetItem(req)));
    }

    private static Object batchGetResult(BatchGetItemResponse r) {
        Map<String, Object> responses = new TreeMap<>();
        r.responses().forEach((table, items) -> responses.put(table, Canonical.sortedItems(items)));
        return Canonical.tree("Responses", responses, "UnprocessedKeys", Canonical.of(r.unprocessedKeys()));
    }

    private Op transactWrite(TableSpec t) {
        List<TransactWriteItem> actions = new ArrayList<>();
        for (Map<String, AttributeValue> k : distinctKeys(t, 1 + rnd.nextInt(4))) {
            ExpressionBuilder e = new ExpressionBuilder(rnd);
            boolean conditional = rnd.nextInt(100) < 40;
            String cond = conditional ? condition(e, 1, conditionAttrs(t)) : null;
            ReturnValuesOnConditionCheckFailure rv = rnd.nextBoolean() ? ReturnValuesOnConditionCheckFailure.ALL_OLD : null;
            TransactWriteItem.Builder a = TransactWriteItem.builder();
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    Map<String, AttributeValue> item = item(t);
                    item.putAll(k);
                    a.put(Put.builder().tableName(t.name).item(item).conditionExpression(cond)
                            .expressionAttributeNames(e.names()).expressionAttributeValues(e.values())
                            .returnValuesOnConditionCheckFailure(rv).build());
                }
                case 1 -> {
                    String update = updateExpression(e, t);
                    a.update(Update.builder().tableName(t.name).key(k).updateExpression(update).conditionExpression(cond)
                            .expressionAttributeNames(e.names()).expressionAttributeValues(e.values())
                            .returnValuesOnConditionCheckFailure(rv).build());
                }
                case 2 -> a.delete(Delete.builder().tableName(t.name).key(k).conditionExpression(cond)
                        .expressionAttributeNames(e.names()).expressionAttributeValues(e.values())
                        .returnValuesOnConditionCheckFailure(rv).build());
                default -> {
                    String check = cond != null ? cond : condition(e, 1, conditionAttrs(t));
                    a.conditionCheck(ConditionCheck.builder().tableName(t.name).key(k).conditionExpression(check)
                            .expressionAttributeNames(e.names()).expressionAttributeValues(e.values())
                            .returnValuesOnConditionCheckFailure(rv).build());
                }
            }
            actions.add(a.build());
        }
        TransactWriteItemsRequest req = TransactWriteItemsRequest.builder().transactItems(actions).build();
        return op("TransactWriteItems", req, c -> Canonical.of(c.transactWriteItems(req)));
    }

    private Op transactGet(TableSpec t) {
        List<TransactGetItem> gets = new ArrayList<>();
        for (Map<String, AttributeValue> k : distinctKeys(t, 1 + rnd.nextInt(4))) {
            Get.Builder g = Get.builder().tableName(t.name).key(k);
            if (rnd.nextInt(3) == 0) {
                ExpressionBuilder e = new ExpressionBuilder(rnd);
                g.projectionExpression(projection(e)).expressionAttributeNames(e.names());
            }
            gets.add(TransactGetItem.builder().get(g.build()).build());
        }
        TransactGetItemsRequest req = TransactGetItemsRequest.builder().transactItems(gets).build();
        return op("TransactGetItems", req, c -> Canonical.of(c.transactGetItems(req)));
    }

    // ---------------------------------------------------------------- deliberate errors

    private Op error(TableSpec t) {
        switch (rnd.nextInt(18)) {
            case 0 -> {
                GetItemRequest req = GetItemRequest.builder().tableName(prefix + "missing").key(key(t)).build();
                return op("error:missing table", req, c -> Canonical.of(c.getItem(req)));
            }
            case 1 -> {
                Map<String, AttributeValue> k = key(t);
                k.put(t.hash.name, t.hash.type == ScalarAttributeType.S ? AttributeValue.fromN("1") : AttributeValue.fromS("x"));
                GetItemRequest req = GetItemRequest.builder().tableName(t.name).key(k).build();
                return op("error:bad key type", req, c -> Canonical.of(c.getItem(req)));
            }
            case 2 -> {
                Map<String, AttributeValue> item = item(t);
                item.put(t.hash.name, t.hash.type == ScalarAttributeType.N ? AttributeValue.fromS("1") : AttributeValue.fromN("1"));
                PutItemRequest req = PutItemRequest.builder().tableName(t.name).item(item).build();
                return op("error:bad key type (put)", req, c -> Canonical.of(c.putItem(req)));
            }
            case 3 -> {
                Map<String, AttributeValue> k = key(t);
                if (rnd.nextBoolean() && t.range != null) {
                    k.remove(t.range.name);
                } else {
                    k.put("a", AttributeValue.fromS("extra"));
                }
                GetItemRequest req = GetItemRequest.builder().tableName(t.name).key(k).build();
                return op("error:key schema mismatch", req, c -> Canonical.of(c.getItem(req)));
            }
            case 4 -> {
                ExpressionBuilder e = new ExpressionBuilder(rnd);
                String bad = List.of("a = = :v0", "attribute_exist(a)", "a BETWEEN :v0", "size(a) = ", "(a = :v0",
                        "a IN ()", "begins_with(a)", "a == :v0").get(rnd.nextInt(8));
                e.value(AttributeValue.fromS("x"));
                UpdateItemRequest req = UpdateItemRequest.builder().tableName(t.name).key(key(t))
                        .updateExpression("SET b = :v0").conditionExpression(bad).expressionAttributeValues(e.values()).build();
                return op("error:invalid condition syntax", req, c -> Canonical.of(c.updateItem(req)));
            }
            case 5 -> {
                ExpressionBuilder e = new ExpressionBuilder(rnd);
                String cond = condition(e, 1, ATTR_NAMES);
                switch (rnd.nextInt(4)) {
                    case 0 -> e.addUnusedName();
                    case 1 -> e.addUnusedValue();
                    case 2 -> cond = cond + " AND a = :undefined";
                    default -> cond = cond + " AND #undefined = :v0x";
                }
                PutItemRequest req = PutItemRequest.builder().tableName(t.name).item(item(t)).conditionExpression(cond)
                        .expressionAttributeNames(e.names()).expressionAttributeValues(e.values()).build();
                return op("error:placeholders", req, c -> Canonical.of(c.putItem(req)));
            }
            case 6 -> {
                List<WriteRequest> writes = new ArrayList<>();
                for (int i = 0; i <= BATCH_WRITE_MAX; i++) {
                    Map<String, AttributeValue> item = key(t);
                    item.put(t.hash.name, t.hash.type == ScalarAttributeType.S ? AttributeValue.fromS("many" + i)
                            : t.hash.type == ScalarAttributeType.N ? AttributeValue.fromN(Integer.toString(1000 + i))
                            : AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{9, (byte) i})));
                    writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
                }
                BatchWriteItemRequest req = BatchWriteItemRequest.builder().requestItems(Map.of(t.name, writes)).build();
                return new Op("error:too many batch writes", "BatchWriteItem with 26 puts", c -> Canonical.of(c.batchWriteItem(req)));
            }
            case 7 -> {
                Map<String, AttributeValue> k = key(t);
                List<WriteRequest> writes = List.of(
                        WriteRequest.builder().putRequest(PutRequest.builder().item(k).build()).build(),
                        WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(k).build()).build());
                BatchWriteItemRequest req = BatchWriteItemRequest.builder().requestItems(Map.of(t.name, writes)).build();
                return op("error:duplicate batch keys", req, c -> Canonical.of(c.batchWriteItem(req)));
            }
            case 8 -> {
                Map<String, AttributeValue> k = key(t);
                BatchGetItemRequest req = BatchGetItemRequest.builder().requestItems(Map.of(t.name,
                        KeysAndAttributes.builder().keys(k, k).build())).build();
                return op("error:duplicate batch get keys", req, c -> batchGetResult(c.batchGetItem(req)));
            }
            case 9 -> {
                Map<String, AttributeValue> item = item(t);
                item.put("big", AttributeValue.fromS("x".repeat(OVERSIZE_BYTES)));
                PutItemRequest req = PutItemRequest.builder().tableName(t.name).item(item).build();
                return new Op("error:oversize item", "PutItem with a " + OVERSIZE_BYTES + "-byte string attribute",
                        c -> Canonical.of(c.putItem(req)));
            }
            case 10 -> {
                Map<String, AttributeValue> item = item(t);
                if (t.hash.type == ScalarAttributeType.S) {
                    item.put(t.hash.name, AttributeValue.fromS(""));
                } else {
                    item.put("b", AttributeValue.fromN(rnd.nextBoolean() ? "1E+126" : "1234567890123456789012345678901234567890"));
                }
                PutItemRequest req = PutItemRequest.builder().tableName(t.name).item(item).build();
                return op("error:bad value", req, c -> Canonical.of(c.putItem(req)));
            }
            case 11 -> {
                Map<String, AttributeValue> item = item(t);
                item.put("ss", rnd.nextBoolean() ? AttributeValue.fromSs(List.of()) : AttributeValue.fromSs(List.of("x", "x")));
                PutItemRequest req = PutItemRequest.builder().tableName(t.name).item(item).build();
                return op("error:bad set", req, c -> Canonical.of(c.putItem(req)));
            }
            case 12 -> {
                Map<String, AttributeValue> k = key(t);
                List<TransactWriteItem> actions = List.of(
                        TransactWriteItem.builder().put(Put.builder().tableName(t.name).item(k).build()).build(),
                        TransactWriteItem.builder().delete(Delete.builder().tableName(t.name).key(k).build()).build());
                TransactWriteItemsRequest req = TransactWriteItemsRequest.builder().transactItems(actions).build();
                return op("error:transaction touches an item twice", req, c -> Canonical.of(c.transactWriteItems(req)));
            }
            case 13 -> {
                ExpressionBuilder e = new ExpressionBuilder(rnd);
                String kc = switch (rnd.nextInt(3)) {
                    case 0 -> e.name(t.hash.name) + " <> " + e.value(keyValue(t.hash, PK_DOMAIN));
                    case 1 -> "a = " + e.value(AttributeValue.fromS("x"));
                    default -> e.name(t.hash.name) + " = " + e.value(keyValue(t.hash, PK_DOMAIN)) + " OR "
                            + e.name(t.hash.name) + " = " + e.value(keyValue(t.hash, PK_DOMAIN));
                };
                QueryRequest req = QueryRequest.builder().tableName(t.name).keyConditionExpression(kc)
                        .expressionAttributeNames(e.names()).expressionAttributeValues(e.values()).build();
                return op("error:bad key condition", req, c -> Canonical.of(c.query(req)));
            }
            case 14 -> {
                ExpressionBuilder e = new ExpressionBuilder(rnd);
                String kc = e.name(t.hash.name) + " = " + e.value(keyValue(t.hash, PK_DOMAIN));
                QueryRequest req = QueryRequest.builder().tableName(t.name).keyConditionExpression(kc)
                        .filterExpression(e.name(t.hash.name) + " = " + e.value(keyValue(t.hash, PK_DOMAIN)))
                        .expressionAttributeNames(e.names()).expressionAttributeValues(e.values()).build();
                return op("error:filter on key attribute", req, c -> Canonical.of(c.query(req)));
            }
            case 15 -> {
                ExpressionBuilder e = new ExpressionBuilder(rnd);
                String update = switch (rnd.nextInt(4)) {
                    case 0 -> "SET a = " + e.value(AttributeValue.fromS("x")) + " REMOVE a";
                    case 1 -> "SET a = " + e.value(AttributeValue.fromS("x")) + " SET b = " + e.value(AttributeValue.fromN("1"));
                    case 2 -> "SET " + e.name(t.hash.name) + " = " + e.value(keyValue(t.hash, PK_DOMAIN));
                    default -> "ADD a " + e.value(AttributeValue.fromS("x"));
                };
                UpdateItemRequest req = UpdateItemRequest.builder().tableName(t.name).key(key(t)).updateExpression(update)
                        .expressionAttributeNames(e.names()).expressionAttributeValues(e.values()).build();
                return op("error:bad update expression", req, c -> Canonical.of(c.updateItem(req)));
            }
            case 16 -> {
                CreateTableRequest req = createRequest(t, false);
                return op("error:table exists", req, c -> Canonical.of(c.createTable(req)));
            }
            default -> {
                CreateTableRequest good = createRequest(newTable(prefix + "bad"), false);
                CreateTableRequest req = rnd.nextBoolean()
                        ? good.toBuilder().attributeDefinitions(AttributeDefinition.builder().attributeName("other")
                        .attributeType(ScalarAttributeType.S).build()).build()
                        : good.toBuilder().keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.RANGE).build()).build();
                return op("error:bad table schema", req, c -> Canonical.of(c.createTable(req)));
            }
        }
    }

    private static Op op(String name, Object request, Op.Call call) {
        return new Op(name, String.valueOf(request), call);
    }

    /** Deletes the sequence's tables, ignoring errors (cleanup, not compared). */
    static void cleanup(DynamoDbClient client, List<String> tables) {
        for (String t : tables) {
            try {
                client.deleteTable(DeleteTableRequest.builder().tableName(t).build());
            } catch (RuntimeException ignored) {
                // already deleted by the sequence, or never created
            }
        }
    }
}
