package dev.nimbus.storage;

import dev.nimbus.core.model.DocumentId;

import java.util.Objects;
import java.util.Optional;

/**
 * A scan of a table in id order.
 *
 * @param after      resume strictly after this id (in scan direction)
 * @param descending highest id first
 * @param limit      at most this many documents (≥ 1)
 */
public record DocumentScan(Optional<DocumentId> after, boolean descending, int limit) {
    public DocumentScan {
        Objects.requireNonNull(after, "after");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
    }

    public static DocumentScan first(int limit) {
        return new DocumentScan(Optional.empty(), false, limit);
    }
}
