package dev.nimbus.storage.sqlite;

import org.sqlite.SQLiteConfig;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** One JDBC connection to a tenant file with its prepared statements. Used by one thread at a time. */
final class SqliteConnection implements AutoCloseable {
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    private SqliteConnection(Connection connection) {
        this.connection = connection;
    }

    static SqliteConnection open(Path file, boolean readOnly, long busyTimeoutMillis) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // The writer commits with synchronous=NORMAL (COMMIT writes the WAL frames but does not
        // fsync them) and makes each commit durable itself with WalSync, off the writer's path;
        // SQLite still syncs around checkpoints and when the WAL restarts.
        config.setSynchronous(readOnly ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout((int) busyTimeoutMillis);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        config.enforceForeignKeys(false);
        // Nothing reads generated keys; by default the driver runs last_insert_rowid() after
        // every INSERT.
        config.setGetGeneratedKeys(false);
        Connection c = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
        c.setAutoCommit(true); // transactions are explicit: BEGIN IMMEDIATE / BEGIN ... COMMIT
        if (readOnly) {
            try (var s = c.createStatement()) {
                s.execute("PRAGMA query_only = ON");
            }
        }
        return new SqliteConnection(c);
    }

    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    /** Runs a statement without results (BEGIN, COMMIT, DDL), prepared once per connection. */
    void execute(String sql) throws SQLException {
        prepare(sql).execute();
    }

    @Override
    public void close() {
        for (PreparedStatement ps : statements.values()) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        statements.clear();
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
    }
}
