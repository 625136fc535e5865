package dev.nimbus.engine.commit;

import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.storage.format.DocumentCodec;

import java.util.Optional;

/** One step of a commit request: a document write or a schema change. */
public sealed interface Operation {
    /**
     * A document write. {@code encodedFields} is the stored encoding of the fields an insert or
     * replace writes whole ({@link DocumentCodec#encodeBody}), made by whoever builds the
     * operation — the caller's thread, not the tenant's writer — and checked against the size
     * limit there.
     */
    record Write(Mutation mutation, Optional<String> encodedFields, boolean generatedId) implements Operation {
        /** Encodes an insert's or a replace's fields now; throws {@code op.invalid_input} if too big. */
        public Write(Mutation mutation) {
            this(mutation, false);
        }

        /**
         * {@code generatedId}: the mutation is an insert whose id Nimbus generated for it (a
         * transaction's {@code insert}); such an id is new by construction, so the writer does
         * not look it up, as for an insert without an id.
         */
        public Write(Mutation mutation, boolean generatedId) {
            this(mutation, switch (mutation) {
                case Mutation.Insert i -> Optional.of(DocumentCodec.encodeBody(i.fields()));
                case Mutation.Replace r -> Optional.of(DocumentCodec.encodeBody(r.fields()));
                case Mutation.Patch p -> Optional.empty();
                case Mutation.Delete d -> Optional.empty();
            }, generatedId && mutation instanceof Mutation.Insert);
        }
    }

    /** Sets or replaces a table's schema and rebuilds changed indexes, in the same transaction. */
    record SetSchema(TableSchema schema) implements Operation {
    }

    record DeleteSchema(TableName table) implements Operation {
    }
}
