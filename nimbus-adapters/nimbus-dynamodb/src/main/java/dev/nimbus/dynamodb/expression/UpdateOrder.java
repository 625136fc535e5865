package dev.nimbus.dynamodb.expression;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order in which DynamoDB meets the actions of an UpdateExpression at run time, which decides
 * the error an update with several faults reports (a path under a missing map, an operand that
 * refers to a missing attribute, ...).
 *
 * <p>Observed on DynamoDB Local (probes of two faults in every arrangement, and the differential
 * test): the action paths form a tree walked depth first; at each level the children come in the
 * iteration order of a hash table of the path elements, as in {@code java.util.HashMap} (16
 * buckets, doubling above a load of 0.75) with element hashes {@code 8191 * 127 + h}, where
 * {@code h} is a name's {@code String.hashCode()} or a list index. Elements in the same bucket
 * come latest action first. Each action is checked when it is reached: its path, then its
 * operand. So {@code SET x = x + :n, m.y = :v} on an item without {@code x} and {@code m}
 * reports the path ({@code m} comes before {@code x}), while {@code SET x = x + :n, zz.y = :v}
 * reports the missing {@code x}.
 */
final class UpdateOrder {
    private static final int ELEMENT_HASH_BASE = 8191 * 127;
    private static final int INITIAL_BUCKETS = 16;

    private UpdateOrder() {
    }

    /** {@code actions} in the order they are met; {@code paths.get(i)} is action i's resolved path. */
    static <A> List<A> of(List<A> actions, List<List<Object>> paths) {
        Node<A> root = new Node<>();
        for (int i = 0; i < actions.size(); i++) {
            Node<A> n = root;
            for (Object element : paths.get(i)) {
                n = n.children.computeIfAbsent(element, e -> new Node<>());
            }
            n.actions.add(actions.get(i));
        }
        List<A> out = new ArrayList<>(actions.size());
        root.walk(out);
        return out;
    }

    private static final class Node<A> {
        final Map<Object, Node<A>> children = new LinkedHashMap<>();
        final List<A> actions = new ArrayList<>();

        void walk(List<A> out) {
            out.addAll(actions);
            List<Object> keys = new ArrayList<>(children.keySet());
            int buckets = INITIAL_BUCKETS;
            while (keys.size() > buckets * 3 / 4) {
                buckets *= 2;
            }
            int mask = buckets - 1;
            List<Integer> positions = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                positions.add(i);
            }
            positions.sort(Comparator.comparingInt((Integer i) -> bucket(keys.get(i), mask))
                    .thenComparing(Comparator.<Integer>naturalOrder().reversed()));
            for (int i : positions) {
                children.get(keys.get(i)).walk(out);
            }
        }
    }

    private static int bucket(Object element, int mask) {
        int h = ELEMENT_HASH_BASE + (element instanceof Integer index ? index : element.hashCode());
        return (h ^ (h >>> 16)) & mask;
    }
}
