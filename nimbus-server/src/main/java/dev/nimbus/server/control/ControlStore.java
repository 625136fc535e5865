package dev.nimbus.server.control;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * {@code nimbus-control.db}: the control plane's SQLite database in the control data dir (Nimbus
 * keeps it in redb; the JVM port uses SQLite under the same name). Holds the tenant registry and
 * the usage ledger. The control data dir is locked by one process ({@value #LOCK_FILE}); a
 * second one fails fast with {@code busy}. One connection, used by one caller at a time: control
 * writes are rare (tenant lifecycle, a user's first activity in a month).
 */
public final class ControlStore implements AutoCloseable {
    public static final String FILE = "nimbus-control.db";
    static final String LOCK_FILE = ".nimbus-control.lock";
    /** Version of the tables below; a newer file is refused rather than misread. */
    static final int FORMAT_VERSION = 1;
    static final int BUSY_TIMEOUT_MILLIS = 5_000;

    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS control_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS tenants (tenant_id TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL,"
                    + " provider TEXT NOT NULL, status TEXT NOT NULL"
                    + " CHECK (status IN ('provisioning', 'active', 'deleting', 'missing')),"
                    + " updated_at_ms INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS monthly_active_users (month TEXT NOT NULL, tenant_id TEXT NOT NULL,"
                    + " subject TEXT NOT NULL, first_seen_ms INTEGER NOT NULL,"
                    + " PRIMARY KEY (month, tenant_id, subject)) WITHOUT ROWID");

    /** Work on the connection, inside a transaction when it writes. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Connection connection;

    private ControlStore(Path dir, FileChannel lockChannel, FileLock lock, Connection connection) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.connection = connection;
    }

    /** Locks the control data dir and opens (creating when missing) its database. */
    public static ControlStore open(Path controlDataDir) {
        Path dir = controlDataDir.toAbsolutePath();
        FileChannel channel;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new NimbusException(ErrorCode.STORAGE_IO, "cannot use control data dir " + dir + ": " + e.getMessage(),
                    Value.Obj.EMPTY, e);
        }
        FileLock acquired;
        try {
            acquired = channel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            acquired = null;
        }
        if (acquired == null) {
            closeQuietly(channel);
            throw new NimbusException(ErrorCode.STORAGE_BUSY, "storage error [busy]: control data dir " + dir
                    + " is in use by another Nimbus process");
        }
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(FILE));
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("PRAGMA synchronous = FULL");
                for (String ddl : SCHEMA) {
                    s.execute(ddl);
                }
                checkFormat(c, dir);
            }
            return new ControlStore(dir, channel, acquired, c);
        } catch (SQLException | RuntimeException e) {
            releaseQuietly(acquired);
            closeQuietly(channel);
            if (e instanceof NimbusException n) {
                throw n;
            }
            throw new NimbusException(ErrorCode.STORAGE_IO, "cannot open " + dir.resolve(FILE) + ": " + e.getMessage(),
                    Value.Obj.EMPTY, e);
        }
    }

    private static void checkFormat(Connection c, Path dir) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT value FROM control_meta WHERE key = 'format_version'")) {
            if (r.next()) {
                int found = Integer.parseInt(r.getString(1));
                if (found > FORMAT_VERSION) {
                    throw new NimbusException(ErrorCode.STORAGE_CORRUPTION, dir.resolve(FILE) + " has format version "
                            + found + ", newer than this server understands (" + FORMAT_VERSION + ")");
                }
                return;
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO control_meta (key, value) VALUES ('format_version', '" + FORMAT_VERSION + "')");
        }
    }

    /** Runs read-only work. */
    synchronized <T> T read(Work<T> work) {
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Runs work in one transaction: all of it is durable, or none. */
    synchronized <T> T write(Work<T> work) {
        try {
            connection.setAutoCommit(false);
            try {
                T out = work.run(connection);
                connection.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private NimbusException failure(SQLException e) {
        boolean busy = e.getMessage() != null && e.getMessage().contains("SQLITE_BUSY");
        return new NimbusException(busy ? ErrorCode.STORAGE_BUSY : ErrorCode.STORAGE_IO,
                "control plane " + dir.resolve(FILE) + ": " + e.getMessage(), Value.Obj.EMPTY, e);
    }

    public Path dir() {
        return dir;
    }

    public Path file() {
        return dir.resolve(FILE);
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
        releaseQuietly(lock);
        closeQuietly(lockChannel);
    }

    private static void releaseQuietly(FileLock l) {
        try {
            l.release();
        } catch (IOException ignored) {
            // the channel's close releases it too
        }
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
