package dev.nimbus.dynamodb;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.value.Value;
import dev.nimbus.dynamodb.expression.Ast;
import dev.nimbus.dynamodb.expression.Evaluator;
import dev.nimbus.dynamodb.expression.ExpressionContext;
import dev.nimbus.dynamodb.expression.Projector;
import dev.nimbus.dynamodb.expression.Updater;
import dev.nimbus.engine.Engine;
import dev.nimbus.engine.transaction.Transaction;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * PutItem, GetItem, UpdateItem and DeleteItem. Every write is one engine transaction: the
 * item is read, the ConditionExpression is evaluated against it, and the write commits only if
 * nothing it read changed meanwhile, so the condition and the write are atomic.
 */
final class ItemOperations {
    /** DynamoDB's item size limit (names and values), 400 KB. */
    static final long ITEM_BYTES_MAX = 400 * 1024;
    static final List<String> RETURN_VALUES = List.of("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW");
    static final List<String> ON_FAILURE = List.of("NONE", "ALL_OLD");
    static final List<String> CAPACITY = List.of("INDEXES", "TOTAL", "NONE");

    private final Engine engine;
    private final TableCatalog catalog;

    ItemOperations(Engine engine, TableCatalog catalog) {
        this.engine = engine;
        this.catalog = catalog;
    }

    TableCatalog catalog() {
        return catalog;
    }

    // ---- reads -------------------------------------------------------------------------------

    Map<String, Object> getItem(Call c) {
        Map<String, Object> b = c.body();
        Requests.refuseLegacy(b, "AttributesToGet");
        String name = Requests.tableName(b);
        ExpressionContext ctx = Requests.expressions(b);
        List<List<Object>> projection = projection(b, ctx);
        ctx.checkUnused();
        String capacity = Requests.enumValue(b, "ReturnConsumedCapacity", "returnConsumedCapacity", "NONE", CAPACITY);
        boolean consistent = Boolean.TRUE.equals(Requests.bool(b, "ConsistentRead"));
        // One snapshot for the table's catalog entry (usually cached by its sequence) and the item.
        Optional<Map<String, Value>> item = engine.transact(c.tenant(), c.principal(), tx -> {
            TableDefinition t = catalog.require(tx, c.tenant(), name);
            Map<String, Value> key = ItemKeys.validateKey(t, key(b, "Key"));
            return current(tx, t, ItemKeys.idOf(t, key));
        });
        Map<String, Object> out = new LinkedHashMap<>();
        item.ifPresent(i -> out.put("Item", new AttributeCodec.WireItem(project(i, projection))));
        double units = Capacity.read(item.map(AttributeCodec::itemSize).orElse(0L), consistent);
        Capacity.put(out, capacity, name, units, Map.of());
        return out;
    }

    Optional<Map<String, Value>> read(Call c, TableDefinition t, Map<String, Value> key) {
        return engine.get(c.tenant(), c.principal(), TableName.of(t.name()), ItemKeys.idOf(t, key))
                .map(d -> AttributeCodec.fromFields(d.fields()));
    }

    static Map<String, Value> key(Map<String, Object> b, String member) {
        Object k = b.get(member);
        if (k == null) {
            throw Requests.constraint(null, Character.toLowerCase(member.charAt(0)) + member.substring(1), "Member must not be null");
        }
        return AttributeCodec.item(k, member);
    }

    static List<List<Object>> projection(Map<String, Object> b, ExpressionContext ctx) {
        String src = Requests.string(b, "ProjectionExpression");
        if (src == null) {
            return null;
        }
        List<List<Object>> paths = new ArrayList<>();
        for (Ast.Path p : ctx.projection(src)) {
            paths.add(ctx.resolve(p));
        }
        return paths;
    }

    static Map<String, Value> project(Map<String, Value> item, List<List<Object>> projection) {
        return projection == null ? item : Projector.project(item, projection);
    }

    // ---- writes ------------------------------------------------------------------------------

    /** What one conditional write did: the item before and after. */
    record Written(Optional<Map<String, Value>> before, Optional<Map<String, Value>> after, List<List<Object>> updatedPaths) {
    }

