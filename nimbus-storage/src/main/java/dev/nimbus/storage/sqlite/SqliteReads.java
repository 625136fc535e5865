package dev.nimbus.storage.sqlite;

import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.schema.SchemaJson;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.storage.DocumentScan;
import dev.nimbus.storage.IndexHit;
import dev.nimbus.storage.IndexScan;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.StorageLimits;
import dev.nimbus.storage.StoreReader;
import dev.nimbus.storage.format.DocumentCodec;
import dev.nimbus.storage.format.JournalCodec;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The read half of the contract over one connection; the caller holds its transaction open. */
class SqliteReads implements StoreReader {
    protected final SqliteConnection conn;

    SqliteReads(SqliteConnection conn) {
        this.conn = conn;
    }

    /** Runs a read and maps SQLite failures. */
    interface Read<T> {
        T run() throws SQLException;
    }

    <T> T read(String what, Read<T> body) {
        try {
            return body.run();
        } catch (SQLException e) {
            throw SqliteErrors.map(what, e);
        }
    }

    @Override
    public Optional<Document> get(TableName table, DocumentId id) {
        return read("reading a document", () -> {
            PreparedStatement ps = conn.prepare(
                    "SELECT created, updated, data_json FROM nimbus_documents WHERE tbl = ? AND id = ?");
            ps.setString(1, table.value());
            ps.setString(2, id.value());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Document(id, rs.getLong(1), rs.getLong(2),
                        DocumentCodec.decodeBody(rs.getBytes(3))));
            }
        });
    }

    @Override
    public List<Document> scanDocuments(TableName table, DocumentScan scan) {
        int limit = Math.min(scan.limit(), StorageLimits.SCAN_LIMIT_MAX);
        String cmp = scan.descending() ? "<" : ">";
        String order = scan.descending() ? "DESC" : "ASC";
        String sql = "SELECT id, created, updated, data_json FROM nimbus_documents WHERE tbl = ?"
                + (scan.after().isPresent() ? " AND id " + cmp + " ?" : "")
                + " ORDER BY id " + order + " LIMIT ?";
        return read("scanning documents", () -> {
            PreparedStatement ps = conn.prepare(sql);
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
                            DocumentCodec.decodeBody(rs.getBytes(4))));
                }
            }
            return out;
        });
    }

    @Override
    public List<IndexHit> scanIndex(TableName table, String index, IndexScan scan) {
        int limit = Math.min(scan.limit(), StorageLimits.SCAN_LIMIT_MAX);
        StringBuilder sql = new StringBuilder("SELECT e.key, e.doc_id");
        if (scan.withDocuments()) {
            sql.append(", d.created, d.updated, d.data_json FROM nimbus_index_entries e"
                    + " LEFT JOIN nimbus_documents d ON d.tbl = e.tbl AND d.id = e.doc_id");
        } else {
            sql.append(" FROM nimbus_index_entries e");
        }
        sql.append(" WHERE e.tbl = ? AND e.idx = ?");
        var range = scan.range();
        if (range.lower() != null) {
            sql.append(range.lowerInclusive() ? " AND e.key >= ?" : " AND e.key > ?");
        }
        if (range.upper() != null) {
            sql.append(range.upperInclusive() ? " AND e.key <= ?" : " AND e.key < ?");
        }
        if (scan.after().isPresent()) {
            sql.append(scan.descending() ? " AND (e.key, e.doc_id) < (?, ?)" : " AND (e.key, e.doc_id) > (?, ?)");
        }
        String order = scan.descending() ? " DESC" : " ASC";
        sql.append(" ORDER BY e.key").append(order).append(", e.doc_id").append(order).append(" LIMIT ?");
        return read("scanning an index", () -> {
            PreparedStatement ps = conn.prepare(sql.toString());
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
                        byte[] body = rs.getBytes(5); // the TEXT's UTF-8 bytes: no string decoded first
                        if (body != null) {
                            doc = Optional.of(new Document(id, rs.getLong(3), rs.getLong(4),
                                    DocumentCodec.decodeBody(body)));
                        }
                    }
                    out.add(new IndexHit(rs.getBytes(1), id, doc));
                }
            }
            return out;
        });
    }

    @Override
    public List<TableName> tables() {
        return read("listing tables", () -> {
            List<TableName> out = new ArrayList<>();
            try (ResultSet rs = conn.prepare("SELECT name FROM nimbus_tables ORDER BY name").executeQuery()) {
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
            PreparedStatement ps = conn.prepare("SELECT schema_json FROM nimbus_schemas WHERE tbl = ?");
            ps.setString(1, table.value());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(SchemaJson.readStored(rs.getString(1))) : Optional.empty();
            }
        });
    }

    @Override
    public long lastSequence() {
        return read("reading the journal head", () -> {
            try (ResultSet rs = conn.prepare("SELECT COALESCE(MAX(seq), 0) FROM nimbus_journal").executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public List<JournalRecord> readJournal(long afterSequence, int limit) {
        int bounded = Math.max(1, Math.min(limit, StorageLimits.SCAN_LIMIT_MAX));
        return read("reading the journal", () -> {
            PreparedStatement ps = conn.prepare(
                    "SELECT record, sha256 FROM nimbus_journal WHERE seq > ? ORDER BY seq LIMIT ?");
            ps.setLong(1, afterSequence);
            ps.setInt(2, bounded);
            List<JournalRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(JournalCodec.decode(rs.getBytes(1), rs.getBytes(2)));
                }
            }
            return out;
        });
    }
}
