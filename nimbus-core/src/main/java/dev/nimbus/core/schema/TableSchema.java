package dev.nimbus.core.schema;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.query.FieldPath;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The optional schema of one table: required fields and type checks (undeclared fields stay
 * allowed), single and composite indexes, and an optional access policy.
 */
public record TableSchema(TableName table, List<FieldSpec> fields, List<IndexDefinition> indexes,
                          Optional<AccessPolicy> policy) {
    public static final int INDEXES_MAX = 64;
    public static final int INDEX_FIELDS_MAX = 16;

    public record FieldSpec(String name, FieldType type, boolean required) {
        public FieldSpec {
            Objects.requireNonNull(type, "type");
            FieldPath.parse(name);
        }
    }

    public enum IndexState {
        PENDING, BACKFILLING, ENABLED, DELETING;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** An index over one field or, when several, a composite in the given order. */
    public record IndexDefinition(String name, List<FieldPath> fields, IndexState state) {
        public IndexDefinition {
            if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_]{0,63}")) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "index name '" + name
                        + "' must start with a letter and have up to 64 letters, digits and '_'");
            }
            fields = List.copyOf(fields);
            if (fields.isEmpty() || fields.size() > INDEX_FIELDS_MAX) {
                throw new NimbusException(ErrorCode.INVALID_INPUT,
                        "index '" + name + "' needs 1-" + INDEX_FIELDS_MAX + " fields");
            }
            Objects.requireNonNull(state, "state");
        }
    }

    /** Read and write rules (CEL source); absent rule = allowed. */
    public record AccessPolicy(Optional<String> read, Optional<String> write) {
        public AccessPolicy {
            Objects.requireNonNull(read, "read");
            Objects.requireNonNull(write, "write");
        }
    }

    public TableSchema {
        Objects.requireNonNull(table, "table");
        fields = List.copyOf(fields);
        indexes = List.copyOf(indexes);
        Objects.requireNonNull(policy, "policy");
        Set<String> names = new HashSet<>();
        for (FieldSpec f : fields) {
            if (!names.add(f.name())) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "field '" + f.name() + "' is declared twice");
            }
        }
        if (indexes.size() > INDEXES_MAX) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "a table has at most " + INDEXES_MAX + " indexes");
        }
        Set<String> indexNames = new HashSet<>();
        for (IndexDefinition i : indexes) {
            if (!indexNames.add(i.name())) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "index '" + i.name() + "' is declared twice");
            }
            if (i.name().equals("by_id") || i.name().equals("by_creation_time")) {
                throw new NimbusException(ErrorCode.INVALID_INPUT, "index name '" + i.name() + "' is reserved");
            }
        }
    }

    public Optional<IndexDefinition> index(String name) {
        return indexes.stream().filter(i -> i.name().equals(name)).findFirst();
    }
}
