package dev.nimbus.storage.postgres;

import java.util.List;

/**
 * The tables this provider creates: the tenant registry in the metadata schema, and in each
 * tenant's schema the same tables as a SQLite tenant file (docs/storage-format.md) holding the
 * same bytes. Postgres-specific choices: ids, table, index and key columns are {@code COLLATE "C"}
 * so they order by bytes like {@code DocumentId.compareTo} and SQLite's BINARY collation; keys
 * and journal records are {@code BYTEA}, which compares as unsigned bytes. Any change here is a
 * format version change.
 */
final class PostgresSchema {
    private PostgresSchema() {
    }

    static final int FORMAT_VERSION = 1;

    /** Qualified, quoted names of one tenant's tables; the only way tenant tables reach SQL. */
    record TenantTables(String schema, String meta, String tables, String schemas, String documents,
                        String indexEntries, String journal) {
        static TenantTables of(String schema) {
            return new TenantTables(schema,
                    SchemaNames.qualified(schema, "nimbus_meta"),
                    SchemaNames.qualified(schema, "nimbus_tables"),
                    SchemaNames.qualified(schema, "nimbus_schemas"),
                    SchemaNames.qualified(schema, "nimbus_documents"),
                    SchemaNames.qualified(schema, "nimbus_index_entries"),
                    SchemaNames.qualified(schema, "nimbus_journal"));
        }
    }

    /** DDL creating a tenant's schema and tables; run inside the creating transaction. */
    static String createTenant(TenantTables t) {
        return String.join(";\n", List.of(
            "CREATE SCHEMA " + SchemaNames.quote(t.schema()),
            "CREATE TABLE " + t.meta() + " (key TEXT COLLATE \"C\" PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE " + t.tables() + " (name TEXT COLLATE \"C\" PRIMARY KEY)",
            "CREATE TABLE " + t.schemas() + " (tbl TEXT COLLATE \"C\" PRIMARY KEY, schema_json TEXT NOT NULL)",
            "CREATE TABLE " + t.documents() + " (tbl TEXT COLLATE \"C\" NOT NULL, id TEXT COLLATE \"C\" NOT NULL,"
                + " created BIGINT NOT NULL, updated BIGINT NOT NULL, data_json TEXT NOT NULL,"
                + " PRIMARY KEY (tbl, id))",
            "CREATE TABLE " + t.indexEntries() + " (tbl TEXT COLLATE \"C\" NOT NULL, idx TEXT COLLATE \"C\" NOT NULL,"
                + " key BYTEA NOT NULL, doc_id TEXT COLLATE \"C\" NOT NULL, PRIMARY KEY (tbl, idx, key, doc_id))",
            "CREATE TABLE " + t.journal() + " (seq BIGINT PRIMARY KEY, ts BIGINT NOT NULL,"
                + " record BYTEA NOT NULL, sha256 BYTEA NOT NULL)"));
    }

    /** The registry: which tenants exist and which schema holds each. */
    static String registry(String metadataSchema) {
        return SchemaNames.qualified(metadataSchema, "nimbus_tenants");
    }

    static String metadataMeta(String metadataSchema) {
        return SchemaNames.qualified(metadataSchema, "nimbus_meta");
    }

    /** DDL creating the metadata schema if absent; run under the metadata advisory lock. */
    static String createMetadata(String metadataSchema) {
        return String.join(";\n", List.of(
            "CREATE SCHEMA IF NOT EXISTS " + SchemaNames.quote(metadataSchema),
            "CREATE TABLE IF NOT EXISTS " + metadataMeta(metadataSchema)
                + " (key TEXT COLLATE \"C\" PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS " + registry(metadataSchema)
                + " (tenant_id TEXT COLLATE \"C\" PRIMARY KEY, schema_name TEXT COLLATE \"C\" NOT NULL UNIQUE,"
                + " created BIGINT NOT NULL)",
            "INSERT INTO " + metadataMeta(metadataSchema) + " (key, value) VALUES ('format_version', '"
                + FORMAT_VERSION + "') ON CONFLICT (key) DO NOTHING"));
    }
}
