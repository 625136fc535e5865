package dev.nimbus.engine.commit;

import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last committed writes of a tenant, oldest first, bounded. Owned by the tenant's writer
 * thread (appends and conflict checks both run there), so it needs no locking. Only what a
 * conflict check reads is kept (table, id, index keys), not the documents: the window holds
 * many thousands of writes, and keeping their documents alive made every one of them survive
 * young collections.
 */
final class RecentWrites {
    /** What a conflict check needs of one committed write. */
    private record Written(long sequence, TableName table, DocumentId id, Map<String, byte[]> beforeKeys,
                           Map<String, byte[]> afterKeys) {
    }

    private final int max;
    private final ArrayDeque<Written> writes = new ArrayDeque<>();
    // Every write with sequence > coveredAfter is in the deque.
    private long coveredAfter;

    RecentWrites(int max, long lastSequence) {
        this.max = max;
        this.coveredAfter = lastSequence;
    }

    void addAll(List<CommittedWrite> committed) {
        for (CommittedWrite w : committed) {
            writes.addLast(new Written(w.sequence(), w.table(), w.id(), w.beforeKeys(), w.afterKeys()));
            while (writes.size() > max) {
                coveredAfter = writes.removeFirst().sequence();
            }
        }
    }

    /**
     * The first write after {@code snapshotSequence} that conflicts with {@code reads}, or a
     * sentinel sequence -1 when the window no longer covers the snapshot.
     */
    Optional<Long> firstConflict(long snapshotSequence, ReadSet reads) {
        if (snapshotSequence < coveredAfter) {
            return Optional.of(-1L);
        }
        Iterator<Written> it = writes.descendingIterator();
        Long found = null;
        while (it.hasNext()) {
            Written w = it.next();
            if (w.sequence() <= snapshotSequence) {
                break;
            }
            if (reads.conflictsWith(w.table(), w.id(), w.beforeKeys(), w.afterKeys())) {
                found = w.sequence();
            }
        }
        return Optional.ofNullable(found);
    }
}
