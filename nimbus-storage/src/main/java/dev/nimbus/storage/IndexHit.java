package dev.nimbus.storage;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;

import java.util.Optional;

/** One index entry, with its document when the scan asked for documents and it exists. */
public record IndexHit(byte[] key, DocumentId id, Optional<Document> document) {
    public IndexHit {
        key = key.clone();
    }

    public IndexPosition position() {
        return new IndexPosition(key, id);
    }
}
