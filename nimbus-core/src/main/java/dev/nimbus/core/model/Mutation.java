package dev.nimbus.core.model;

import dev.nimbus.core.value.Value;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** One write a client asks for. Every surface reduces its writes to these. */
public sealed interface Mutation {
    TableName table();

    /** Creates a document; with an id (e.g. derived from a dialect key) it fails if one exists. */
    record Insert(TableName table, Optional<DocumentId> id, Value.Obj fields) implements Mutation {
        public Insert {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(fields, "fields");
        }
    }

    /** Sets the given top-level fields and removes {@code unset}; other fields stay. */
    record Patch(TableName table, DocumentId id, Value.Obj set, Set<String> unset) implements Mutation {
        public Patch {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(set, "set");
            unset = Set.copyOf(unset);
        }
    }

    /** Replaces all user fields of an existing document; system fields are kept. */
    record Replace(TableName table, DocumentId id, Value.Obj fields) implements Mutation {
        public Replace {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(fields, "fields");
        }
    }

    record Delete(TableName table, DocumentId id) implements Mutation {
        public Delete {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(id, "id");
        }
    }
}
