package dev.nimbus.storage.sqlite;

/**
 * The tables of one tenant file. Layout and meaning: docs/storage-format.md. Any change here is
 * a format version change.
 */
public final class SqliteSchema {
    private SqliteSchema() {
    }

    /** The statements that create a tenant file's tables (for tools that must mirror them exactly). */
    public static java.util.List<String> statements() {
        return java.util.List.of(CREATE);
    }

    static final int FORMAT_VERSION = 1;

    static final String[] CREATE = {
        "CREATE TABLE IF NOT EXISTS nimbus_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS nimbus_tables (name TEXT PRIMARY KEY) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS nimbus_schemas (tbl TEXT PRIMARY KEY, schema_json TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS nimbus_documents (tbl TEXT NOT NULL, id TEXT NOT NULL,"
            + " created INTEGER NOT NULL, updated INTEGER NOT NULL, data_json TEXT NOT NULL,"
            + " UNIQUE (tbl, id))",
        "CREATE TABLE IF NOT EXISTS nimbus_index_entries (tbl TEXT NOT NULL, idx TEXT NOT NULL,"
            + " key BLOB NOT NULL, doc_id TEXT NOT NULL, PRIMARY KEY (tbl, idx, key, doc_id)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS nimbus_journal (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
            + " record BLOB NOT NULL, sha256 BLOB NOT NULL)",
    };
}
