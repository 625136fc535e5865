package dev.nimbus.storage;

import java.util.Objects;
import java.util.Optional;

/**
 * A scan of one index in (key, document id) order.
 *
 * @param range         keys to visit
 * @param descending    highest (key, id) first
 * @param limit         at most this many entries (≥ 1)
 * @param after         resume strictly after this position (in scan direction): stable pagination
 * @param withDocuments also load the documents the entries point to
 */
public record IndexScan(KeyRange range, boolean descending, int limit, Optional<IndexPosition> after,
                        boolean withDocuments) {
    public IndexScan {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(after, "after");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
    }

    public static IndexScan of(KeyRange range, int limit) {
        return new IndexScan(range, false, limit, Optional.empty(), true);
    }
}
