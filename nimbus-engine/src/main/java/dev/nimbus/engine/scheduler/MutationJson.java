package dev.nimbus.engine.scheduler;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.value.Value;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Nimbus's mutation objects, as the schedule and cron APIs take them and as jobs are stored:
 * {@code {"type": "insert", "table", "fields", "id"?}}, {@code {"type": "update", "table", "id",
 * "patch"}}, {@code {"type": "delete", "table", "id"}}.
 */
public final class MutationJson {
    private MutationJson() {
    }

    public static Value.Obj toValue(Mutation m) {
        Map<String, Value> out = new LinkedHashMap<>();
        switch (m) {
            case Mutation.Insert i -> {
                out.put("type", Value.of("insert"));
                out.put("table", Value.of(i.table().value()));
                i.id().ifPresent(id -> out.put("id", Value.of(id.value())));
                out.put("fields", i.fields());
            }
            case Mutation.Patch p -> {
                if (!p.unset().isEmpty()) {
                    throw new NimbusException(ErrorCode.INVALID_INPUT, "scheduled updates cannot remove fields");
                }
                out.put("type", Value.of("update"));
                out.put("table", Value.of(p.table().value()));
                out.put("id", Value.of(p.id().value()));
                out.put("patch", p.set());
            }
            case Mutation.Replace r -> throw new NimbusException(ErrorCode.INVALID_INPUT,
                    "scheduled mutations are insert, update or delete");
            case Mutation.Delete d -> {
                out.put("type", Value.of("delete"));
                out.put("table", Value.of(d.table().value()));
                out.put("id", Value.of(d.id().value()));
            }
        }
        return new Value.Obj(out);
    }

    public static Mutation fromValue(Value v) {
        if (!(v instanceof Value.Obj o) || !(o.get("type") instanceof Value.Str type)) {
            throw invalid("a mutation is an object with a \"type\" of insert, update or delete");
        }
        TableName table = TableName.of(string(o, "table"));
        return switch (type.value()) {
            case "insert" -> new Mutation.Insert(table,
                    o.get("id") == null ? Optional.empty() : Optional.of(DocumentId.parse(string(o, "id"))),
                    object(o, "fields"));
            case "update" -> new Mutation.Patch(table, DocumentId.parse(string(o, "id")), object(o, "patch"), Set.of());
            case "delete" -> new Mutation.Delete(table, DocumentId.parse(string(o, "id")));
            default -> throw invalid("mutation type '" + type.value() + "' is not insert, update or delete");
        };
    }

    private static String string(Value.Obj o, String field) {
        if (o.get(field) instanceof Value.Str s) {
            return s.value();
        }
        throw invalid("mutation field \"" + field + "\" is a string");
    }

    private static Value.Obj object(Value.Obj o, String field) {
        if (o.get(field) instanceof Value.Obj f) {
            return f;
        }
        throw invalid("mutation field \"" + field + "\" is an object");
    }

    private static NimbusException invalid(String message) {
        return new NimbusException(ErrorCode.INVALID_INPUT, message);
    }
}
