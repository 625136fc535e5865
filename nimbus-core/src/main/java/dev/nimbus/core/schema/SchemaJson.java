package dev.nimbus.core.schema;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Nimbus's JSON schema format, read and written:
 * {@code {"table", "fields": [{"name", "field_type", "required"}],
 * "indexes": [{"name", "fields": [..], "state"}], "policy": {"read", "write"}}}.
 * {@code state} defaults to {@code enabled}; {@code policy} and its rules are optional.
 */
public final class SchemaJson {
    private SchemaJson() {
    }

    public static String write(TableSchema schema) {
        return ValueJson.write(toValue(schema));
    }

    public static Value.Obj toValue(TableSchema schema) {
        Map<String, Value> out = new LinkedHashMap<>();
        out.put("table", Value.of(schema.table().value()));
        List<Value> fields = new ArrayList<>();
        for (TableSchema.FieldSpec f : schema.fields()) {
            fields.add(obj("name", Value.of(f.name()), "field_type", Value.of(f.type().wireName()),
                    "required", Value.of(f.required())));
        }
        out.put("fields", Value.array(fields));
        List<Value> indexes = new ArrayList<>();
        for (TableSchema.IndexDefinition i : schema.indexes()) {
            List<Value> paths = i.fields().stream().map(p -> (Value) Value.of(p.toString())).toList();
            indexes.add(obj("name", Value.of(i.name()), "fields", Value.array(paths),
                    "state", Value.of(i.state().wireName())));
        }
        out.put("indexes", Value.array(indexes));
        schema.policy().ifPresent(p -> {
            Map<String, Value> rules = new LinkedHashMap<>();
            p.read().ifPresent(r -> rules.put("read", Value.of(r)));
            p.write().ifPresent(w -> rules.put("write", Value.of(w)));
            out.put("policy", new Value.Obj(rules));
        });
        return new Value.Obj(out);
    }

    public static TableSchema read(String json) {
        return fromValue(ValueJson.read(json));
    }

    /** Parsed stored schemas by their text. */
    private static final dev.nimbus.core.util.BoundedMemo<String, TableSchema> STORED =
            new dev.nimbus.core.util.BoundedMemo<>(512, SchemaJson::read);

    /**
     * {@link #read} for a schema as a provider stored it: storage hands back the same text for
     * every read of an unchanged schema, and reads check the schema on every query, so the
     * parsed (immutable) schema is kept by its text. A changed schema is new text, parsed anew.
     */
    public static TableSchema readStored(String json) {
        return STORED.get(json);
    }

    public static TableSchema fromValue(Value v) {
        Value.Obj o = object(v, "schema");
        // The general constructor: Nimbus's own tables have schemas too. Surfaces that take a
        // schema from a client check the name against the table in the request path.
        TableName table = new TableName(string(o.get("table"), "table"));
        List<TableSchema.FieldSpec> fields = new ArrayList<>();
        for (Value f : array(o.get("fields"), "fields", true)) {
            Value.Obj fo = object(f, "fields[]");
            FieldType type;
            try {
                type = FieldType.fromWireName(string(fo.get("field_type"), "field_type"));
            } catch (IllegalArgumentException e) {
                throw invalid(e.getMessage());
            }
            Value required = fo.get("required");
            if (required != null && !(required instanceof Value.Bool)) {
                throw invalid("'required' is a boolean");
            }
            fields.add(new TableSchema.FieldSpec(string(fo.get("name"), "fields[].name"), type,
                    required instanceof Value.Bool b && b.value()));
        }
        List<TableSchema.IndexDefinition> indexes = new ArrayList<>();
        for (Value i : array(o.get("indexes"), "indexes", true)) {
            Value.Obj io = object(i, "indexes[]");
            List<FieldPath> paths = new ArrayList<>();
            for (Value p : array(io.get("fields"), "indexes[].fields", false)) {
                paths.add(FieldPath.parse(string(p, "indexes[].fields[]")));
            }
            TableSchema.IndexState state = TableSchema.IndexState.ENABLED;
            if (io.get("state") != null) {
                try {
                    state = TableSchema.IndexState.valueOf(
                            string(io.get("state"), "state").toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw invalid("index state is pending, backfilling, enabled or deleting");
                }
            }
            indexes.add(new TableSchema.IndexDefinition(string(io.get("name"), "indexes[].name"), paths, state));
        }
        Optional<TableSchema.AccessPolicy> policy = Optional.empty();
        if (o.get("policy") != null && !(o.get("policy") instanceof Value.Null)) {
            Value.Obj po = object(o.get("policy"), "policy");
            policy = Optional.of(new TableSchema.AccessPolicy(
                    optionalString(po.get("read"), "policy.read"),
                    optionalString(po.get("write"), "policy.write")));
        }
        return new TableSchema(table, fields, indexes, policy);
    }

    private static Value.Obj obj(Object... kv) {
        Map<String, Value> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Value) kv[i + 1]);
        }
        return new Value.Obj(m);
    }

    private static Value.Obj object(Value v, String what) {
        if (v instanceof Value.Obj o) {
            return o;
        }
        throw invalid("'" + what + "' is an object");
    }

    private static List<Value> array(Value v, String what, boolean optional) {
        if (v == null && optional) {
            return List.of();
        }
        if (v instanceof Value.Array a) {
            return a.elements();
        }
        throw invalid("'" + what + "' is an array");
    }

    private static String string(Value v, String what) {
        if (v instanceof Value.Str s) {
            return s.value();
        }
        throw invalid("'" + what + "' is a string");
    }

    private static Optional<String> optionalString(Value v, String what) {
        if (v == null || v instanceof Value.Null) {
            return Optional.empty();
        }
        return Optional.of(string(v, what));
    }

    private static NimbusException invalid(String message) {
        return new NimbusException(ErrorCode.INVALID_INPUT, "invalid schema: " + message);
    }
}
