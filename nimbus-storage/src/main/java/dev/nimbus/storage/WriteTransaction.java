package dev.nimbus.storage;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.schema.TableSchema;

/**
 * The tenant's one write transaction. Document writes, index entries, the table catalog,
 * schemas and journal records staged here become visible and durable together at
 * {@link #commit()}, or not at all: {@link #close()} without commit rolls everything back, and
 * so does a failure of any call.
 */
public interface WriteTransaction extends StoreReader, AutoCloseable {

    /** Adds the table to the catalog if it is not there. */
    void ensureTable(TableName table);

    /** Removes the table with its documents, index entries and schema. */
    void dropTable(TableName table);

    /** Inserts or replaces the document; its table must be in the catalog. */
    void putDocument(TableName table, Document document);

    /**
     * Inserts a document the caller knows is new (the engine checked, or generated its id).
     * Providers may make this cheaper than {@link #putDocument}; writing an id that exists is a
     * storage error that spoils the transaction.
     */
    default void insertDocument(TableName table, Document document) {
        putDocument(table, document);
    }

    /**
     * {@link #putDocument(TableName, Document)} given the document's fields already encoded,
     * exactly as {@code DocumentCodec.encodeBody(document.fields())} encodes them (and so within
     * the size limit): a provider storing that encoding may use it instead of encoding again.
     */
    default void putDocument(TableName table, Document document, String encodedFields) {
        putDocument(table, document);
    }

    /** {@link #insertDocument(TableName, Document)} with the fields already encoded (see above). */
    default void insertDocument(TableName table, Document document, String encodedFields) {
        insertDocument(table, document);
    }

    /** Removes the document if present; returns whether it was. */
    boolean deleteDocument(TableName table, DocumentId id);

    void putIndexEntry(TableName table, String index, byte[] key, DocumentId id);

    void deleteIndexEntry(TableName table, String index, byte[] key, DocumentId id);

    /** Removes every entry of the index. */
    void dropIndex(TableName table, String index);

    void putSchema(TableSchema schema);

    void deleteSchema(TableName table);

    /** Appends a record; its sequence must be exactly {@code lastSequence() + 1}. */
    void appendJournal(JournalRecord record);

    /**
     * Sends writes the provider buffered (e.g. rows kept for a multi-row insert) to the store
     * now rather than at commit. Optional: a writer about to wait calls it so that its commit,
     * later, has less left to do. Providers that buffer nothing keep this default.
     */
    default void flush() {
    }

    /** Makes everything durable (fsync) and visible. The transaction is finished afterwards. */
    void commit();

    /**
     * Commits now and makes the commit durable later, so that the caller can prepare its next
     * transaction while the disk syncs this one (a pipelined group commit). Everything is
     * visible to this store's next write transaction at once, and may be visible to snapshots
     * before it is durable: a caller that must never show non-durable state (the engine) hides
     * it behind its own watermark until {@link PendingDurability#await()} returns. A crash before
     * then may lose the commit but never leaves part of it. Providers whose commit is itself
     * durable keep this default.
     */
    default PendingDurability commitDeferred() {
        commit();
        return PendingDurability.DURABLE;
    }

    /** Rolls back unless committed; releases the writer. */
    @Override
    void close();
}
