package dev.nimbus.engine.commit;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;

import java.util.Map;
import java.util.Optional;

/**
 * One document write as committed: the document before and after (empty for insert / delete)
 * and its index keys before and after, by index name. Conflict checks and subscription
 * invalidation read these.
 */
public record CommittedWrite(long sequence, TableName table, DocumentId id, Optional<Document> before,
                             Optional<Document> after, Map<String, byte[]> beforeKeys,
                             Map<String, byte[]> afterKeys) {
}
