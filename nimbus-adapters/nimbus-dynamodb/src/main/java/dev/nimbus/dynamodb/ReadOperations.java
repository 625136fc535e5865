package dev.nimbus.dynamodb;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import dev.nimbus.dynamodb.expression.Ast;
import dev.nimbus.dynamodb.expression.Evaluator;
import dev.nimbus.dynamodb.expression.ExpressionContext;
import dev.nimbus.dynamodb.expression.ExpressionException;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.transaction.Transaction;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Query and Scan. Query reads one partition through the engine index on the table's (or the
 * secondary index's) key, in sort-key order; Scan reads the table in key order. Both page like
 * DynamoDB: {@code Limit} and the 1 MB budget count items read before the FilterExpression, and
 * {@code LastEvaluatedKey} (table key, plus the index key on an index) resumes after the last
 * item read. A request reads one snapshot (one read-only engine transaction): the table's catalog
 * entry and every chunk of items; a chunk continues after the last item of the one before.
 */
final class ReadOperations {
    static final long PAGE_BYTES_MAX = 1024 * 1024;
    static final int ENGINE_PAGE_MAX = 1000;
    static final int TOTAL_SEGMENTS_MAX = 1_000_000;
    static final List<String> SELECT = List.of("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT");
    private static final FieldPath ID = FieldPath.of(Document.ID);

    private final Engine engine;
    private final TableCatalog catalog;

    ReadOperations(Engine engine, TableCatalog catalog, ItemOperations items) {
        this.engine = engine;
        this.catalog = catalog;
    }

    /** What a read runs against: the table, or one of its indexes. */
    private record Source(TableDefinition table, Optional<TableDefinition.SecondaryIndex> index) {
        TableDefinition.KeySchema key() {
            return index.map(TableDefinition.SecondaryIndex::key).orElse(table.key());
        }

        /** Attributes a LastEvaluatedKey/ExclusiveStartKey carries. */
        Set<String> startKeyAttributes() {
            Set<String> s = new LinkedHashSet<>(table.key().names());
            index.ifPresent(i -> s.addAll(i.key().names()));
            return s;
        }

        Map<String, Value> projectIndex(Map<String, Value> item) {
            if (index.isEmpty() || index.get().projectionType().equals("ALL")) {
                return item;
            }
            Set<String> keep = startKeyAttributes();
            keep.addAll(index.get().nonKeyAttributes());
            Map<String, Value> out = new LinkedHashMap<>();
            item.forEach((k, v) -> {
                if (keep.contains(k)) {
                    out.put(k, v);
                }
            });
            return out;
        }
    }

    /**
     * One read. {@code last} (Query only) tells whether an item is the last one the key condition
     * can match in read order (its sort key is the inclusive end of the condition's range): a page
     * cut by {@code Limit} at such an item carries no LastEvaluatedKey, as DynamoDB Local does.
     */
    private record Plan(Source source, Query query, Ast.Condition exact, Ast.Condition filter, ExpressionContext ctx,
                        List<List<Object>> projection, String select, Integer limit, String capacity, boolean consistent,
                        int segment, int totalSegments, java.util.function.Predicate<Map<String, Value>> last,
                        boolean forward) {
    }

    // ---- Query -------------------------------------------------------------------------------

    Map<String, Object> query(Call c) {
        return engine.transact(c.tenant(), c.principal(), tx -> query(c, tx));
    }

