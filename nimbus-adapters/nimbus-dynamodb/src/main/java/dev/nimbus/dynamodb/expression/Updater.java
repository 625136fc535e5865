package dev.nimbus.dynamodb.expression;

import dev.nimbus.core.value.Value;
import dev.nimbus.dynamodb.AttributeCodec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies an UpdateExpression to an item: every operand is evaluated against the item as it
 * was, then SET, REMOVE, ADD and DELETE take effect. Reports the paths it changed, for
 * {@code UPDATED_OLD}/{@code UPDATED_NEW}.
 */
public final class Updater {
    private static final String INVALID_PATH = "The document path provided in the update expression is invalid for update";
    private static final String MISSING = "The provided expression refers to an attribute that does not exist in the item";
    /** What DynamoDB says when an operand's type does not fit the attribute it is applied to (found at run time). */
    static final String INCORRECT_DATA_TYPE = "An operand in the update expression has an incorrect data type";

    private Updater() {
    }

    public record Result(Map<String, Value> item, List<List<Object>> paths) {
    }

    public static Result apply(List<Ast.UpdateAction> actions, Map<String, Value> original, ExpressionContext ctx) {
        record Step(Ast.UpdateAction action, List<Object> path, Value operand) {
        }
        // DynamoDB's order (see UpdateOrder): actions as met in its walk of the paths; for each,
        // a SET/REMOVE path through a missing parent or a value of the wrong type fails, then its
        // operand (a missing attribute in arithmetic or list_append fails at once).
        List<List<Object>> resolved = new ArrayList<>(actions.size());
        Map<Ast.UpdateAction, List<Object>> pathOf = new IdentityHashMap<>();
        for (Ast.UpdateAction a : actions) {
            List<Object> path = ctx.resolve(a.path());
            resolved.add(path);
            pathOf.put(a, path);
        }
        Map<Ast.UpdateAction, Value> operands = new IdentityHashMap<>();
        for (Ast.UpdateAction a : UpdateOrder.of(actions, resolved)) {
            if (a instanceof Ast.SetAction || a instanceof Ast.RemoveAction) {
                checkPath(original, pathOf.get(a));
            }
            Value v = switch (a) {
                case Ast.SetAction s -> Evaluator.operand(s.value(), original, ctx);
                case Ast.AddAction add -> Evaluator.operand(add.value(), original, ctx);
                case Ast.DeleteAction d -> Evaluator.operand(d.value(), original, ctx);
                case Ast.RemoveAction r -> null;
            };
            if (a instanceof Ast.SetAction && v == null) {
                throw new ExpressionException(MISSING);
            }
            operands.put(a, v);
        }
        List<Step> steps = new ArrayList<>(actions.size());
        for (Ast.UpdateAction a : actions) {
            steps.add(new Step(a, pathOf.get(a), operands.get(a)));
        }
        Map<String, Value> item = new LinkedHashMap<>(original);
        List<List<Object>> paths = new ArrayList<>();
        // Removals of list elements go from the highest index down so earlier ones stay valid.
        List<Step> removals = steps.stream().filter(s -> s.action instanceof Ast.RemoveAction)
                .sorted(Comparator.comparing((Step s) -> s.path.size() > 0 && s.path.get(s.path.size() - 1) instanceof Integer i
                        ? -i : 0)).toList();
        for (Step s : steps) {
            if (s.action instanceof Ast.RemoveAction) {
                continue;
            }
            Value current = Evaluator.get(item, s.path);
            Value next = switch (s.action) {
                case Ast.SetAction set -> s.operand;
                case Ast.AddAction add -> add(current, s.operand);
                case Ast.DeleteAction del -> delete(current, s.operand);
                default -> throw new IllegalStateException();
            };
            item = put(item, s.path, next);
            paths.add(s.path);
        }
        for (Step s : removals) {
            item = put(item, s.path, null);
            paths.add(s.path);
        }
        return new Result(item, paths);
    }

