package dev.nimbus.engine.commit;

import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.schema.TableSchema;

/** One step of a commit request: a document write or a schema change. */
public sealed interface Operation {
    record Write(Mutation mutation) implements Operation {
    }

    /** Sets or replaces a table's schema and rebuilds changed indexes, in the same transaction. */
    record SetSchema(TableSchema schema) implements Operation {
    }

    record DeleteSchema(TableName table) implements Operation {
    }
}