    private Map<String, Object> query(Call c, Transaction tx) {
        Map<String, Object> b = c.body();
        Requests.refuseLegacy(b, "KeyConditions", "QueryFilter", "AttributesToGet", "ConditionalOperator");
        String name = Requests.tableName(b);
        ExpressionContext ctx = Requests.expressions(b);
        String kce = Requests.string(b, "KeyConditionExpression");
        if (kce == null) {
            throw DynamoDbException.validation("Either the KeyConditions or KeyConditionExpression parameter must be "
                    + "specified in the request.");
        }
        Ast.Condition keyCondition = ctx.condition("KeyConditionExpression", kce);
        Ast.Condition filter = filter(b, ctx);
        List<List<Object>> projection = ItemOperations.projection(b, ctx);
        ctx.checkUnused();
        Common common = common(c, tx, b, name, projection, filter, ctx);
        Source source = common.source;
        KeyRange range = keyRange(keyCondition, source.key(), ctx);
        if (source.index().isPresent()) {
            checkFilterProjected(source, filter, ctx); // Query only: a Scan's filter is not checked
        }
        checkSelectOnIndex(source, common.select);
        if (filter != null) {
            Set<String> keys = new HashSet<>(source.key().names());
            for (String a : topLevelNames(filter, ctx)) {
                if (keys.contains(a)) {
                    throw DynamoDbException.validation("Filter Expression can only contain non-primary key attributes: "
                            + "Primary key attribute: " + a);
                }
            }
        }
        boolean forward = !Boolean.FALSE.equals(Requests.bool(b, "ScanIndexForward"));
        TableDefinition.KeySchema k = source.key();
        List<Filter> conjuncts = new ArrayList<>();
        conjuncts.add(new Filter.Compare(field(k.hash()), Filter.Op.EQ, range.hash));
        k.range().ifPresent(r -> conjuncts.add(new Filter.Exists(field(r), true)));
        conjuncts.addAll(range.sortFilters);
        Map<String, Value> start = exclusiveStart(b, source);
        List<Query.SortKey> order = new ArrayList<>();
        Query.Direction dir = forward ? Query.Direction.ASC : Query.Direction.DESC;
        k.range().ifPresent(r -> order.add(new Query.SortKey(field(r), dir)));
        order.add(new Query.SortKey(ID, dir));
        if (start != null) {
            conjuncts.add(after(source, start, forward));
        }
        Query q = new Query(TableName.of(name), new Filter.And(conjuncts), order, OptionalInt.empty());
        Value upper = null;
        Value lower = null;
        for (Filter f : range.sortFilters) {
            if (f instanceof Filter.Compare cmp) {
                switch (cmp.op()) { // "sk = x" is not a range end for DynamoDB Local: such a page keeps its key
                    case LTE -> upper = cmp.value();
                    case GTE -> lower = cmp.value();
                    default -> {
                    }
                }
            }
        }
        Value end = forward ? upper : lower;
        java.util.function.Predicate<Map<String, Value>> last = item -> end != null && k.range().isPresent()
                && item.get(k.range().get()) != null && dev.nimbus.core.value.ValueOrder.compare(item.get(k.range().get()), end) == 0;
        return run(tx, new Plan(source, q, keyCondition, filter, ctx, projection, common.select, common.limit,
                common.capacity, common.consistent, 0, 0, last, forward));
    }

    // ---- Scan --------------------------------------------------------------------------------

    Map<String, Object> scan(Call c) {
        return engine.transact(c.tenant(), c.principal(), tx -> scan(c, tx));
    }

    private Map<String, Object> scan(Call c, Transaction tx) {
        Map<String, Object> b = c.body();
        Requests.refuseLegacy(b, "ScanFilter", "AttributesToGet", "ConditionalOperator");
        String name = Requests.tableName(b);
        ExpressionContext ctx = Requests.expressions(b);
        Ast.Condition filter = filter(b, ctx);
        List<List<Object>> projection = ItemOperations.projection(b, ctx);
        ctx.checkUnused();
        Integer segment = Requests.integer(b, "Segment");
        Integer total = Requests.integer(b, "TotalSegments");
        if (segment != null && total == null) {
            throw DynamoDbException.validation("The TotalSegments parameter is required but was not present in the request "
                    + "when Segment parameter is present");
        }
        if (total != null && segment == null) {
            throw DynamoDbException.validation("The Segment parameter is required but was not present in the request when "
                    + "parameter TotalSegments is present");
        }
        if (total != null) {
            if (total < 1 || total > TOTAL_SEGMENTS_MAX) {
                throw Requests.constraint(total, "totalSegments", total < 1
                        ? "Member must have value greater than or equal to 1" : "Member must have value less than or equal to 1000000");
            }
            if (segment < 0) {
                throw Requests.constraint(segment, "segment", "Member must have value greater than or equal to 0");
            }
            if (segment >= total) {
                throw DynamoDbException.validation("The Segment parameter is zero-based and must be less than parameter "
                        + "TotalSegments: Segment: " + segment + " is not less than TotalSegments: " + total);
            }
        }
        Common common = common(c, tx, b, name, projection, filter, ctx);
        Source source = common.source;
        List<Filter> conjuncts = new ArrayList<>();
        source.index().ifPresent(i -> i.key().names().forEach(n -> conjuncts.add(new Filter.Exists(field(n), true))));
        Map<String, Value> start = exclusiveStart(b, source);
        if (start != null) {
            conjuncts.add(new Filter.Compare(ID, Filter.Op.GT, Value.of(ItemKeys.idOf(source.table(), start).value())));
        }
        Query q = new Query(TableName.of(name), conjuncts.isEmpty() ? Filter.all() : new Filter.And(conjuncts),
                List.of(new Query.SortKey(ID, Query.Direction.ASC)), OptionalInt.empty());
        return run(tx, new Plan(source, q, null, filter, ctx, projection, common.select, common.limit, common.capacity,
                common.consistent, segment == null ? 0 : segment, total == null ? 0 : total, null, true));
    }

