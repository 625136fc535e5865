package dev.nimbus.dynamodb;

import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.value.Value;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Primary keys: validation with DynamoDB's messages and the derived document id that makes a
 * key lookup a point read. The id encodes the tuple (partition[, sort]) order-preservingly.
 */
final class ItemKeys {
    static final int PARTITION_KEY_BYTES_MAX = 2048;
    static final int SORT_KEY_BYTES_MAX = 1024;

    private ItemKeys() {
    }

    /** A {@code Key} parameter: exactly the table's key attributes, well typed. */
    static Map<String, Value> validateKey(TableDefinition t, Map<String, Value> key) {
        List<String> names = t.key().names();
        if (key.size() != names.size() || !key.keySet().containsAll(names)) {
            throw DynamoDbException.validation("The provided key element does not match the schema");
        }
        for (String n : names) {
            Value v = key.get(n);
            if (!AttributeCodec.typeOf(v).equals(t.key().typeOf(n))) {
                throw DynamoDbException.validation("The provided key element does not match the schema");
            }
            checkKeyValue(n, v, n.equals(t.key().hash()));
        }
        return key;
    }

    /** A PutItem item: key attributes present and typed, index key attributes typed. */
    static void validateItem(TableDefinition t, Map<String, Value> item) {
        for (String n : t.key().names()) {
            Value v = item.get(n);
            if (v == null) {
                throw DynamoDbException.validation("One or more parameter values were invalid: Missing the key " + n + " in the item");
            }
            String expected = t.key().typeOf(n);
            if (!AttributeCodec.typeOf(v).equals(expected)) {
                throw DynamoDbException.validation("One or more parameter values were invalid: Type mismatch for key "
                        + n + " expected: " + expected + " actual: " + AttributeCodec.typeOf(v));
            }
            checkKeyValue(n, v, n.equals(t.key().hash()));
        }
        validateIndexKeys(t, item);
    }

    static void validateIndexKeys(TableDefinition t, Map<String, Value> item) {
        for (TableDefinition.SecondaryIndex i : t.indexes()) {
            for (String n : i.key().names()) {
                Value v = item.get(n);
                if (v == null) {
                    continue;
                }
                String expected = i.key().typeOf(n);
                if (!AttributeCodec.typeOf(v).equals(expected)) {
                    throw DynamoDbException.validation("One or more parameter values were invalid: Type mismatch for Index Key "
                            + n + " Expected: " + expected + " Actual: " + AttributeCodec.typeOf(v) + " IndexName: " + i.name());
                }
                if (isEmpty(v)) {
                    throw DynamoDbException.validation("One or more parameter values are not valid. A value specified for a "
                            + "secondary index key is not supported. The AttributeValue for a key attribute cannot contain an "
                            + "empty " + (v instanceof Value.Str ? "string" : "binary") + " value. IndexName: " + i.name()
                            + ", IndexKey: " + n);
                }
            }
        }
    }

    private static void checkKeyValue(String name, Value v, boolean partition) {
        if (isEmpty(v)) {
            throw DynamoDbException.validation("One or more parameter values are not valid. The AttributeValue for a key "
                    + "attribute cannot contain an empty " + (v instanceof Value.Str ? "string" : "binary") + " value. Key: " + name);
        }
        long size = AttributeCodec.valueSize(v);
        if (partition && size > PARTITION_KEY_BYTES_MAX) {
            throw DynamoDbException.validation("One or more parameter values were invalid: Size of hashkey has exceeded "
                    + "the maximum size limit of2048 bytes");
        }
        if (!partition && size > SORT_KEY_BYTES_MAX) {
            throw DynamoDbException.validation("One or more parameter values were invalid: Aggregated size of all range "
                    + "keys has exceeded the size limit of 1024 bytes");
        }
    }

    private static boolean isEmpty(Value v) {
        return (v instanceof Value.Str s && s.value().isEmpty()) || (v instanceof Value.Bytes b && b.length() == 0);
    }

    static Map<String, Value> keyOf(TableDefinition.KeySchema k, Map<String, Value> item) {
        Map<String, Value> key = new LinkedHashMap<>();
        for (String n : k.names()) {
            Value v = item.get(n);
            if (v != null) {
                key.put(n, v);
            }
        }
        return key;
    }

    /** The document id of the item with this key. */
    static DocumentId idOf(TableDefinition t, Map<String, Value> keyOrItem) {
        List<Value> tuple = new ArrayList<>();
        for (String n : t.key().names()) {
            tuple.add(keyOrItem.get(n));
        }
        try {
            return DocumentId.derivedFrom(Value.array(tuple));
        } catch (NimbusException e) {
            long bytes = tuple.stream().mapToLong(AttributeCodec::valueSize).sum();
            throw DynamoDbException.validation("One or more parameter values were invalid: the primary key takes "
                    + bytes + " bytes; Nimbus stores keys of at most about " + (DocumentId.LENGTH_MAX * 5 / 8 - 8)
                    + " bytes (DDB-DIV-001)");
        }
    }

    static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
