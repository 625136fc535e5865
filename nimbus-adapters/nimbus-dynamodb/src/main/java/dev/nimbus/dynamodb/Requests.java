package dev.nimbus.dynamodb;

import dev.nimbus.core.value.Value;
import dev.nimbus.dynamodb.expression.ExpressionContext;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Typed access to the members of a request body, with DynamoDB's validation messages. */
final class Requests {
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
    static final int TABLE_NAME_MIN = 3;
    static final int TABLE_NAME_MAX = 255;

    private Requests() {
    }

    static String string(Map<String, Object> body, String member) {
        Object v = body.get(member);
        if (v == null || v == Json.NULL) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw DynamoDbException.serialization(typeWord(v) + " cannot be converted to String");
        }
        return s;
    }

    static Boolean bool(Map<String, Object> body, String member) {
        Object v = body.get(member);
        if (v == null || v == Json.NULL) {
            return null;
        }
        if (!(v instanceof Boolean b)) {
            throw DynamoDbException.serialization(typeWord(v) + " cannot be converted to Boolean");
        }
        return b;
    }

    static Integer integer(Map<String, Object> body, String member) {
        Object v = body.get(member);
        if (v == null || v == Json.NULL) {
            return null;
        }
        if (!(v instanceof BigDecimal d)) {
            throw DynamoDbException.serialization(typeWord(v) + " cannot be converted to Integer");
        }
        try {
            return d.intValueExact();
        } catch (ArithmeticException e) {
            throw DynamoDbException.serialization("Number " + d + " cannot be converted to Integer");
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Map<String, Object> body, String member) {
        Object v = body.get(member);
        if (v == null || v == Json.NULL) {
            return null;
        }
        if (!(v instanceof Map)) {
            throw DynamoDbException.serialization("Unexpected value type in payload for " + member);
        }
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> body, String member) {
        Object v = body.get(member);
        if (v == null || v == Json.NULL) {
            return null;
        }
        if (!(v instanceof List)) {
            throw DynamoDbException.serialization("Unexpected value type in payload for " + member);
        }
        return (List<Object>) v;
    }

    static String typeWord(Object v) {
        return switch (v) {
            case BigDecimal d -> "NUMBER_VALUE";
            case Boolean b -> b ? "TRUE_VALUE" : "FALSE_VALUE";
            case String s -> "STRING_VALUE";
            case Map<?, ?> m -> "START_OBJECT";
            case List<?> l -> "START_ARRAY";
            default -> "VALUE_NULL";
        };
    }

    static DynamoDbException constraint(Object value, String member, String constraint) {
        return DynamoDbException.validation("1 validation error detected: Value " + (value == null ? "null" : "'" + value + "'")
                + " at '" + member + "' failed to satisfy constraint: " + constraint);
    }

    static String tableName(Map<String, Object> body) {
        return tableName(string(body, "TableName"), "tableName");
    }

    static String tableName(String name, String member) {
        if (name == null) {
            throw constraint(null, member, "Member must not be null");
        }
        if (name.length() < TABLE_NAME_MIN) {
            throw constraint(name, member, "Member must have length greater than or equal to " + TABLE_NAME_MIN);
        }
        if (name.length() > TABLE_NAME_MAX) {
            throw constraint(name, member, "Member must have length less than or equal to " + TABLE_NAME_MAX);
        }
        if (!NAME.matcher(name).matches()) {
            throw constraint(name, member, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        }
        return name;
    }

    static String enumValue(Map<String, Object> body, String member, String fieldName, String def, List<String> allowed) {
        String v = string(body, member);
        if (v == null) {
            return def;
        }
        if (!allowed.contains(v)) {
            throw constraint(v, fieldName, "Member must satisfy enum value set: " + allowed);
        }
        return v;
    }

    /** The request's ExpressionAttributeNames/Values as an expression context. */
    static ExpressionContext expressions(Map<String, Object> body) {
        Map<String, Object> rawNames = object(body, "ExpressionAttributeNames");
        Map<String, Object> rawValues = object(body, "ExpressionAttributeValues");
        Map<String, String> names = null;
        if (rawNames != null) {
            names = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : rawNames.entrySet()) {
                if (!(e.getValue() instanceof String s)) {
                    throw DynamoDbException.serialization("Unexpected value type in payload for ExpressionAttributeNames");
                }
                names.put(e.getKey(), s);
            }
        }
        Map<String, Value> values = null;
        if (rawValues != null) {
            values = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : rawValues.entrySet()) {
                try {
                    values.put(e.getKey(), AttributeCodec.decode(e.getValue(), 1));
                } catch (DynamoDbException ex) {
                    if (ex.name().equals("ValidationException")) {
                        throw DynamoDbException.validation("ExpressionAttributeValues contains invalid value: "
                                + ex.getMessage() + " for key " + e.getKey());
                    }
                    throw ex;
                }
            }
        }
        return new ExpressionContext(names, values);
    }

    /** Refuses the legacy (pre-expression) parameters this adapter does not implement. */
    static void refuseLegacy(Map<String, Object> body, String... members) {
        for (String m : members) {
            if (body.containsKey(m)) {
                throw DynamoDbException.validation("Nimbus does not support the legacy parameter " + m
                        + "; use expressions instead");
            }
        }
    }
}