    // ---- shared --------------------------------------------------------------------------------

    private record Common(Source source, String select, Integer limit, String capacity, boolean consistent) {
    }

    private Common common(Call c, Transaction tx, Map<String, Object> b, String name, List<List<Object>> projection,
                          Ast.Condition filter, ExpressionContext ctx) {
        String select = Requests.enumValue(b, "Select", "select", null, SELECT);
        Integer limit = Requests.integer(b, "Limit");
        if (limit != null && limit < 1) {
            throw Requests.constraint(limit, "limit", "Member must have value greater than or equal to 1");
        }
        String capacity = Requests.enumValue(b, "ReturnConsumedCapacity", "returnConsumedCapacity", "NONE",
                ItemOperations.CAPACITY);
        boolean consistent = Boolean.TRUE.equals(Requests.bool(b, "ConsistentRead"));
        String indexName = Requests.string(b, "IndexName");
        TableDefinition t = catalog.require(tx, c.tenant(), name);
        Optional<TableDefinition.SecondaryIndex> index = Optional.empty();
        if (indexName != null) {
            index = t.index(indexName);
            if (index.isEmpty()) {
                throw DynamoDbException.validation("The table does not have the specified index: " + indexName);
            }
            if (consistent && index.get().global()) {
                throw DynamoDbException.validation("Consistent reads are not supported on global secondary indexes");
            }
        }
        if (select == null) {
            select = projection != null ? "SPECIFIC_ATTRIBUTES" : index.isPresent() ? "ALL_PROJECTED_ATTRIBUTES" : "ALL_ATTRIBUTES";
        } else if (projection != null && !select.equals("SPECIFIC_ATTRIBUTES")) {
            throw DynamoDbException.validation("Cannot specify the ProjectionExpression when choosing to get " + select);
        }
        if (select.equals("ALL_PROJECTED_ATTRIBUTES") && index.isEmpty()) {
            throw DynamoDbException.validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
        }
        Source source = new Source(t, index);
        if (projection != null && index.isPresent() && index.get().global() && !index.get().projectionType().equals("ALL")) {
            // A GSI has no way back to the table's item: a projection may only name projected attributes.
            Set<String> projected = source.startKeyAttributes();
            projected.addAll(index.get().nonKeyAttributes());
            // Named in the order of a java.util.HashSet of the names, as DynamoDB lists them
            // (probed: "n, ns" -> [ns, n]; "a, zz, n, t, ns" -> [zz, a, t, ns, n]).
            Set<String> missing = new java.util.HashSet<>();
            projection.forEach(path -> missing.add((String) path.get(0)));
            missing.removeAll(projected);
            if (!missing.isEmpty()) {
                throw DynamoDbException.validation("One or more parameter values were invalid: Global secondary index "
                        + indexName + " does not project " + missing);
            }
        }
        if (!b.containsKey("KeyConditionExpression")) {
            checkSelectOnIndex(source, select); // a Query checks it after its key condition and filter
        }
        return new Common(source, select, limit, capacity, consistent);
    }

