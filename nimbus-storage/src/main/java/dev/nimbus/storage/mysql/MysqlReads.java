package dev.nimbus.storage.mysql;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.schema.SchemaJson;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.storage.DocumentScan;
import dev.nimbus.storage.IndexHit;
import dev.nimbus.storage.IndexScan;
import dev.nimbus.storage.JournalRecord;
import dev.nimbus.storage.KeyRange;
import dev.nimbus.storage.StorageLimits;
import dev.nimbus.storage.StoreReader;
import dev.nimbus.storage.format.DocumentCodec;
import dev.nimbus.storage.format.JournalCodec;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The read half of the contract over one connection inside a transaction the subclass opened
 * (a consistent snapshot, or the writer's transaction, which sees its own writes).
 */
abstract class MysqlReads implements StoreReader {
    protected final TenantId tenant;
    protected final MysqlStatements sql;

    MysqlReads(TenantId tenant, MysqlStatements sql) {
        this.tenant = tenant;
        this.sql = sql;
    }

    /** The connection holding the transaction; throws once the transaction is finished. */
    abstract Connection connection();

    /** Maps a failure; the subclass decides what else it means (a writer rolls back). */
    abstract RuntimeException failed(String what, Exception e);

    interface Body<T> {
        T run(Connection c) throws SQLException;
    }

    <T> T run(String what, Body<T> body) {
        Connection c = connection();
        try {
            return body.run(c);
        } catch (SQLException | RuntimeException e) {
            throw failed(what, e);
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Override
    public Optional<Document> get(TableName table, DocumentId id) {
        return run("reading a document", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.getDocument)) {
                ps.setBytes(1, ascii(table.value()));
                ps.setBytes(2, ascii(id.value()));
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
        return run("scanning documents", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.scanDocuments(scan.after().isPresent(), scan.descending()))) {
                int i = 1;
                ps.setBytes(i++, ascii(table.value()));
                if (scan.after().isPresent()) {
                    ps.setBytes(i++, ascii(scan.after().get().value()));
                }
                ps.setInt(i, limit);
                List<Document> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Document(DocumentId.stored(ascii(rs.getBytes(1))), rs.getLong(2), rs.getLong(3),
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
        String text = sql.scanIndex(range, scan.after().isPresent(), scan.descending(), scan.withDocuments());
        return run("scanning an index", c -> {
            try (PreparedStatement ps = c.prepareStatement(text)) {
                int i = 1;
                ps.setBytes(i++, ascii(table.value()));
                ps.setBytes(i++, index.getBytes(StandardCharsets.UTF_8));
                if (range.lower() != null) {
                    ps.setBytes(i++, range.lower());
                }
                if (range.upper() != null) {
                    ps.setBytes(i++, range.upper());
                }
                if (scan.after().isPresent()) {
                    byte[] key = scan.after().get().key();
                    ps.setBytes(i++, key);
                    ps.setBytes(i++, key);
                    ps.setBytes(i++, PackedDocumentId.pack(scan.after().get().id()));
                }
                ps.setInt(i, limit);
                List<IndexHit> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        DocumentId id = DocumentId.stored(ascii(rs.getBytes(2)));
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
        return run("listing tables", c -> {
            List<TableName> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.tables); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TableName(ascii(rs.getBytes(1))));
                }
            }
            return out;
        });
    }

    @Override
    public Optional<TableSchema> schema(TableName table) {
        return run("reading a schema", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.schema)) {
                ps.setBytes(1, ascii(table.value()));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(SchemaJson.readStored(rs.getString(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public long lastSequence() {
        return run("reading the journal head", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.lastSequence); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public List<JournalRecord> readJournal(long afterSequence, int limit) {
        int bounded = Math.max(1, Math.min(limit, StorageLimits.SCAN_LIMIT_MAX));
        return run("reading the journal", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.readJournal)) {
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

    /**
     * Checks the tenant database's format version and owner; with {@code lock}, also takes the
     * owner row's exclusive lock, which is the tenant's writer lock across processes.
     */
    void checkMeta(Connection c, boolean lock) throws SQLException {
        String version = null;
        String owner = null;
        try (PreparedStatement ps = c.prepareStatement(lock ? sql.metaLock : sql.metaCheck);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                switch (ascii(rs.getBytes(1))) {
                    case "format_version" -> version = ascii(rs.getBytes(2));
                    case "tenant_id" -> owner = ascii(rs.getBytes(2));
                    default -> { }
                }
            }
        }
        if (!Integer.toString(MysqlSchema.FORMAT_VERSION).equals(version)) {
            throw new NimbusException(ErrorCode.STORAGE_CORRUPTION, "tenant database format version " + version
                    + " is not supported (this build reads version " + MysqlSchema.FORMAT_VERSION + ")");
        }
        if (!tenant.value().equals(owner)) {
            throw new NimbusException(ErrorCode.STORAGE_CORRUPTION, "tenant database belongs to a different tenant");
        }
    }
}
