package dev.nimbus.dynamodb;

import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.dynamodb.expression.Ast;
import dev.nimbus.dynamodb.expression.ExpressionContext;
import dev.nimbus.dynamodb.expression.ExpressionException;
import dev.nimbus.engine.Engine;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * BatchGetItem, BatchWriteItem, TransactGetItems and TransactWriteItems. A batch write commits
 * as one engine transaction (stronger than DynamoDB, which only makes each item atomic), so
 * {@code UnprocessedItems} is always empty. A transaction evaluates every condition against one
 * snapshot and commits all writes at once or none; {@code ClientRequestToken}s are remembered
 * for 10 minutes per tenant.
 */
final class BatchOperations {
    static final int BATCH_WRITE_MAX = 25;
    static final int BATCH_GET_MAX = 100;
    static final int TRANSACT_ITEMS_MAX = 100;
    static final long TRANSACT_BYTES_MAX = 4L * 1024 * 1024;
    static final Duration TOKEN_TTL = Duration.ofMinutes(10);
    static final int TOKENS_MAX = 100_000;

    private final Engine engine;
    private final TableCatalog catalog;
    private final ItemOperations items;
    private final Clock clock;
    private final Map<String, TokenUse> tokens = new ConcurrentHashMap<>();

    private record TokenUse(String requestHash, long expiresMillis) {
    }

    BatchOperations(Engine engine, TableCatalog catalog, ItemOperations items, Clock clock) {
        this.engine = engine;
        this.catalog = catalog;
        this.items = items;
        this.clock = clock;
    }

    /** A batch request's {@code RequestItems}: present and not empty. */
    private static Map<String, Object> requestItems(Call c) {
        Map<String, Object> request = Requests.object(c.body(), "RequestItems");
        if (request == null) {
            throw Requests.constraint(null, "requestItems", "Member must not be null");
        }
        if (request.isEmpty()) {
            throw Requests.constraint("{}", "requestItems", "Member must have length greater than or equal to 1");
        }
        return request;
    }

    // ---- BatchGetItem --------------------------------------------------------------------------

