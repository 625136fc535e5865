package dev.nimbus.storage.sqlite;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.storage.Snapshot;
import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.TenantStore;
import dev.nimbus.storage.WriteTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The default provider: one SQLite file per tenant, {@code <data-dir>/<tenant>.sqlite3}, in WAL
 * mode with {@code synchronous=FULL}. Tenants are opened on first use, closed when idle, and at
 * most {@link SqliteOptions#openTenantsMax()} are open at once (least recently used idle ones
 * are closed first). The data dir is locked by one process; a second fails fast with
 * {@code service.storage_busy}.
 */
public final class SqliteStorageProvider implements StorageProvider {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteStorageProvider.class);
    static final String SUFFIX = ".sqlite3";
    static final String LOCK_FILE = ".nimbus.lock";

    private final Path dataDir;
    private final SqliteOptions options;
    private final FileChannel lockChannel;
    private final FileLock dataDirLock;
    private final ScheduledExecutorService idleCloser;
    private final Object lock = new Object();
    // Access-ordered: iteration starts at the least recently used tenant. Guarded by lock.
    private final LinkedHashMap<TenantId, SqliteTenantDatabase> open = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    public SqliteStorageProvider(Path dataDir) {
        this(dataDir, SqliteOptions.DEFAULTS);
    }

    public SqliteStorageProvider(Path dataDir, SqliteOptions options) {
        this.dataDir = dataDir.toAbsolutePath();
        this.options = options;
        try {
            Files.createDirectories(this.dataDir);
            lockChannel = FileChannel.open(this.dataDir.resolve(LOCK_FILE),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new NimbusException(ErrorCode.STORAGE_IO, "cannot use data dir " + this.dataDir + ": " + e.getMessage(),
                    Value.Obj.EMPTY, e);
        }
        FileLock acquired;
        try {
            acquired = lockChannel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            acquired = null;
        }
        if (acquired == null) {
            closeQuietly(lockChannel);
            throw new NimbusException(ErrorCode.STORAGE_BUSY, "storage error [busy]: data dir "
                    + this.dataDir + " is in use by another Nimbus process");
        }
        dataDirLock = acquired;
        idleCloser = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nimbus-sqlite-idle-closer");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, Math.min(options.idleCloseMillis() / 2, 30_000));
        idleCloser.scheduleWithFixedDelay(this::closeIdle, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public String kind() {
        return "sqlite";
    }

    public Path dataDir() {
        return dataDir;
    }

    Path fileOf(TenantId tenant) {
        return dataDir.resolve(tenant.value() + SUFFIX);
    }

    @Override
    public TenantStore create(TenantId tenant) {
        synchronized (lock) {
            ensureOpen();
            if (Files.exists(fileOf(tenant))) {
                throw new NimbusException(ErrorCode.ALREADY_EXISTS, "tenant " + tenant + " already exists",
                        Map.of("tenantId", Value.of(tenant.value())));
            }
            SqliteTenantDatabase db = SqliteTenantDatabase.open(tenant, fileOf(tenant), options, true);
            open.put(tenant, db);
            evictOverLimit(db);
        }
        LOG.info("created tenant {}", tenant);
        return new Handle(tenant);
    }

    @Override
    public TenantStore open(TenantId tenant) {
        if (!exists(tenant)) {
            throw notFound(tenant);
        }
        return new Handle(tenant);
    }

    @Override
    public boolean exists(TenantId tenant) {
        return Files.exists(fileOf(tenant));
    }

    @Override
    public List<TenantId> list() {
        List<TenantId> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dataDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(SUFFIX)) {
                    String id = name.substring(0, name.length() - SUFFIX.length());
                    try {
                        out.add(new TenantId(id));
                    } catch (NimbusException ignored) {
                        // not a tenant file
                    }
                }
            }
        } catch (IOException e) {
            throw new NimbusException(ErrorCode.STORAGE_IO, "cannot list tenants: " + e.getMessage());
        }
        out.sort(null);
        return out;
    }

    @Override
    public void drop(TenantId tenant) {
        synchronized (lock) {
            ensureOpen();
            if (!exists(tenant)) {
                throw notFound(tenant);
            }
            SqliteTenantDatabase db = open.remove(tenant);
            if (db != null) {
                db.closed = true;
                db.close();
            }
            try {
                for (String suffix : new String[] {SUFFIX + "-wal", SUFFIX + "-shm", SUFFIX}) {
                    Files.deleteIfExists(dataDir.resolve(tenant.value() + suffix));
                }
            } catch (IOException e) {
                throw new NimbusException(ErrorCode.STORAGE_IO, "cannot delete tenant files: " + e.getMessage());
            }
        }
        LOG.info("dropped tenant {}", tenant);
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (SqliteTenantDatabase db : open.values()) {
                db.closed = true;
                db.close();
            }
            open.clear();
        }
        idleCloser.shutdownNow();
        try {
            dataDirLock.release();
        } catch (IOException ignored) {
            // the channel close below releases it too
        }
        closeQuietly(lockChannel);
    }

    /** Number of tenant databases currently open (for tests and metrics). */
    public int openTenantCount() {
        synchronized (lock) {
            return open.size();
        }
    }

    // ---- leases ----------------------------------------------------------------------------

    private SqliteTenantDatabase acquire(TenantId tenant) {
        synchronized (lock) {
            ensureOpen();
            SqliteTenantDatabase db = open.get(tenant);
            if (db == null) {
                if (!exists(tenant)) {
                    throw notFound(tenant);
                }
                db = SqliteTenantDatabase.open(tenant, fileOf(tenant), options, false);
                open.put(tenant, db);
                evictOverLimit(db);
            }
            db.users++;
            db.lastUsedNanos = System.nanoTime();
            return db;
        }
    }

    private void release(SqliteTenantDatabase db) {
        synchronized (lock) {
            db.users--;
            db.lastUsedNanos = System.nanoTime();
            if (db.closed && db.users == 0) {
                db.close();
            }
        }
    }

    // Guarded by lock. Closes least recently used idle tenants beyond the limit; tenants in use
    // are never closed, so the count may briefly exceed the limit under heavy fan-out.
    private void evictOverLimit(SqliteTenantDatabase keep) {
        Iterator<Map.Entry<TenantId, SqliteTenantDatabase>> it = open.entrySet().iterator();
        while (open.size() > options.openTenantsMax() && it.hasNext()) {
            SqliteTenantDatabase db = it.next().getValue();
            if (db.users == 0 && db != keep) {
                it.remove();
                db.closed = true;
                db.close();
            }
        }
    }

    private void closeIdle() {
        long cutoff = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(options.idleCloseMillis());
        synchronized (lock) {
            Iterator<Map.Entry<TenantId, SqliteTenantDatabase>> it = open.entrySet().iterator();
            while (it.hasNext()) {
                SqliteTenantDatabase db = it.next().getValue();
                if (db.users == 0 && db.lastUsedNanos - cutoff < 0) {
                    it.remove();
                    db.closed = true;
                    db.close();
                }
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new NimbusException(ErrorCode.UNAVAILABLE, "storage is closed");
        }
    }

    private static NimbusException notFound(TenantId tenant) {
        return new NimbusException(ErrorCode.TENANT_NOT_FOUND, "tenant " + tenant + " does not exist",
                Map.of("tenantId", Value.of(tenant.value())));
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort
        }
    }

    /** A tenant handle: every call leases the open database and gives it back when done. */
    private final class Handle implements TenantStore {
        private final TenantId tenant;

        Handle(TenantId tenant) {
            this.tenant = tenant;
        }

        @Override
        public TenantId tenant() {
            return tenant;
        }

        @Override
        public WriteTransaction beginWrite() {
            SqliteTenantDatabase db = acquire(tenant);
            return db.beginWrite(() -> release(db)); // releases the lease itself if it fails
        }

        @Override
        public Snapshot snapshot() {
            SqliteTenantDatabase db = acquire(tenant);
            return db.snapshot(() -> release(db)); // releases the lease itself if it fails
        }
    }
}
