package dev.nimbus.storage;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a tenant's journal (commit log): the writes of one mutation, in commit order.
 * Stored with a SHA-256 of its encoding, checked on every read (docs/storage-format.md).
 *
 * @param sequence              1, 2, 3 ... without gaps
 * @param timestampMicros       commit time, microseconds since the epoch
 * @param writes                what changed
 * @param scheduledExecutionId  the scheduled job execution this mutation ran for, if any
 */
public record JournalRecord(long sequence, long timestampMicros, List<Write> writes,
                            Optional<String> scheduledExecutionId) {
    /** Version of the record layout; bump on any change to {@link JournalCodec}. */
    public static final int VERSION = 1;

    public enum Op {
        INSERT, UPDATE, DELETE
    }

    /** A write: the document after it, or none for a delete. */
    public record Write(TableName table, DocumentId id, Op op, Optional<Document> after) {
        public Write {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(op, "op");
            Objects.requireNonNull(after, "after");
            if ((op == Op.DELETE) != after.isEmpty()) {
                throw new IllegalArgumentException("a delete has no document; inserts and updates have one");
            }
        }
    }

    public JournalRecord {
        if (sequence < 1) {
            throw new IllegalArgumentException("journal sequences start at 1");
        }
        writes = List.copyOf(writes);
        Objects.requireNonNull(scheduledExecutionId, "scheduledExecutionId");
    }
}
