package dev.nimbus.core.schema;

import dev.nimbus.core.value.Value;

/** The declared type of a schema field, in Nimbus's schema format ({@code field_type}). */
public enum FieldType {
    STRING, NUMBER, BOOLEAN, ARRAY, OBJECT, BYTES, TIMESTAMP, ANY;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static FieldType fromWireName(String name) {
        for (FieldType t : values()) {
            if (t.wireName().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown field_type '" + name
                + "'; expected string, number, boolean, array, object, bytes, timestamp or any");
    }

    /** Whether {@code v} is acceptable for a field of this type. Null is never of a type but ANY. */
    public boolean accepts(Value v) {
        return switch (this) {
            case ANY -> true;
            case STRING -> v.typeClass() == Value.TypeClass.STRING;
            case NUMBER -> v.typeClass() == Value.TypeClass.NUMBER;
            case BOOLEAN -> v.typeClass() == Value.TypeClass.BOOLEAN;
            case ARRAY -> v.typeClass() == Value.TypeClass.ARRAY || v.typeClass() == Value.TypeClass.SET;
            case OBJECT -> v.typeClass() == Value.TypeClass.OBJECT;
            case BYTES -> v.typeClass() == Value.TypeClass.BYTES;
            case TIMESTAMP -> v.typeClass() == Value.TypeClass.TIMESTAMP;
        };
    }
}
