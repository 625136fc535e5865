package dev.nimbus.storage.mysql;

import dev.nimbus.storage.StorageLimits;

/**
 * The tables the provider creates. Any change here is a format version change.
 *
 * <p><b>Metadata database</b> ({@code nimbus_provider}): {@code nimbus_meta} (format_version) and
 * {@code nimbus_tenants}, the registry: one row per tenant with its database name and state.
 * Only {@code ready} tenants exist; {@code creating} and {@code dropping} rows are what a crash
 * in the middle of a create or drop leaves (MySQL DDL is not transactional), cleaned up by the
 * next create or drop of that tenant.
 *
 * <p><b>Tenant database</b>: the tables of the SQLite format (docs/storage-format.md) with the
 * same meaning and bytes: {@code data_json} and {@code schema_json} hold the same UTF-8 text,
 * {@code record} the same journal bytes and {@code sha256} their digest. Differences, and why:
 * <ul>
 *   <li>Ids, table and index names are {@code VARBINARY}: compared and ordered as bytes, like
 *       {@link dev.nimbus.core.model.DocumentId#compareTo} and SQLite's BINARY collation, with no
 *       PAD SPACE and no charset conversion. All are ASCII, so they stay readable.</li>
 *   <li>Index entries name their index by number ({@code ix}, from {@code nimbus_indexes}) and
 *       carry the document id twice: packed ({@code doc_key}, see {@link PackedDocumentId}) in the
 *       primary key, and as text ({@code doc_id}) for the join with documents. InnoDB keys are at
 *       most 3072 bytes; {@code (tbl, idx, key, doc_id)} would need 255 + 255 + 2048 + 1024.
 *       {@code (ix, key, doc_key)} needs 4 + 2048 + 768 and keeps the (key, id) byte order.</li>
 * </ul>
 * Every table is InnoDB with DYNAMIC rows (long keys; large values stored off-page).
 */
final class MysqlSchema {
    private MysqlSchema() {
    }

    static final int FORMAT_VERSION = 1;
    static final int INDEX_NAME_BYTES_MAX = 255;

    private static final String TABLE_OPTIONS = " ENGINE=InnoDB ROW_FORMAT=DYNAMIC"
            + " DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    private static final String TEXT = "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";

    static String createDatabase(String database) {
        return "CREATE DATABASE " + MysqlNames.quote(database) + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
    }

    static String[] createMetadata(String metadataDatabase) {
        String db = MysqlNames.quote(metadataDatabase);
        return new String[] {
            "CREATE DATABASE IF NOT EXISTS " + db + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            "CREATE TABLE IF NOT EXISTS " + db + ".nimbus_meta (`key` VARBINARY(64) NOT NULL PRIMARY KEY,"
                + " value VARBINARY(255) NOT NULL)" + TABLE_OPTIONS,
            "CREATE TABLE IF NOT EXISTS " + db + ".nimbus_tenants ("
                + "tenant_id VARBINARY(128) NOT NULL PRIMARY KEY,"
                + " database_name VARBINARY(64) NOT NULL,"
                + " state VARBINARY(16) NOT NULL," // creating | ready | dropping
                + " updated_micros BIGINT NOT NULL,"
                + " UNIQUE KEY database_name (database_name))" + TABLE_OPTIONS,
        };
    }

    static String[] createTenantTables(String database) {
        String db = MysqlNames.quote(database);
        return new String[] {
            "CREATE TABLE " + db + ".nimbus_meta (`key` VARBINARY(64) NOT NULL PRIMARY KEY,"
                + " value VARBINARY(255) NOT NULL)" + TABLE_OPTIONS,
            "CREATE TABLE " + db + ".nimbus_tables (name VARBINARY(255) NOT NULL PRIMARY KEY)" + TABLE_OPTIONS,
            "CREATE TABLE " + db + ".nimbus_schemas (tbl VARBINARY(255) NOT NULL PRIMARY KEY,"
                + " schema_json " + TEXT + " NOT NULL)" + TABLE_OPTIONS,
            "CREATE TABLE " + db + ".nimbus_documents (tbl VARBINARY(255) NOT NULL, id VARBINARY(1024) NOT NULL,"
                + " created BIGINT NOT NULL, updated BIGINT NOT NULL, data_json " + TEXT + " NOT NULL,"
                + " PRIMARY KEY (tbl, id))" + TABLE_OPTIONS,
            "CREATE TABLE " + db + ".nimbus_indexes (ix INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                + " tbl VARBINARY(255) NOT NULL, idx VARBINARY(" + INDEX_NAME_BYTES_MAX + ") NOT NULL,"
                + " UNIQUE KEY tbl_idx (tbl, idx))" + TABLE_OPTIONS,
            "CREATE TABLE " + db + ".nimbus_index_entries (ix INT UNSIGNED NOT NULL,"
                + " `key` VARBINARY(" + StorageLimits.INDEX_KEY_BYTES_MAX + ") NOT NULL,"
                + " doc_key VARBINARY(" + PackedDocumentId.BYTES_MAX + ") NOT NULL,"
                + " doc_id VARBINARY(1024) NOT NULL,"
                + " PRIMARY KEY (ix, `key`, doc_key))" + TABLE_OPTIONS,
            "CREATE TABLE " + db + ".nimbus_journal (seq BIGINT NOT NULL PRIMARY KEY, ts BIGINT NOT NULL,"
                + " record LONGBLOB NOT NULL, sha256 BINARY(32) NOT NULL)" + TABLE_OPTIONS,
        };
    }
}
