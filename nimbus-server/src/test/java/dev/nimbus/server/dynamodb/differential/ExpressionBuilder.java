package dev.nimbus.server.dynamodb.differential;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Collects the {@code #name} and {@code :value} placeholders of the expressions of one request,
 * so that every placeholder is defined and used exactly once (unless an op breaks that on purpose).
 */
final class ExpressionBuilder {
    /** Attribute names the generator uses that are DynamoDB reserved words: they always need a placeholder. */
    static final Set<String> RESERVED = Set.of("status", "name", "size");

    private final Random rnd;
    private final Map<String, String> names = new TreeMap<>();
    private final Map<String, AttributeValue> values = new TreeMap<>();

    ExpressionBuilder(Random rnd) {
        this.rnd = rnd;
    }

    /** The attribute name as it appears in an expression: literal, or a {@code #placeholder}. */
    String name(String attr) {
        if (RESERVED.contains(attr) || rnd.nextInt(3) == 0) {
            for (Map.Entry<String, String> e : names.entrySet()) {
                if (e.getValue().equals(attr)) {
                    return e.getKey();
                }
            }
            String p = "#n" + names.size();
            names.put(p, attr);
            return p;
        }
        return attr;
    }

    /** A fresh {@code :placeholder} bound to {@code v}. */
    String value(AttributeValue v) {
        String p = ":v" + values.size();
        values.put(p, v);
        return p;
    }

    /** Names map for the request, or null when empty (the SDK then omits the member). */
    Map<String, String> names() {
        return names.isEmpty() ? null : names;
    }

    Map<String, AttributeValue> values() {
        return values.isEmpty() ? null : values;
    }

    /** Adds a name placeholder no expression uses (DynamoDB rejects that). */
    void addUnusedName() {
        names.put("#unused", "a");
    }

    /** Adds a value placeholder no expression uses (DynamoDB rejects that). */
    void addUnusedValue() {
        values.put(":unused", AttributeValue.fromS("x"));
    }
}
