package dev.nimbus.engine.index;

import dev.nimbus.core.codec.ByteSink;
import dev.nimbus.core.codec.KeyCodec;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.query.FilterEvaluator;

import java.util.List;
import java.util.Optional;

/**
 * The index key of a document: the key-codec tuple of the values at the index's field paths in
 * the document as clients see it (system fields included), a missing field encoded as the
 * absent marker. Every index entry the engine writes, and every check of {@code verify}, comes
 * from here.
 */
public final class IndexKeys {
    private IndexKeys() {
    }

    public static byte[] key(TableSchema.IndexDefinition index, Value.Obj view) {
        ByteSink sink = new ByteSink(32);
        for (FieldPath path : index.fields()) {
            append(sink, FilterEvaluator.resolve(view, path));
        }
        return sink.toByteArray();
    }

    /** The tuple of possibly-missing values, encoded as index keys are. */
    public static byte[] tuple(List<Optional<Value>> values) {
        ByteSink sink = new ByteSink(32);
        for (Optional<Value> v : values) {
            append(sink, v);
        }
        return sink.toByteArray();
    }

    private static void append(ByteSink sink, Optional<Value> v) {
        if (v.isPresent()) {
            KeyCodec.write(sink, v.get());
        } else {
            KeyCodec.writeAbsent(sink);
        }
    }
}
