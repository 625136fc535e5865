package dev.nimbus.storage.mysql;

import dev.nimbus.storage.KeyRange;

/**
 * The SQL of one tenant database, built once. Every table is qualified with the tenant's quoted
 * database name, so pooled connections serve any tenant without {@code USE}, and values are only
 * ever bind parameters.
 */
final class MysqlStatements {
    final String database;
    final String metaCheck;
    final String metaLock;
    final String getDocument;
    final String tables;
    final String schema;
    final String lastSequence;
    final String readJournal;
    final String ensureTable;
    final String requireTable;
    final String[] dropTable;
    final String putDocument;
    final String deleteDocument;
    final String indexNumber;
    final String addIndex;
    final String putIndexEntry;
    final String deleteIndexEntry;
    final String[] dropIndex;
    final String putSchema;
    final String deleteSchema;
    final String appendJournal;
    final String insertMeta;
    private final String documents;
    private final String indexes;
    private final String entries;
    private final String[] scanDocuments = new String[4];

    MysqlStatements(String databaseName) {
        this.database = databaseName;
        String db = MysqlNames.quote(databaseName);
        String meta = db + ".nimbus_meta";
        String catalog = db + ".nimbus_tables";
        String schemas = db + ".nimbus_schemas";
        documents = db + ".nimbus_documents";
        indexes = db + ".nimbus_indexes";
        entries = db + ".nimbus_index_entries";
        String journal = db + ".nimbus_journal";

        metaCheck = "SELECT `key`, value FROM " + meta + " WHERE `key` IN ('format_version', 'tenant_id')";
        // Locking the owner row is the tenant's server-side writer lock; COMMIT or ROLLBACK releases it.
        metaLock = metaCheck + " FOR UPDATE";
        insertMeta = "INSERT INTO " + meta + " (`key`, value) VALUES (?, ?)";
        getDocument = "SELECT created, updated, data_json FROM " + documents + " WHERE tbl = ? AND id = ?";
        tables = "SELECT name FROM " + catalog + " ORDER BY name";
        schema = "SELECT schema_json FROM " + schemas + " WHERE tbl = ?";
        lastSequence = "SELECT COALESCE(MAX(seq), 0) FROM " + journal;
        readJournal = "SELECT record, sha256 FROM " + journal + " WHERE seq > ? ORDER BY seq LIMIT ?";
        ensureTable = "INSERT INTO " + catalog + " (name) VALUES (?) ON DUPLICATE KEY UPDATE name = name";
        requireTable = "SELECT 1 FROM " + catalog + " WHERE name = ?";
        dropTable = new String[] {
            "DELETE FROM " + documents + " WHERE tbl = ?",
            "DELETE FROM " + entries + " WHERE ix IN (SELECT ix FROM " + indexes + " WHERE tbl = ?)",
            "DELETE FROM " + indexes + " WHERE tbl = ?",
            "DELETE FROM " + schemas + " WHERE tbl = ?",
            "DELETE FROM " + catalog + " WHERE name = ?",
        };
        putDocument = "INSERT INTO " + documents + " (tbl, id, created, updated, data_json) VALUES (?, ?, ?, ?, ?)"
                + " ON DUPLICATE KEY UPDATE created = VALUES(created), updated = VALUES(updated),"
                + " data_json = VALUES(data_json)";
        deleteDocument = "DELETE FROM " + documents + " WHERE tbl = ? AND id = ?";
        indexNumber = "SELECT ix FROM " + indexes + " WHERE tbl = ? AND idx = ?";
        addIndex = "INSERT INTO " + indexes + " (tbl, idx) VALUES (?, ?)";
        putIndexEntry = "INSERT INTO " + entries + " (ix, `key`, doc_key, doc_id) VALUES (?, ?, ?, ?)"
                + " ON DUPLICATE KEY UPDATE doc_id = VALUES(doc_id)";
        deleteIndexEntry = "DELETE FROM " + entries + " WHERE ix = ? AND `key` = ? AND doc_key = ?";
        dropIndex = new String[] {
            "DELETE FROM " + entries + " WHERE ix = ?",
            "DELETE FROM " + indexes + " WHERE ix = ?",
        };
        putSchema = "INSERT INTO " + schemas + " (tbl, schema_json) VALUES (?, ?)"
                + " ON DUPLICATE KEY UPDATE schema_json = VALUES(schema_json)";
        deleteSchema = "DELETE FROM " + schemas + " WHERE tbl = ?";
        appendJournal = "INSERT INTO " + journal + " (seq, ts, record, sha256) VALUES (?, ?, ?, ?)";
        for (int variant = 0; variant < 4; variant++) {
            boolean after = (variant & 1) != 0;
            boolean descending = (variant & 2) != 0;
            scanDocuments[variant] = "SELECT id, created, updated, data_json FROM " + documents + " WHERE tbl = ?"
                    + (after ? (descending ? " AND id < ?" : " AND id > ?") : "")
                    + " ORDER BY id " + (descending ? "DESC" : "ASC") + " LIMIT ?";
        }
    }

    /** Parameters: tbl, [after id], limit. */
    String scanDocuments(boolean after, boolean descending) {
        return scanDocuments[(after ? 1 : 0) | (descending ? 2 : 0)];
    }

    /**
     * Parameters: tbl, idx, [lower], [upper], [after key, after key, after doc_key], limit. The
     * index's number is joined from the catalog; with its unique (tbl, idx) bound to constants the
     * optimizer reads it first, then walks the entries' primary key in order: no sort.
     */
    String scanIndex(KeyRange range, boolean after, boolean descending, boolean withDocuments) {
        StringBuilder sql = new StringBuilder(400).append("SELECT e.`key`, e.doc_id");
        if (withDocuments) {
            sql.append(", d.created, d.updated, d.data_json");
        }
        sql.append(" FROM ").append(indexes).append(" i JOIN ").append(entries).append(" e ON e.ix = i.ix");
        if (withDocuments) {
            sql.append(" LEFT JOIN ").append(documents).append(" d ON d.tbl = i.tbl AND d.id = e.doc_id");
        }
        sql.append(" WHERE i.tbl = ? AND i.idx = ?");
        if (range.lower() != null) {
            sql.append(range.lowerInclusive() ? " AND e.`key` >= ?" : " AND e.`key` > ?");
        }
        if (range.upper() != null) {
            sql.append(range.upperInclusive() ? " AND e.`key` <= ?" : " AND e.`key` < ?");
        }
        String cmp = descending ? " < " : " > ";
        if (after) {
            sql.append(" AND (e.`key`").append(cmp).append("? OR (e.`key` = ? AND e.doc_key").append(cmp).append("?))");
        }
        String order = descending ? " DESC" : " ASC";
        sql.append(" ORDER BY e.`key`").append(order).append(", e.doc_key").append(order).append(" LIMIT ?");
        return sql.toString();
    }
}
