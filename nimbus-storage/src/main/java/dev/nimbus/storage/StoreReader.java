package dev.nimbus.storage;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.schema.TableSchema;

import java.util.List;
import java.util.Optional;

/** Reads shared by a {@link Snapshot} and a {@link WriteTransaction} (which sees its own writes). */
public interface StoreReader {

    Optional<Document> get(TableName table, DocumentId id);

    /** Documents of a table in id order (the implicit {@code by_id} index). */
    List<Document> scanDocuments(TableName table, DocumentScan scan);

    /**
     * Entries of one index in (key, document id) order, within the scan's key range, with the
     * documents they point to when the scan asks for them.
     */
    List<IndexHit> scanIndex(TableName table, String index, IndexScan scan);

    /** Every table of the tenant, in name order. */
    List<TableName> tables();

    Optional<TableSchema> schema(TableName table);

    /** Sequence of the last journal record, 0 when the journal is empty. */
    long lastSequence();

    /** Journal records with sequence &gt; {@code afterSequence}, ascending, at most {@code limit}. */
    List<JournalRecord> readJournal(long afterSequence, int limit);
}
