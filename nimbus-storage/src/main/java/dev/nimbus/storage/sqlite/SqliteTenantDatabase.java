package dev.nimbus.storage.sqlite;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One open tenant file: one writer connection guarded by a single permit, and a bounded pool of
 * reader connections. Owned by {@link SqliteStorageProvider}, which counts users so that idle
 * eviction never closes a database in use.
 */
final class SqliteTenantDatabase {
    final TenantId tenant;
    private final Path file;
    private final SqliteOptions options;
    private final SqliteConnection writer;
    private final Semaphore writerPermit = new Semaphore(1, true);
    private final BlockingQueue<SqliteConnection> idleReaders;
    private final List<SqliteConnection> allReaders = new ArrayList<>();
    private final Semaphore readerPermits;

    /**
     * What the writer knows of committed state (journal head, tables in the catalog), so a write
     * transaction need not ask SQLite again. Read and updated only by the holder of the writer
     * permit; only this process writes the file (the data dir is locked).
     */
    static final class WriterCache {
        long lastSequence = -1;
        java.util.Set<String> tables = new java.util.HashSet<>();
    }

    private final WriterCache writerCache = new WriterCache();
    private final WalSync walSync;

    // Guarded by the provider's lock.
    int users;
    long lastUsedNanos = System.nanoTime();
    boolean closed;

    private SqliteTenantDatabase(TenantId tenant, Path file, SqliteOptions options, SqliteConnection writer) {
        this.tenant = tenant;
        this.file = file;
        this.options = options;
        this.writer = writer;
        this.walSync = new WalSync(file);
        this.idleReaders = new ArrayBlockingQueue<>(options.readersMax());
        this.readerPermits = new Semaphore(options.readersMax(), true);
    }

    /** Opens (and with {@code create}, initializes) the tenant file and checks its format. */
    static SqliteTenantDatabase open(TenantId tenant, Path file, SqliteOptions options, boolean create) {
        SqliteConnection writer;
        try {
            writer = SqliteConnection.open(file, false, options.lockWaitMillis());
        } catch (SQLException e) {
            throw SqliteErrors.map("opening tenant storage", e);
        }
        try {
            if (create) {
                writer.execute("BEGIN IMMEDIATE");
                for (String ddl : SqliteSchema.CREATE) {
                    writer.execute(ddl);
                }
                PreparedStatement ps = writer.prepare(
                        "INSERT OR IGNORE INTO nimbus_meta (key, value) VALUES (?, ?)");
                ps.setString(1, "format_version");
                ps.setString(2, Integer.toString(SqliteSchema.FORMAT_VERSION));
                ps.executeUpdate();
                ps.setString(1, "tenant_id");
                ps.setString(2, tenant.value());
                ps.executeUpdate();
                writer.execute("COMMIT");
            }
            checkFormat(writer, tenant);
            return new SqliteTenantDatabase(tenant, file, options, writer);
        } catch (SQLException e) {
            writer.close();
            throw SqliteErrors.map("initializing tenant storage", e);
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    private static void checkFormat(SqliteConnection c, TenantId tenant) throws SQLException {
        String version = null;
        String owner = null;
        try (ResultSet rs = c.prepare("SELECT key, value FROM nimbus_meta").executeQuery()) {
            while (rs.next()) {
                switch (rs.getString(1)) {
                    case "format_version" -> version = rs.getString(2);
                    case "tenant_id" -> owner = rs.getString(2);
                    default -> { }
                }
            }
        }
        if (!Integer.toString(SqliteSchema.FORMAT_VERSION).equals(version)) {
            throw new NimbusException(ErrorCode.STORAGE_CORRUPTION, "tenant file format version " + version
                    + " is not supported (this build reads version " + SqliteSchema.FORMAT_VERSION + ")");
        }
        if (!tenant.value().equals(owner)) {
            throw new NimbusException(ErrorCode.STORAGE_CORRUPTION,
                    "tenant file belongs to a different tenant");
        }
    }

    /** On failure {@code release} has run once; on success it runs when the transaction ends. */
    SqliteWriteTransaction beginWrite(Runnable release) {
        try {
            if (!writerPermit.tryAcquire(options.lockWaitMillis(), TimeUnit.MILLISECONDS)) {
                release.run();
                throw new NimbusException(ErrorCode.STORAGE_BUSY,
                        "sqlite storage error [busy]: the tenant's writer stayed busy for "
                        + options.lockWaitMillis() + " ms");
            }
        } catch (InterruptedException e) {
            release.run();
            Thread.currentThread().interrupt();
            throw new NimbusException(ErrorCode.CANCELLED, "interrupted while waiting for the writer");
        }
        return new SqliteWriteTransaction(writer, writerCache, walSync, writerPermit::release, release);
    }

    /** On failure {@code release} has run once; on success it runs when the snapshot closes. */
    SqliteSnapshot snapshot(Runnable release) {
        try {
            if (!readerPermits.tryAcquire(options.lockWaitMillis(), TimeUnit.MILLISECONDS)) {
                release.run();
                throw new NimbusException(ErrorCode.STORAGE_BUSY, "sqlite storage error [busy]: all "
                        + options.readersMax() + " readers of the tenant stayed busy");
            }
        } catch (InterruptedException e) {
            release.run();
            Thread.currentThread().interrupt();
            throw new NimbusException(ErrorCode.CANCELLED, "interrupted while waiting for a reader");
        }
        SqliteConnection reader = idleReaders.poll();
        if (reader == null) {
            try {
                reader = SqliteConnection.open(file, true, options.lockWaitMillis());
                synchronized (allReaders) {
                    allReaders.add(reader);
                }
            } catch (SQLException e) {
                readerPermits.release();
                release.run();
                throw SqliteErrors.map("opening a reader", e);
            }
        }
        SqliteConnection borrowed = reader;
        return new SqliteSnapshot(borrowed, () -> {
            idleReaders.offer(borrowed);
            readerPermits.release();
            release.run();
        });
    }

    /** Closes every connection. Callers make sure no one uses the database any more. */
    void close() {
        writer.close();
        walSync.close();
        synchronized (allReaders) {
            for (SqliteConnection r : allReaders) {
                r.close();
            }
            allReaders.clear();
        }
        idleReaders.clear();
    }
}