    private static Value add(Value current, Value operand) {
        if (operand instanceof Value.Decimal d) {
            if (current == null) {
                return d;
            }
            if (current instanceof Value.Decimal c) {
                return AttributeCodec.number(c.value().add(d.value()).toPlainString());
            }
            throw new ExpressionException(INCORRECT_DATA_TYPE);
        }
        if (operand instanceof Value.TypedSet s) {
            if (current == null) {
                return s;
            }
            if (current instanceof Value.TypedSet c && c.setKind() == s.setKind()) {
                List<Value> all = new ArrayList<>(c.elements());
                all.addAll(s.elements());
                return new Value.TypedSet(s.setKind(), all);
            }
            throw new ExpressionException(INCORRECT_DATA_TYPE);
        }
        throw OperandTypes.badUpdateOperand("ADD", operand);
    }

    private static Value delete(Value current, Value operand) {
        if (!(operand instanceof Value.TypedSet s)) {
            throw OperandTypes.badUpdateOperand("DELETE", operand);
        }
        if (current == null) {
            return null;
        }
        if (!(current instanceof Value.TypedSet c) || c.setKind() != s.setKind()) {
            throw new ExpressionException(INCORRECT_DATA_TYPE);
        }
        List<Value> left = new ArrayList<>(c.elements());
        left.removeIf(e -> s.elements().stream().anyMatch(x -> dev.nimbus.core.value.ValueOrder.compare(x, e) == 0));
        return left.isEmpty() ? null : new Value.TypedSet(c.setKind(), left);
    }

    /**
     * Refuses a nested path whose parent is missing or that goes through a value of the wrong
     * container type (a name under a non-map, an index under a non-list).
     */
    private static void checkPath(Map<String, Value> item, List<Object> path) {
        Value v = item.get((String) path.get(0));
        for (int i = 1; i < path.size(); i++) {
            Object e = path.get(i);
            if (e instanceof String name) {
                if (!(v instanceof Value.Obj o)) {
                    throw new ExpressionException(INVALID_PATH);
                }
                v = o.fields().get(name);
            } else {
                if (!(v instanceof Value.Array a)) {
                    throw new ExpressionException(INVALID_PATH);
                }
                int index = (Integer) e;
                v = index < a.elements().size() ? a.elements().get(index) : null;
            }
        }
    }

    /** The item with {@code value} at {@code path} (null removes). */
    static Map<String, Value> put(Map<String, Value> item, List<Object> path, Value value) {
        String top = (String) path.get(0);
        Map<String, Value> out = new LinkedHashMap<>(item);
        if (path.size() == 1) {
            if (value == null) {
                out.remove(top);
            } else {
                out.put(top, value);
            }
            return out;
        }
        Value child = item.get(top);
        if (child == null) {
            // Also for REMOVE: a nested path needs its parent (DynamoDB refuses the update).
            throw new ExpressionException(INVALID_PATH);
        }
        out.put(top, putIn(child, path, 1, value));
        return out;
    }

    private static Value putIn(Value container, List<Object> path, int at, Value value) {
        Object key = path.get(at);
        boolean last = at == path.size() - 1;
        if (key instanceof String name) {
            if (!(container instanceof Value.Obj o)) {
                throw new ExpressionException(INVALID_PATH);
            }
            Map<String, Value> fields = new LinkedHashMap<>(o.fields());
            if (last) {
                if (value == null) {
                    fields.remove(name);
                } else {
                    fields.put(name, value);
                }
            } else {
                Value child = fields.get(name);
                if (child == null) {
                    throw new ExpressionException(INVALID_PATH);
                }
                fields.put(name, putIn(child, path, at + 1, value));
            }
            return new Value.Obj(fields);
        }
        int index = (Integer) key;
        if (!(container instanceof Value.Array a)) {
            throw new ExpressionException(INVALID_PATH);
        }
        List<Value> elements = new ArrayList<>(a.elements());
        if (last) {
            if (value == null) {
                if (index < elements.size()) {
                    elements.remove(index);
                }
            } else if (index >= elements.size()) {
                elements.add(value); // beyond the end appends
            } else {
                elements.set(index, value);
            }
        } else {
            if (index >= elements.size()) {
                if (value == null) {
                    return container;
                }
                throw new ExpressionException(INVALID_PATH);
            }
            elements.set(index, putIn(elements.get(index), path, at + 1, value));
        }
        return Value.array(elements);
    }

}
