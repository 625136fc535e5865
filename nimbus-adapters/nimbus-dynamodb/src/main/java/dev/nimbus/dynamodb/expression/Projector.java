package dev.nimbus.dynamodb.expression;

import dev.nimbus.core.value.Value;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps only the projected paths of an item. As in DynamoDB, projected list elements come back
 * as a shorter list holding just those elements, in index order.
 */
public final class Projector {
    private Projector() {
    }

    public static Map<String, Value> project(Map<String, Value> item, List<List<Object>> paths) {
        Map<String, Object> tree = new LinkedHashMap<>();
        for (List<Object> path : paths) {
            Value v = Evaluator.get(item, path);
            if (v == null) {
                continue;
            }
            insert(tree, path, 0, v);
        }
        Map<String, Value> out = new LinkedHashMap<>();
        tree.forEach((k, node) -> out.put(k, build(node)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void insert(Object node, List<Object> path, int at, Value v) {
        Object key = path.get(at);
        boolean last = at == path.size() - 1;
        Object next = path.size() > at + 1 ? path.get(at + 1) : null;
        if (!(node instanceof TreeMap)) {
            Map<String, Object> m = (Map<String, Object>) node;
            if (last) {
                m.put((String) key, v);
            } else {
                Object child = m.computeIfAbsent((String) key, k -> next instanceof Integer ? new TreeMap<Integer, Object>()
                        : new LinkedHashMap<String, Object>());
                insert(child, path, at + 1, v);
            }
        } else {
            TreeMap<Integer, Object> l = (TreeMap<Integer, Object>) node;
            if (last) {
                l.put((Integer) key, v);
            } else {
                Object child = l.computeIfAbsent((Integer) key, k -> next instanceof Integer ? new TreeMap<Integer, Object>()
                        : new LinkedHashMap<String, Object>());
                insert(child, path, at + 1, v);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Value build(Object node) {
        if (node instanceof Value v) {
            return v;
        }
        if (node instanceof TreeMap<?, ?> l) {
            List<Value> elements = new ArrayList<>();
            ((TreeMap<Integer, Object>) l).values().forEach(x -> elements.add(build(x)));
            return Value.array(elements);
        }
        Map<String, Value> fields = new LinkedHashMap<>();
        ((Map<String, Object>) node).forEach((k, x) -> fields.put(k, build(x)));
        return new Value.Obj(fields);
    }
}