    Map<String, Object> putItem(Call c) {
        Map<String, Object> b = c.body();
        Requests.refuseLegacy(b, "Expected", "ConditionalOperator");
        String name = Requests.tableName(b);
        Object rawItem = b.get("Item");
        if (rawItem == null) {
            throw Requests.constraint(null, "item", "Member must not be null");
        }
        Map<String, Value> item = AttributeCodec.item(rawItem, "Item");
        ExpressionContext ctx = Requests.expressions(b);
        Ast.Condition condition = condition(b, ctx);
        ctx.checkUnused();
        String rv = returnValues(b, List.of("NONE", "ALL_OLD"), "PutItem");
        boolean oldOnFailure = returnOnFailure(b);
        String capacity = Requests.enumValue(b, "ReturnConsumedCapacity", "returnConsumedCapacity", "NONE", CAPACITY);
        // The catalog entry is read in the write's snapshot (usually from the cache by its sequence).
        TableDefinition[] table = new TableDefinition[1];
        Written w = engine.transact(c.tenant(), c.principal(), tx -> {
            TableDefinition t = table[0] = catalog.require(tx, c.tenant(), name);
            ItemKeys.validateItem(t, item);
            checkSize(item, "Item size has exceeded the maximum allowed size");
            DocumentId id = ItemKeys.idOf(t, item);
            Optional<Map<String, Value>> before = current(tx, t, id);
            check(condition, before, ctx, oldOnFailure);
            put(tx, t, id, before, item);
            return new Written(before, Optional.of(item), List.of());
        });
        return allOldAnswer(w, table[0], rv, capacity, name);
    }

    Map<String, Object> deleteItem(Call c) {
        Map<String, Object> b = c.body();
        Requests.refuseLegacy(b, "Expected", "ConditionalOperator");
        String name = Requests.tableName(b);
        ExpressionContext ctx = Requests.expressions(b);
        Ast.Condition condition = condition(b, ctx);
        ctx.checkUnused();
        String rv = returnValues(b, List.of("NONE", "ALL_OLD"), "DeleteItem");
        boolean oldOnFailure = returnOnFailure(b);
        String capacity = Requests.enumValue(b, "ReturnConsumedCapacity", "returnConsumedCapacity", "NONE", CAPACITY);
        TableDefinition[] table = new TableDefinition[1];
        Written w = engine.transact(c.tenant(), c.principal(), tx -> {
            TableDefinition t = table[0] = catalog.require(tx, c.tenant(), name);
            Map<String, Value> key = ItemKeys.validateKey(t, key(b, "Key"));
            DocumentId id = ItemKeys.idOf(t, key);
            Optional<Map<String, Value>> before = current(tx, t, id);
            check(condition, before, ctx, oldOnFailure);
            if (before.isPresent()) {
                tx.delete(TableName.of(t.name()), id);
            }
            return new Written(before, Optional.empty(), List.of());
        });
        return allOldAnswer(w, table[0], rv, capacity, name);
    }

