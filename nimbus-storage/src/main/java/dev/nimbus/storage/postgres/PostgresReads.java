package dev.nimbus.storage.postgres;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.schema.SchemaJson;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.storage.DocumentScan;
import dev.nimbus.storage.IndexHit;
import dev.nimbus.storage.IndexScan;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.KeyRange;
import dev.nimbus.storage.StorageLimits;
import dev.nimbus.storage.StoreReader;
import dev.nimbus.storage.format.DocumentCodec;
import dev.nimbus.storage.format.JournalCodec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read half of the contract over one connection whose transaction the caller holds open.
 * Every identifier comes from {@link PostgresSchema.TenantTables}; every value is a parameter.
 */
class PostgresReads implements StoreReader {
    protected final TenantId tenant;
    protected final Connection conn;
    protected final PostgresSchema.TenantTables t;

    PostgresReads(TenantId tenant, Connection conn, PostgresSchema.TenantTables tables) {
        this.tenant = tenant;
        this.conn = conn;
        this.t = tables;
    }

    /** A unit of JDBC work. */
    interface Work<T> {
        T run() throws SQLException;
    }

    /** Runs a read and maps Postgres failures. */
    <T> T read(String what, Work<T> body) {
        checkUsable();
        try {
            return body.run();
        } catch (SQLException e) {
            throw map(what, e);
        }
    }

    /** Refuses calls once the transaction has ended (its connection is back in the pool). */
    void checkUsable() {
    }

    NimbusException map(String what, SQLException e) {
        if (PostgresErrors.isTenantMissing(e)) {
            return tenantNotFound(tenant);
        }
        return PostgresErrors.map(what, e);
    }

    static NimbusException tenantNotFound(TenantId tenant) {
        return new NimbusException(ErrorCode.TENANT_NOT_FOUND, "tenant " + tenant + " does not exist",
                Map.of("tenantId", Value.of(tenant.value())));
    }

    @Override
    public Optional<Document> get(TableName table, DocumentId id) {
        return read("reading a document", () -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT created, updated, data_json FROM " + t.documents() + " WHERE tbl = ? AND id = ?")) {
                ps.setString(1, table.value());
                ps.setString(2, id.value());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Document(id, rs.getLong(1), rs.getLong(2),
                            DocumentCodec.decodeBody(rs.getString(3))));
                }
            }
        });
    }

    @Override
    public List<Document> scanDocuments(TableName table, DocumentScan scan) {
        int limit = Math.min(scan.limit(), StorageLimits.SCAN_LIMIT_MAX);
        String cmp = scan.descending() ? "<" : ">";
        String order = scan.descending() ? "DESC" : "ASC";
        String sql = "SELECT id, created, updated, data_json FROM " + t.documents() + " WHERE tbl = ?"
                + (scan.after().isPresent() ? " AND id " + cmp + " ?" : "")
                + " ORDER BY id " + order + " LIMIT ?";
        return read("scanning documents", () -> {
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, table.value());
                if (scan.after().isPresent()) {
                    ps.setString(i++, scan.after().get().value());
                }
                ps.setInt(i, limit);
                List<Document> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Document(DocumentId.stored(rs.getString(1)), rs.getLong(2), rs.getLong(3),
                                DocumentCodec.decodeBody(rs.getString(4))));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public List<IndexHit> scanIndex(TableName table, String index, IndexScan scan) {
        int limit = Math.min(scan.limit(), StorageLimits.SCAN_LIMIT_MAX);
        KeyRange range = scan.range();
        StringBuilder sql = new StringBuilder("SELECT e.key, e.doc_id");
        if (scan.withDocuments()) {
            sql.append(", d.created, d.updated, d.data_json FROM ").append(t.indexEntries()).append(" e")
                    .append(" LEFT JOIN ").append(t.documents()).append(" d ON d.tbl = e.tbl AND d.id = e.doc_id");
        } else {
            sql.append(" FROM ").append(t.indexEntries()).append(" e");
        }
        sql.append(" WHERE e.tbl = ? AND e.idx = ?");
        if (range.lower() != null) {
            sql.append(range.lowerInclusive() ? " AND e.key >= ?" : " AND e.key > ?");
        }
        if (range.upper() != null) {
            sql.append(range.upperInclusive() ? " AND e.key <= ?" : " AND e.key < ?");
        }
        if (scan.after().isPresent()) {
            // A row comparison, which the (tbl, idx, key, doc_id) primary key index serves.
            sql.append(scan.descending() ? " AND (e.key, e.doc_id) < (?, ?)" : " AND (e.key, e.doc_id) > (?, ?)");
        }
        String order = scan.descending() ? " DESC" : " ASC";
        sql.append(" ORDER BY e.key").append(order).append(", e.doc_id").append(order).append(" LIMIT ?");
        return read("scanning an index", () -> {
            try (PreparedStatement ps = conn.prepareStatement(sql.toString())) {
                int i = 1;
                ps.setString(i++, table.value());
                ps.setString(i++, index);
                if (range.lower() != null) {
                    ps.setBytes(i++, range.lower());
                }
                if (range.upper() != null) {
                    ps.setBytes(i++, range.upper());
                }
                if (scan.after().isPresent()) {
                    ps.setBytes(i++, scan.after().get().key());
                    ps.setString(i++, scan.after().get().id().value());
                }
                ps.setInt(i, limit);
                List<IndexHit> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        DocumentId id = DocumentId.stored(rs.getString(2));
                        Optional<Document> doc = Optional.empty();
                        if (scan.withDocuments()) {
                            String body = rs.getString(5);
                            if (body != null) {
                                doc = Optional.of(new Document(id, rs.getLong(3), rs.getLong(4),
                                        DocumentCodec.decodeBody(body)));
                            }
                        }
                        out.add(new IndexHit(rs.getBytes(1), id, doc));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public List<TableName> tables() {
        return read("listing tables", () -> {
            List<TableName> out = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT name FROM " + t.tables() + " ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TableName(rs.getString(1)));
                }
            }
            return out;
        });
    }

    @Override
    public Optional<TableSchema> schema(TableName table) {
        return read("reading a schema", () -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT schema_json FROM " + t.schemas() + " WHERE tbl = ?")) {
                ps.setString(1, table.value());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(SchemaJson.readStored(rs.getString(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public long lastSequence() {
        return read("reading the journal head", () -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM " + t.journal());
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public List<JournalRecord> readJournal(long afterSequence, int limit) {
        int bounded = Math.max(1, Math.min(limit, StorageLimits.SCAN_LIMIT_MAX));
        return read("reading the journal", () -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT record, sha256 FROM " + t.journal() + " WHERE seq > ? ORDER BY seq LIMIT ?")) {
                ps.setLong(1, afterSequence);
                ps.setInt(2, bounded);
                List<JournalRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(JournalCodec.decode(rs.getBytes(1), rs.getBytes(2)));
                    }
                }
                return out;
            }
        });
    }
}
