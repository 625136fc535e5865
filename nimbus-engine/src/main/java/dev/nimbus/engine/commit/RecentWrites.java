package dev.nimbus.engine.commit;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The last committed writes of a tenant, oldest first, bounded. Owned by the tenant's writer
 * thread (appends and conflict checks both run there), so it needs no locking.
 */
final class RecentWrites {
    private final int max;
    private final ArrayDeque<CommittedWrite> writes = new ArrayDeque<>();
    // Every write with sequence > coveredAfter is in the deque.
    private long coveredAfter;

    RecentWrites(int max, long lastSequence) {
        this.max = max;
        this.coveredAfter = lastSequence;
    }

    void addAll(List<CommittedWrite> committed) {
        for (CommittedWrite w : committed) {
            writes.addLast(w);
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
        Iterator<CommittedWrite> it = writes.descendingIterator();
        Long found = null;
        while (it.hasNext()) {
            CommittedWrite w = it.next();
            if (w.sequence() <= snapshotSequence) {
                break;
            }
            if (reads.conflictsWith(w)) {
                found = w.sequence();
            }
        }
        return Optional.ofNullable(found);
    }
}
