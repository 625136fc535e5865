package dev.nimbus.engine.schema;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.query.FilterEvaluator;

import java.util.Map;
import java.util.Optional;

/**
 * Checks a document against its table's schema: declared required fields are present and
 * declared fields have their type. Undeclared fields are always allowed; null satisfies only
 * {@code any}. Violations are {@code op.schema_validation} naming the field.
 */
public final class SchemaValidator {
    private SchemaValidator() {
    }

    public static void validate(TableSchema schema, Value.Obj fields) {
        for (TableSchema.FieldSpec spec : schema.fields()) {
            Optional<Value> v = FilterEvaluator.resolve(fields, FieldPath.parse(spec.name()));
            if (v.isEmpty()) {
                if (spec.required()) {
                    throw violation(schema, spec, "field '" + spec.name() + "' is required by the schema of table "
                            + schema.table());
                }
                continue;
            }
            if (!spec.type().accepts(v.get())) {
                throw violation(schema, spec, "field '" + spec.name() + "' must be of type "
                        + spec.type().wireName() + " but is " + v.get().kind().name().toLowerCase(java.util.Locale.ROOT));
            }
        }
    }

    private static NimbusException violation(TableSchema schema, TableSchema.FieldSpec spec, String message) {
        return new NimbusException(ErrorCode.SCHEMA_VALIDATION, message, Map.of(
                "table", Value.of(schema.table().value()), "field", Value.of(spec.name()),
                "expectedType", Value.of(spec.type().wireName())));
    }
}
