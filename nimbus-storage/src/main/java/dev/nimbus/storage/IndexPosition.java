package dev.nimbus.storage;

import dev.nimbus.core.model.DocumentId;

import java.util.Arrays;
import java.util.Objects;

/** A point in an index: entries are ordered by key bytes, then document id. */
public record IndexPosition(byte[] key, DocumentId id) {
    public IndexPosition {
        key = key.clone();
        Objects.requireNonNull(id, "id");
    }

    public int compareTo(byte[] otherKey, DocumentId otherId) {
        int c = Arrays.compareUnsigned(key, otherKey);
        return c != 0 ? c : id.compareTo(otherId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexPosition p && Arrays.equals(key, p.key) && id.equals(p.id);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key) * 31 + id.hashCode();
    }
}