    private static void checkSelectOnIndex(Source source, String select) {
        Optional<TableDefinition.SecondaryIndex> index = source.index();
        if (select.equals("ALL_ATTRIBUTES") && index.isPresent() && index.get().global()
                && !index.get().projectionType().equals("ALL")) {
            throw DynamoDbException.validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is "
                    + "not supported for global secondary index " + index.get().name() + " because its projection type is not ALL");
        }
    }

    /**
     * A Query's filter on a secondary index may only read attributes the index projects (DynamoDB
     * Local 3.3.1 refuses it for LSIs too, whatever the Select; the differential test follows it).
     */
    private static void checkFilterProjected(Source source, Ast.Condition filter, ExpressionContext ctx) {
        TableDefinition.SecondaryIndex index = source.index().orElseThrow();
        if (filter == null || index.projectionType().equals("ALL")) {
            return;
        }
        Set<String> projected = source.startKeyAttributes();
        projected.addAll(index.nonKeyAttributes());
        Set<String> missing = new java.util.TreeSet<>(topLevelNames(filter, ctx));
        missing.removeAll(projected);
        if (!missing.isEmpty()) {
            throw DynamoDbException.validation("One or more parameter values were invalid: Secondary index " + index.name()
                    + " does not project one or more filter attributes: " + missing);
        }
    }

    private Map<String, Object> run(Transaction tx, Plan p) {
        int limit = p.limit == null ? Integer.MAX_VALUE : p.limit;
        List<Object> items = new ArrayList<>();
        int scanned = 0;
        long bytes = 0;
        Map<String, Value> lastEvaluated = null;
        Filter continueAfter = null;
        boolean stopped = false;
        while (!stopped) {
            int chunk = (int) Math.min(ENGINE_PAGE_MAX, Math.max(1L, (long) limit - scanned));
            Filter f = continueAfter == null ? p.query.filter() : Filter.and(p.query.filter(), continueAfter);
            List<Document> documents = tx.query(new Query(p.query.table(), f, p.query.order(), OptionalInt.of(chunk)));
            for (Document d : documents) {
                Map<String, Value> item = AttributeCodec.fromFields(d.fields());
                if (p.exact != null && !Evaluator.test(p.exact, item, p.ctx)) {
                    continue; // outside the key condition (the engine's range is a superset)
                }
                if (p.totalSegments > 0 && segmentOf(p.source.table(), item, p.totalSegments) != p.segment) {
                    continue;
                }
                scanned++;
                bytes += AttributeCodec.itemSize(item);
                // ALL_ATTRIBUTES and SPECIFIC_ATTRIBUTES read the table's item (a GSI projection was checked
                // beforehand; an LSI fetches what it does not project), the others what the index projects.
                Map<String, Value> visible = p.select.equals("ALL_ATTRIBUTES") || p.select.equals("SPECIFIC_ATTRIBUTES")
                        ? item : p.source.projectIndex(item);
                // A Scan of an index filters on the whole item (DynamoDB Local does; a Query's filter is
                // checked against the index projection beforehand).
                Map<String, Value> filtered = p.exact == null ? item : visible;
                if (p.filter == null || Evaluator.test(p.filter, filtered, p.ctx)) {
                    if (!p.select.equals("COUNT")) {
                        items.add(new AttributeCodec.WireItem(ItemOperations.project(visible, p.projection)));
                    } else {
                        items.add(Boolean.TRUE);
                    }
                }
                if (scanned >= limit || bytes >= PAGE_BYTES_MAX) {
                    // A key condition on a table without a sort key matches one item at most: nothing can follow.
                    boolean single = p.exact != null && p.source.index().isEmpty() && p.source.table().key().range().isEmpty();
                    lastEvaluated = single || (p.last != null && p.last.test(item)) ? null : startKeyOf(p.source, item);
                    stopped = true;
                    break;
                }
            }
            if (stopped || documents.size() < chunk) {
                break;
            }
            Map<String, Value> lastRead = AttributeCodec.fromFields(documents.getLast().fields());
            continueAfter = p.exact == null
                    ? new Filter.Compare(ID, Filter.Op.GT, Value.of(documents.getLast().id().value()))
                    : after(p.source, startKeyOf(p.source, lastRead), p.forward);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (!p.select.equals("COUNT")) {
            out.put("Items", items);
        }
        out.put("Count", (long) items.size());
        out.put("ScannedCount", (long) scanned);
        if (lastEvaluated != null) {
            out.put("LastEvaluatedKey", AttributeCodec.encodeItem(lastEvaluated));
        }
        double units = Capacity.read(bytes, p.consistent);
        Map<String, Double> indexUnits = p.source.index().map(i -> Map.of(i.name(), units)).orElse(Map.of());
        if (!p.capacity.equals("NONE")) {
            Map<String, Object> cc = new LinkedHashMap<>();
            cc.put("TableName", p.source.table().name());
            cc.put("CapacityUnits", units);
            if (p.capacity.equals("INDEXES")) {
                if (p.source.index().isPresent()) {
                    cc.put("Table", Map.of("CapacityUnits", 0.0));
                    cc.put(p.source.index().get().global() ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes",
                            Map.of(p.source.index().get().name(), Map.of("CapacityUnits", indexUnits.values().iterator().next())));
                } else {
                    cc.put("Table", Map.of("CapacityUnits", units));
                }
            }
            out.put("ConsumedCapacity", cc);
        }
        return out;
    }

    private static int segmentOf(TableDefinition t, Map<String, Value> item, int total) {
        int h = DocumentId.derivedFrom(item.get(t.key().hash())).hashCode();
        return Math.floorMod(h, total);
    }

    private static Map<String, Value> startKeyOf(Source s, Map<String, Value> item) {
        Map<String, Value> key = new LinkedHashMap<>();
        for (String n : s.startKeyAttributes()) {
            key.put(n, item.get(n));
        }
        return key;
    }

    private static Map<String, Value> exclusiveStart(Map<String, Object> b, Source s) {
        Object raw = b.get("ExclusiveStartKey");
        if (raw == null) {
            return null;
        }
        Map<String, Value> start = AttributeCodec.item(raw, "ExclusiveStartKey");
        Set<String> expected = s.startKeyAttributes();
        if (!start.keySet().equals(expected)) {
            throw DynamoDbException.validation("The provided starting key is invalid: The provided key element does not match the schema");
        }
        for (String n : expected) {
            String type = s.table().key().names().contains(n) ? s.table().key().typeOf(n) : s.key().typeOf(n);
            if (!AttributeCodec.typeOf(start.get(n)).equals(type)) {
                throw DynamoDbException.validation("The provided starting key is invalid: The provided key element does not match the schema");
            }
        }
        return start;
    }

    /** Items strictly after the start key in the read order: (sort key, item id). */
    private static Filter after(Source s, Map<String, Value> start, boolean forward) {
        Value id = Value.of(ItemKeys.idOf(s.table(), start).value());
        Filter.Op beyond = forward ? Filter.Op.GT : Filter.Op.LT;
        Filter idAfter = new Filter.Compare(ID, beyond, id);
        Optional<String> r = s.key().range();
        if (r.isEmpty()) {
            return idAfter;
        }
        Value sv = start.get(r.get());
        return new Filter.Or(List.of(new Filter.Compare(field(r.get()), beyond, sv),
                Filter.and(new Filter.Compare(field(r.get()), Filter.Op.EQ, sv), idAfter)));
    }

    private static Ast.Condition filter(Map<String, Object> b, ExpressionContext ctx) {
        String src = Requests.string(b, "FilterExpression");
        return src == null ? null : ctx.condition("FilterExpression", src);
    }

    static FieldPath field(String attribute) {
        return FieldPath.of(AttributeCodec.fieldName(attribute));
    }

    // ---- key conditions ------------------------------------------------------------------------

    private record KeyRange(Value hash, List<Filter> sortFilters) {
    }

    private static KeyRange keyRange(Ast.Condition c, TableDefinition.KeySchema key, ExpressionContext ctx) {
        List<Ast.Condition> parts = new ArrayList<>();
        flatten(c, parts);
        Value hash = null;
        List<Filter> sort = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Ast.Condition part : parts) {
            String attr;
            switch (part) {
                case Ast.Compare cmp -> {
                    Ast.Comparator op = cmp.op();
                    Ast.Operand pathSide = cmp.left();
                    Ast.Operand valueSide = cmp.right();
                    if (!(pathSide instanceof Ast.PathOperand)) {
                        pathSide = cmp.right();
                        valueSide = cmp.left();
                        op = flip(op);
                    }
                    attr = keyAttribute(pathSide, ctx);
                    Value v = keyValue(valueSide, ctx);
                    if (op == Ast.Comparator.NE) {
                        throw invalidOperator("<>");
                    }
                    if (!seen.add(attr)) {
                        throw DynamoDbException.validation("KeyConditionExpressions must only contain one condition per key");
                    }
                    if (!attr.equals(key.hash()) && key.range().filter(attr::equals).isEmpty()) {
                        throw missed(key, hash != null || seen.contains(key.hash()));
                    }
                    checkType(key, attr, v);
                    if (attr.equals(key.hash())) {
                        if (op != Ast.Comparator.EQ) {
                            throw DynamoDbException.validation("Query key condition not supported");
                        }
                        hash = v;
                    } else if (key.range().filter(attr::equals).isPresent()) {
                        sort.add(new Filter.Compare(field(attr), switch (op) {
                            case EQ -> Filter.Op.EQ;
                            case LT -> Filter.Op.LT;
                            case LE -> Filter.Op.LTE;
                            case GT -> Filter.Op.GT;
                            default -> Filter.Op.GTE;
                        }, v));
                    } else {
                        throw missed(key, hash != null || seen.contains(key.hash()));
                    }
                }
                case Ast.Between bt -> {
                    attr = keyAttribute(bt.value(), ctx);
                    Value lo = keyValue(bt.low(), ctx);
                    Value hi = keyValue(bt.high(), ctx);
                    requireSortKeyOnce(key, attr, seen);
                    checkType(key, attr, lo);
                    checkType(key, attr, hi);
                    if (lo.compareTo(hi) > 0) {
                        throw keyError("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                                + "lower bound operand: AttributeValue: " + show(lo) + ", upper bound operand: AttributeValue: " + show(hi));
                    }
                    sort.add(new Filter.Compare(field(attr), Filter.Op.GTE, lo));
                    sort.add(new Filter.Compare(field(attr), Filter.Op.LTE, hi));
                }
                case Ast.Function f -> {
                    if (!f.name().equals("begins_with")) {
                        throw invalidOperator(f.name());
                    }
                    attr = keyAttribute(f.args().get(0), ctx);
                    Value prefix = keyValue(f.args().get(1), ctx);
                    requireSortKeyOnce(key, attr, seen);
                    checkType(key, attr, prefix);
                    if (prefix instanceof Value.Str s) {
                        sort.add(new Filter.Prefix(field(attr), s.value()));
                    } else if (prefix instanceof Value.Bytes) {
                        sort.add(new Filter.Compare(field(attr), Filter.Op.GTE, prefix));
                    } else {
                        throw keyError("Incorrect operand type for operator or function; operator or function: begins_with, "
                                + "operand type: N");
                    }
                }
                case Ast.Or o -> throw invalidOperator("OR");
                case Ast.Not n -> throw invalidOperator("NOT");
                case Ast.In i -> throw invalidOperator("IN");
                case Ast.And a -> throw new IllegalStateException("flattened");
            }
        }
        if (hash == null) {
            throw DynamoDbException.validation("Query condition missed key schema element: " + key.hash());
        }
        return new KeyRange(hash, sort);
    }

    /** BETWEEN and begins_with apply to the sort key only, once. */
    private static void requireSortKeyOnce(TableDefinition.KeySchema key, String attr, Set<String> seen) {
        if (!seen.add(attr)) {
            throw DynamoDbException.validation("KeyConditionExpressions must only contain one condition per key");
        }
        if (key.range().filter(attr::equals).isEmpty()) {
            if (attr.equals(key.hash())) {
                throw DynamoDbException.validation("Query key condition not supported");
            }
            throw missed(key, true);
        }
    }

    private static DynamoDbException missed(TableDefinition.KeySchema key, boolean hashSeen) {
        return DynamoDbException.validation("Query condition missed key schema element: "
                + (hashSeen ? key.range().orElse(key.hash()) : key.hash()));
    }

    /** DynamoDB's refusal of an operator a key condition cannot use (no "Invalid KeyConditionExpression:" prefix). */
    private static DynamoDbException invalidOperator(String operator) {
        return DynamoDbException.validation("Invalid operator used in KeyConditionExpression: " + operator);
    }

    private static ExpressionException keyError(String detail) {
        return new ExpressionException("Invalid KeyConditionExpression: " + detail);
    }

    private static void checkType(TableDefinition.KeySchema key, String attr, Value v) {
        if (!AttributeCodec.typeOf(v).equals(key.typeOf(attr))) {
            throw DynamoDbException.validation("One or more parameter values were invalid: Condition parameter type does not "
                    + "match schema type");
        }
    }

    private static String keyAttribute(Ast.Operand o, ExpressionContext ctx) {
        if (!(o instanceof Ast.PathOperand p)) {
            throw invalidOperator("size");
        }
        List<Object> path = ctx.resolve(p.path());
        if (path.size() != 1) {
            throw keyError("KeyConditionExpressions cannot contain nested attributes: " + path);
        }
        return (String) path.get(0);
    }

    private static Value keyValue(Ast.Operand o, ExpressionContext ctx) {
        if (!(o instanceof Ast.ValueRef r)) {
            throw keyError("KeyConditionExpressions must only contain one condition per key");
        }
        return ctx.value(r.name());
    }

    private static Ast.Comparator flip(Ast.Comparator op) {
        return switch (op) {
            case LT -> Ast.Comparator.GT;
            case LE -> Ast.Comparator.GE;
            case GT -> Ast.Comparator.LT;
            case GE -> Ast.Comparator.LE;
            default -> op;
        };
    }

    private static void flatten(Ast.Condition c, List<Ast.Condition> out) {
        if (c instanceof Ast.And a) {
            flatten(a.left(), out);
            flatten(a.right(), out);
        } else {
            out.add(c);
        }
    }

    private static String show(Value v) {
        if (v instanceof Value.Bytes bytes) {
            return Evaluator.showBinary(bytes);
        }
        Map.Entry<?, ?> e = ((Map<?, ?>) AttributeCodec.encode(v)).entrySet().iterator().next();
        return "{" + e.getKey() + ":" + e.getValue() + "}";
    }

    /** The top-level attribute names a condition reads. */
    static Set<String> topLevelNames(Ast.Condition c, ExpressionContext ctx) {
        Set<String> out = new HashSet<>();
        collect(c, ctx, out);
        return out;
    }

    private static void collect(Ast.Condition c, ExpressionContext ctx, Set<String> out) {
        switch (c) {
            case Ast.And a -> {
                collect(a.left(), ctx, out);
                collect(a.right(), ctx, out);
            }
            case Ast.Or o -> {
                collect(o.left(), ctx, out);
                collect(o.right(), ctx, out);
            }
            case Ast.Not n -> collect(n.operand(), ctx, out);
            case Ast.Compare cmp -> {
                operandNames(cmp.left(), ctx, out);
                operandNames(cmp.right(), ctx, out);
            }
            case Ast.Between bt -> {
                operandNames(bt.value(), ctx, out);
                operandNames(bt.low(), ctx, out);
                operandNames(bt.high(), ctx, out);
            }
            case Ast.In in -> {
                operandNames(in.value(), ctx, out);
                in.candidates().forEach(o -> operandNames(o, ctx, out));
            }
            case Ast.Function f -> f.args().forEach(o -> operandNames(o, ctx, out));
        }
    }

    private static void operandNames(Ast.Operand o, ExpressionContext ctx, Set<String> out) {
        if (o instanceof Ast.PathOperand p) {
            out.add((String) ctx.resolve(p.path()).get(0));
        } else if (o instanceof Ast.SizeOf s) {
            out.add((String) ctx.resolve(s.path()).get(0));
        }
    }
}
