package dev.nimbus.core.model;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A stored document: its id, the system times Nimbus manages, and the user's fields. System
 * fields ({@code _id}, {@code _creationTime}, {@code _updateTime}) are never part of
 * {@code fields}; {@link #toObject()} adds them the way every surface shows them.
 *
 * @param creationTimeMicros microseconds since the epoch when the document was inserted
 * @param updateTimeMicros   microseconds since the epoch of its last write
 */
public record Document(DocumentId id, long creationTimeMicros, long updateTimeMicros, Value.Obj fields) {
    public static final String ID = "_id";
    public static final String CREATION_TIME = "_creationTime";
    public static final String UPDATE_TIME = "_updateTime";
    public static final Set<String> SYSTEM_FIELDS = Set.of(ID, CREATION_TIME, UPDATE_TIME);
    private static final String[] SYSTEM_FIELD_ORDER = {ID, CREATION_TIME, UPDATE_TIME};

    public Document {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(fields, "fields");
        Map<String, Value> own = fields.fields();
        // Three lookups rather than a walk over every field (this runs for every document the
        // engine builds); only a refusal walks, to name the first offending field in order.
        if (own.containsKey(ID) || own.containsKey(CREATION_TIME) || own.containsKey(UPDATE_TIME)) {
            for (String f : own.keySet()) {
                if (SYSTEM_FIELDS.contains(f)) {
                    throw new NimbusException(ErrorCode.INVALID_INPUT,
                            "field '" + f + "' is managed by Nimbus and cannot be written");
                }
            }
        }
        if (updateTimeMicros < creationTimeMicros) {
            throw new IllegalArgumentException("update time precedes creation time");
        }
    }

    /**
     * The document as clients see it: system fields first ({@code _id} as a string, times as
     * epoch milliseconds, fractional when sub-millisecond), then the user's fields in order.
     */
    public Value.Obj toObject() {
        // The user's fields are shared, not copied: this runs for every document a query considers.
        return fields.withLeading(SYSTEM_FIELD_ORDER,
                new Value[] {Value.of(id.value()), millis(creationTimeMicros), millis(updateTimeMicros)});
    }

    private static Value millis(long micros) {
        return micros % 1000 == 0 ? Value.of(micros / 1000) : Value.of(micros / 1000.0);
    }
}