    /** The answer of PutItem and DeleteItem: the old item if asked for (ALL_OLD), and capacity. */
    private static Map<String, Object> allOldAnswer(Written w, TableDefinition t, String rv, String capacity,
                                                    String name) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (rv.equals("ALL_OLD")) {
            w.before().ifPresent(i -> out.put("Attributes", AttributeCodec.encodeItem(i)));
        }
        Capacity.put(out, capacity, name, Capacity.write(w), Capacity.indexWrites(t, w));
        return out;
    }

    Map<String, Object> updateItem(Call c) {
        Map<String, Object> b = c.body();
        Requests.refuseLegacy(b, "Expected", "ConditionalOperator", "AttributeUpdates");
        String name = Requests.tableName(b);
        ExpressionContext ctx = Requests.expressions(b);
        String src = Requests.string(b, "UpdateExpression");
        List<Ast.UpdateAction> actions = src == null ? List.of() : ctx.update(src);
        Ast.Condition condition = condition(b, ctx);
        ctx.checkUnused();
        String rv = returnValues(b, RETURN_VALUES, "UpdateItem");
        boolean oldOnFailure = returnOnFailure(b);
        String capacity = Requests.enumValue(b, "ReturnConsumedCapacity", "returnConsumedCapacity", "NONE", CAPACITY);
        TableDefinition[] table = new TableDefinition[1];
        Written w = engine.transact(c.tenant(), c.principal(), tx -> {
            TableDefinition t = table[0] = catalog.require(tx, c.tenant(), name);
            Map<String, Value> key = ItemKeys.validateKey(t, key(b, "Key"));
            for (Ast.UpdateAction a : actions) {
                String top = (String) ctx.resolve(a.path()).get(0);
                if (t.key().names().contains(top)) {
                    throw DynamoDbException.validation("One or more parameter values were invalid: Cannot update attribute "
                            + top + ". This attribute is part of the key");
                }
            }
            return update(tx, t, ItemKeys.idOf(t, key), key, actions, condition, ctx, oldOnFailure);
        });
        TableDefinition t = table[0];
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Value> attributes = switch (rv) {
            case "ALL_OLD" -> w.before().orElse(null);
            case "ALL_NEW" -> w.after().orElse(null);
            case "UPDATED_OLD" -> w.before().map(i -> Projector.project(i, w.updatedPaths())).orElse(null);
            case "UPDATED_NEW" -> w.after().map(i -> Projector.project(i, w.updatedPaths())).orElse(null);
            default -> null;
        };
        if (attributes != null && !attributes.isEmpty()) {
            out.put("Attributes", AttributeCodec.encodeItem(attributes));
        }
        Capacity.put(out, capacity, name, Capacity.write(w), Capacity.indexWrites(t, w));
        return out;
    }

    /** The update inside a transaction (also used by TransactWriteItems). */
    Written update(Transaction tx, TableDefinition t, DocumentId id, Map<String, Value> key, List<Ast.UpdateAction> actions,
                   Ast.Condition condition, ExpressionContext ctx, boolean oldOnFailure) {
        Optional<Map<String, Value>> before = current(tx, t, id);
        check(condition, before, ctx, oldOnFailure);
        Map<String, Value> start = new LinkedHashMap<>(before.orElse(key));
        Updater.Result r = Updater.apply(actions, start, ctx);
        Map<String, Value> after = new LinkedHashMap<>(r.item());
        ItemKeys.validateIndexKeys(t, after);
        checkSize(after, "Item size to update has exceeded the maximum allowed size");
        put(tx, t, id, before, after);
        return new Written(before, Optional.of(after), r.paths());
    }

    static Optional<Map<String, Value>> current(Transaction tx, TableDefinition t, DocumentId id) {
        return tx.get(TableName.of(t.name()), id).map(Document::fields).map(AttributeCodec::fromFields);
    }

    static void put(Transaction tx, TableDefinition t, DocumentId id, Optional<Map<String, Value>> before,
                    Map<String, Value> item) {
        TableName table = TableName.of(t.name());
        if (before.isPresent()) {
            tx.replace(table, id, AttributeCodec.toFields(item));
        } else {
            tx.insert(table, id, AttributeCodec.toFields(item));
        }
    }

    static void check(Ast.Condition condition, Optional<Map<String, Value>> before, ExpressionContext ctx,
                      boolean oldOnFailure) {
        if (condition != null && !Evaluator.test(condition, before.orElse(Map.of()), ctx)) {
            throw DynamoDbException.conditionalCheckFailed(oldOnFailure && before.isPresent()
                    ? AttributeCodec.encodeItem(before.get()) : null);
        }
    }

    static void checkSize(Map<String, Value> item, String message) {
        if (AttributeCodec.itemSize(item) > ITEM_BYTES_MAX) {
            throw DynamoDbException.validation(message);
        }
    }

    static Ast.Condition condition(Map<String, Object> b, ExpressionContext ctx) {
        String src = Requests.string(b, "ConditionExpression");
        return src == null ? null : ctx.condition("ConditionExpression", src);
    }

    static String returnValues(Map<String, Object> b, List<String> allowed, String op) {
        String rv = Requests.enumValue(b, "ReturnValues", "returnValues", "NONE", RETURN_VALUES);
        if (!allowed.contains(rv)) {
            throw DynamoDbException.validation("ReturnValues can only be ALL_OLD or NONE");
        }
        return rv;
    }

    static boolean returnOnFailure(Map<String, Object> b) {
        return Requests.enumValue(b, "ReturnValuesOnConditionCheckFailure", "returnValuesOnConditionCheckFailure",
                "NONE", ON_FAILURE).equals("ALL_OLD");
    }
}