    Map<String, Object> batchGetItem(Call c) {
        Map<String, Object> request = requestItems(c);
        String capacity = Requests.enumValue(c.body(), "ReturnConsumedCapacity", "returnConsumedCapacity", "NONE",
                ItemOperations.CAPACITY);
        record Plan(TableDefinition table, List<Map<String, Value>> keys, List<List<Object>> projection, boolean consistent) {
        }
        List<Plan> plans = new ArrayList<>();
        int total = 0;
        for (Map.Entry<String, Object> e : request.entrySet()) {
            String name = Requests.tableName(e.getKey(), "requestItems.key");
            Map<String, Object> spec = TableOperations.asMap(e.getValue());
            Requests.refuseLegacy(spec, "AttributesToGet");
            List<Object> rawKeys = Requests.list(spec, "Keys");
            if (rawKeys == null || rawKeys.isEmpty()) {
                throw Requests.constraint(rawKeys == null ? null : "[]", "requestItems." + name + ".member.keys",
                        rawKeys == null ? "Member must not be null" : "Member must have length greater than or equal to 1");
            }
            total += rawKeys.size();
            if (total > BATCH_GET_MAX) {
                throw DynamoDbException.validation("Too many items requested for the BatchGetItem call");
            }
            ExpressionContext ctx = Requests.expressions(spec);
            List<List<Object>> projection = ItemOperations.projection(spec, ctx);
            ctx.checkUnused();
            if (new HashSet<>(rawKeys).size() < rawKeys.size()) {
                // Identical keys are refused before the table is looked up, as DynamoDB does.
                throw DynamoDbException.validation("Provided list of item keys contains duplicates");
            }
            TableDefinition t = catalog.require(c.tenant(), name);
            List<Map<String, Value>> keys = new ArrayList<>();
            Set<DocumentId> seen = new HashSet<>();
            for (Object k : rawKeys) {
                Map<String, Value> key = ItemKeys.validateKey(t, AttributeCodec.item(k, "Keys"));
                if (!seen.add(ItemKeys.idOf(t, key))) {
                    throw DynamoDbException.validation("Provided list of item keys contains duplicates");
                }
                keys.add(key);
            }
            plans.add(new Plan(t, keys, projection, Boolean.TRUE.equals(Requests.bool(spec, "ConsistentRead"))));
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        List<Object> consumed = new ArrayList<>();
        for (Plan p : plans) {
            List<Object> found = new ArrayList<>();
            long bytes = 0;
            for (Map<String, Value> key : p.keys) {
                Optional<Map<String, Value>> item = items.read(c, p.table, key);
                if (item.isPresent()) {
                    bytes += AttributeCodec.itemSize(item.get());
                    found.add(AttributeCodec.encodeItem(ItemOperations.project(item.get(), p.projection)));
                }
            }
            responses.put(p.table.name(), found);
            consumed.add(Capacity.consumed(capacity, p.table.name(), Capacity.read(bytes, p.consistent), Map.of()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Responses", responses);
        out.put("UnprocessedKeys", Map.of());
        if (!capacity.equals("NONE")) {
            out.put("ConsumedCapacity", consumed);
        }
        return out;
    }

    // ---- BatchWriteItem ------------------------------------------------------------------------

    Map<String, Object> batchWriteItem(Call c) {
        Map<String, Object> request = requestItems(c);
        String capacity = Requests.enumValue(c.body(), "ReturnConsumedCapacity", "returnConsumedCapacity", "NONE",
                ItemOperations.CAPACITY);
        record Write(TableDefinition table, DocumentId id, Map<String, Value> item) {
        }
        List<Write> writes = new ArrayList<>();
        int total = 0;
        for (Map.Entry<String, Object> e : request.entrySet()) {
            String name = Requests.tableName(e.getKey(), "requestItems.key");
            if (!(e.getValue() instanceof List<?> list)) {
                throw DynamoDbException.serialization("Unexpected value type in payload for RequestItems");
            }
            total += list.size();
            if (list.isEmpty() || total > BATCH_WRITE_MAX) {
                throw Requests.constraint(request.keySet(), "requestItems", "Map value must satisfy constraint: "
                        + "[Member must have length less than or equal to 25, Member must have length greater than or equal to 1]");
            }
        }
        for (Map.Entry<String, Object> e : request.entrySet()) {
            TableDefinition t = catalog.require(c.tenant(), e.getKey());
            Set<DocumentId> seen = new HashSet<>();
            for (Object o : (List<?>) e.getValue()) {
                Map<String, Object> r = TableOperations.asMap(o);
                Map<String, Object> put = Requests.object(r, "PutRequest");
                Map<String, Object> delete = Requests.object(r, "DeleteRequest");
                if ((put == null) == (delete == null)) {
                    throw DynamoDbException.validation("Supplied AttributeValue has more than one datatypes set, must "
                            + "contain exactly one of the supported datatypes");
                }
                Write w;
                if (put != null) {
                    Map<String, Value> item = AttributeCodec.item(put.get("Item"), "Item");
                    ItemKeys.validateItem(t, item);
                    ItemOperations.checkSize(item, "Item size has exceeded the maximum allowed size");
                    w = new Write(t, ItemKeys.idOf(t, item), item);
                } else {
                    Map<String, Value> key = ItemKeys.validateKey(t, AttributeCodec.item(delete.get("Key"), "Key"));
                    w = new Write(t, ItemKeys.idOf(t, key), null);
                }
                if (!seen.add(w.id)) {
                    throw DynamoDbException.validation("Provided list of item keys contains duplicates");
                }
                writes.add(w);
            }
        }
        Map<String, Double> units = engine.transact(c.tenant(), c.principal(), tx -> {
            Map<String, Double> u = new LinkedHashMap<>();
            for (Write w : writes) {
                Optional<Map<String, Value>> before = ItemOperations.current(tx, w.table, w.id);
                if (w.item != null) {
                    ItemOperations.put(tx, w.table, w.id, before, w.item);
                } else if (before.isPresent()) {
                    tx.delete(TableName.of(w.table.name()), w.id);
                }
                u.merge(w.table.name(), Capacity.write(new ItemOperations.Written(before, Optional.ofNullable(w.item),
                        List.of())), Double::sum);
            }
            return u;
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("UnprocessedItems", Map.of());
        if (!capacity.equals("NONE")) {
            List<Object> consumed = new ArrayList<>();
            units.forEach((t, n) -> consumed.add(Capacity.consumed(capacity, t, n, Map.of())));
            out.put("ConsumedCapacity", consumed);
        }
        return out;
    }

    // ---- TransactGetItems ----------------------------------------------------------------------

    Map<String, Object> transactGetItems(Call c) {
        List<Object> actions = Requests.list(c.body(), "TransactItems");
        if (actions == null) {
            throw Requests.constraint(null, "transactItems", "Member must not be null");
        }
        if (actions.isEmpty() || actions.size() > TRANSACT_ITEMS_MAX) {
            throw Requests.constraint("[...]", "transactItems", actions.isEmpty()
                    ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 100");
        }
        String capacity = Requests.enumValue(c.body(), "ReturnConsumedCapacity", "returnConsumedCapacity", "NONE",
                ItemOperations.CAPACITY);
        record Get(TableDefinition table, DocumentId id, List<List<Object>> projection) {
        }
        List<Get> gets = new ArrayList<>();
        for (Object o : actions) {
            Map<String, Object> g = Requests.object(TableOperations.asMap(o), "Get");
            if (g == null) {
                throw Requests.constraint(null, "transactItems.member.get", "Member must not be null");
            }
            String name = Requests.tableName(g);
            ExpressionContext ctx = Requests.expressions(g);
            List<List<Object>> projection = ItemOperations.projection(g, ctx);
            ctx.checkUnused();
            TableDefinition t = catalog.require(c.tenant(), name);
            Map<String, Value> key = ItemKeys.validateKey(t, ItemOperations.key(g, "Key"));
            gets.add(new Get(t, ItemKeys.idOf(t, key), projection));
        }
        List<Optional<Map<String, Value>>> found = engine.transact(c.tenant(), c.principal(), tx -> {
            List<Optional<Map<String, Value>>> r = new ArrayList<>();
            for (Get g : gets) {
                r.add(ItemOperations.current(tx, g.table, g.id));
            }
            return r;
        });
        List<Object> responses = new ArrayList<>();
        Map<String, Double> units = new LinkedHashMap<>();
        for (int i = 0; i < gets.size(); i++) {
            Get g = gets.get(i);
            Optional<Map<String, Value>> item = found.get(i);
            responses.add(item.map(x -> (Object) Map.of("Item", AttributeCodec.encodeItem(ItemOperations.project(x, g.projection))))
                    .orElse(Map.of()));
            units.merge(g.table.name(), 2 * Capacity.read(item.map(AttributeCodec::itemSize).orElse(0L), true), Double::sum);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Responses", responses);
        if (!capacity.equals("NONE")) {
            List<Object> consumed = new ArrayList<>();
            units.forEach((t, n) -> consumed.add(Capacity.consumed(capacity, t, n, Map.of())));
            out.put("ConsumedCapacity", consumed);
        }
        return out;
    }

    // ---- TransactWriteItems --------------------------------------------------------------------

    /** One parsed action of TransactWriteItems. */
    private record Action(String kind, TableDefinition table, DocumentId id, Map<String, Value> key, Map<String, Value> item,
                          List<Ast.UpdateAction> update, Ast.Condition condition, ExpressionContext ctx,
                          boolean oldOnFailure) {
    }

    /** Thrown inside the engine transaction to cancel it with per-action reasons. */
    private static final class Cancelled extends RuntimeException {
        final List<Object> reasons;

        Cancelled(List<Object> reasons) {
            super(null, null, false, false);
            this.reasons = reasons;
        }
    }

    Map<String, Object> transactWriteItems(Call c) {
        Map<String, Object> b = c.body();
        List<Object> raw = Requests.list(b, "TransactItems");
        if (raw == null) {
            throw Requests.constraint(null, "transactItems", "Member must not be null");
        }
        if (raw.isEmpty() || raw.size() > TRANSACT_ITEMS_MAX) {
            throw Requests.constraint("[...]", "transactItems", raw.isEmpty()
                    ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 100");
        }
        if (Json.write(b).length > TRANSACT_BYTES_MAX) {
            throw DynamoDbException.validation("Transaction request size exceeds the maximum allowed size of 4 MB");
        }
        String capacity = Requests.enumValue(b, "ReturnConsumedCapacity", "returnConsumedCapacity", "NONE",
                ItemOperations.CAPACITY);
        String token = Requests.string(b, "ClientRequestToken");
        if (token != null && (token.isEmpty() || token.length() > 36)) {
            throw Requests.constraint(token, "clientRequestToken", "Member must have length less than or equal to 36");
        }
        List<Action> actions = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        DynamoDbException missingTable = null;
        for (Object o : raw) {
            Action a;
            try {
                a = action(c, TableOperations.asMap(o));
            } catch (DynamoDbException e) {
                // Every action's expressions are validated before a missing table is reported.
                if (!e.name().equals("ResourceNotFoundException")) {
                    throw e;
                }
                missingTable = missingTable == null ? e : missingTable;
                continue;
            }
            if (!seen.add(a.table.name() + "\u0000" + a.id.value())) {
                throw DynamoDbException.validation("Transaction request cannot include multiple operations on one item");
            }
            actions.add(a);
        }
        if (missingTable != null) {
            throw missingTable;
        }
        if (token != null) {
            String hash = requestHash(b);
            String slot = c.tenant().value() + "\u0000" + token;
            long now = clock.millis();
            TokenUse prior = tokens.get(slot);
            if (prior != null && prior.expiresMillis > now) {
                if (!prior.requestHash.equals(hash)) {
                    throw DynamoDbException.idempotentParameterMismatch();
                }
                return transactResult(capacity, actions, List.of()); // already applied: nothing runs twice
            }
            Map<String, Object> out = execute(c, actions, capacity);
            if (tokens.size() >= TOKENS_MAX) {
                tokens.values().removeIf(t -> t.expiresMillis <= now);
            }
            tokens.put(slot, new TokenUse(hash, now + TOKEN_TTL.toMillis()));
            return out;
        }
        return execute(c, actions, capacity);
    }

    private Map<String, Object> execute(Call c, List<Action> actions, String capacity) {
        List<ItemOperations.Written> written;
        try {
            written = engine.transact(c.tenant(), c.principal(), tx -> {
                List<Object> reasons = new ArrayList<>();
                boolean failed = false;
                List<ItemOperations.Written> done = new ArrayList<>();
                // Every action is checked in order (the items are distinct, so no action sees another's write):
                // its condition against the item as it was, then the write itself; each gets its reason.
                for (Action a : actions) {
                    Optional<Map<String, Value>> before = ItemOperations.current(tx, a.table, a.id);
                    boolean ok = a.condition == null
                            || dev.nimbus.dynamodb.expression.Evaluator.test(a.condition, before.orElse(Map.of()), a.ctx);
                    Map<String, Object> reason = new LinkedHashMap<>();
                    if (ok) {
                        try {
                            done.add(apply(tx, a));
                            reason.put("Code", "None");
                        } catch (ExpressionException | DynamoDbException e) {
                            failed = true;
                            reason.put("Code", "ValidationError");
                            reason.put("Message", e.getMessage());
                        }
                    } else {
                        failed = true;
                        reason.put("Code", "ConditionalCheckFailed");
                        reason.put("Message", "The conditional request failed");
                        if (a.oldOnFailure && before.isPresent()) {
                            reason.put("Item", AttributeCodec.encodeItem(before.get()));
                        }
                    }
                    reasons.add(reason);
                }
                if (failed) {
                    throw new Cancelled(reasons);
                }
                return done;
            });
        } catch (Cancelled e) {
            List<String> codes = e.reasons.stream().map(r -> (String) ((Map<?, ?>) r).get("Code")).toList();
            throw DynamoDbException.transactionCanceled("Transaction cancelled, please refer cancellation reasons for "
                    + "specific reasons " + codes.toString().replace(", ", ", "), e.reasons);
        }
        return transactResult(capacity, actions, written);
    }

    private Map<String, Object> transactResult(String capacity, List<Action> actions, List<ItemOperations.Written> written) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!capacity.equals("NONE")) {
            Map<String, Double> units = new LinkedHashMap<>();
            for (int i = 0; i < actions.size(); i++) {
                double u = i < written.size() ? 2 * Capacity.write(written.get(i)) : 2.0;
                units.merge(actions.get(i).table.name(), u, Double::sum);
            }
            List<Object> consumed = new ArrayList<>();
            units.forEach((t, n) -> consumed.add(Capacity.consumed(capacity, t, n, Map.of())));
            out.put("ConsumedCapacity", consumed);
        }
        return out;
    }

    private ItemOperations.Written apply(dev.nimbus.engine.transaction.Transaction tx, Action a) {
        Optional<Map<String, Value>> before = ItemOperations.current(tx, a.table, a.id);
        return switch (a.kind) {
            case "Put" -> {
                ItemOperations.put(tx, a.table, a.id, before, a.item);
                yield new ItemOperations.Written(before, Optional.of(a.item), List.of());
            }
            case "Delete" -> {
                if (before.isPresent()) {
                    tx.delete(TableName.of(a.table.name()), a.id);
                }
                yield new ItemOperations.Written(before, Optional.empty(), List.of());
            }
            case "Update" -> items.update(tx, a.table, a.id, a.key, a.update, null, a.ctx, false);
            default -> new ItemOperations.Written(before, before, List.of()); // ConditionCheck
        };
    }

    private Action action(Call c, Map<String, Object> wrapper) {
        if (wrapper.size() != 1) {
            throw DynamoDbException.validation("TransactItems can only contain one of Check, Put, Update or Delete");
        }
        String kind = wrapper.keySet().iterator().next();
        Map<String, Object> m = TableOperations.asMap(wrapper.get(kind));
        if (!List.of("Put", "Update", "Delete", "ConditionCheck").contains(kind)) {
            throw DynamoDbException.serialization("Unknown member " + kind + " in TransactWriteItem");
        }
        String name = Requests.tableName(m);
        ExpressionContext ctx = Requests.expressions(m);
        List<Ast.UpdateAction> update = List.of();
        if (kind.equals("Update")) {
            String src = Requests.string(m, "UpdateExpression");
            if (src == null) {
                throw Requests.constraint(null, "transactItems.member.update.updateExpression", "Member must not be null");
            }
            update = ctx.update(src);
        }
        Ast.Condition condition = ItemOperations.condition(m, ctx);
        if (kind.equals("ConditionCheck") && condition == null) {
            throw Requests.constraint(null, "transactItems.member.conditionCheck.conditionExpression", "Member must not be null");
        }
        ctx.checkUnused();
        boolean oldOnFailure = ItemOperations.returnOnFailure(m);
        TableDefinition t = catalog.require(c.tenant(), name);
        Map<String, Value> item = null;
        Map<String, Value> key;
        if (kind.equals("Put")) {
            Object rawItem = m.get("Item");
            if (rawItem == null) {
                throw Requests.constraint(null, "transactItems.member.put.item", "Member must not be null");
            }
            item = AttributeCodec.item(rawItem, "Item");
            ItemKeys.validateItem(t, item);
            ItemOperations.checkSize(item, "Item size has exceeded the maximum allowed size");
            key = ItemKeys.keyOf(t.key(), item);
        } else {
            key = ItemKeys.validateKey(t, ItemOperations.key(m, "Key"));
        }
        for (Ast.UpdateAction u : update) {
            String top = (String) ctx.resolve(u.path()).get(0);
            if (t.key().names().contains(top)) {
                throw DynamoDbException.validation("One or more parameter values were invalid: Cannot update attribute "
                        + top + ". This attribute is part of the key");
            }
        }
        return new Action(kind, t, ItemKeys.idOf(t, key), key, item, update, condition, ctx, oldOnFailure);
    }

    private static String requestHash(Map<String, Object> body) {
        Map<String, Object> copy = new LinkedHashMap<>(body);
        copy.remove("ReturnConsumedCapacity");
        copy.remove("ReturnItemCollectionMetrics");
        return SigV4Verifier.sha256Hex(Json.write(copy));
    }

}
