package dev.nimbus.storage.sqlite;

import dev.nimbus.storage.Snapshot;

import java.sql.SQLException;

/**
 * A read transaction on a pooled reader connection. In WAL mode the read snapshot is fixed by
 * the first read, which the constructor performs, so later commits stay invisible.
 */
final class SqliteSnapshot extends SqliteReads implements Snapshot {
    private final Runnable onClose;
    private boolean closed;

    SqliteSnapshot(SqliteConnection reader, Runnable onClose) {
        super(reader);
        this.onClose = onClose;
        try {
            reader.execute("BEGIN");
            try (var rs = reader.prepare("SELECT value FROM nimbus_meta WHERE key = 'format_version'").executeQuery()) {
                rs.next(); // the first read pins the WAL snapshot
            }
        } catch (SQLException e) {
            close();
            throw SqliteErrors.map("starting a snapshot", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            conn.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // the read transaction ends either way
        } finally {
            onClose.run();
        }
    }
}
