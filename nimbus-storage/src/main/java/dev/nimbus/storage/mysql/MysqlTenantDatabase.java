package dev.nimbus.storage.mysql;

import com.zaxxer.hikari.HikariDataSource;
import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One tenant's database as this process sees it: its statements, the in-process writer permit
 * (the server-side half of the writer lock is the owner row, see {@link MysqlWriteTransaction}),
 * and the sessions open on it, so that dropping the tenant can end them instead of waiting for
 * their metadata locks. Connections come from the provider's shared pool.
 */
final class MysqlTenantDatabase {
    final TenantId tenant;
    final MysqlStatements sql;
    private final HikariDataSource pool;
    private final MysqlOptions options;
    private final long maxAllowedPacketBytes;
    private final Semaphore writerPermit = new Semaphore(1, true);
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    // Set once: the tenant was dropped, or the provider closed. Either ends every session.
    private volatile NimbusException ended;

    /** A snapshot or write transaction holding a pooled connection. */
    interface Session {
        /** Ends the session from another thread: its connection is closed under it. */
        void abort();
    }

    MysqlTenantDatabase(TenantId tenant, String databaseName, HikariDataSource pool, MysqlOptions options,
                        long maxAllowedPacketBytes) {
        this.tenant = tenant;
        this.sql = new MysqlStatements(databaseName);
        this.pool = pool;
        this.options = options;
        this.maxAllowedPacketBytes = maxAllowedPacketBytes;
    }

    String databaseName() {
        return sql.database;
    }

    boolean ended() {
        return ended != null;
    }

    long maxAllowedPacketBytes() {
        return maxAllowedPacketBytes;
    }

    MysqlWriteTransaction beginWrite() {
        requireLive();
        try {
            if (!writerPermit.tryAcquire(options.lockWaitMillis(), TimeUnit.MILLISECONDS)) {
                throw new NimbusException(ErrorCode.STORAGE_BUSY, "mysql storage error [busy]: the tenant's writer"
                        + " stayed busy for " + options.lockWaitMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NimbusException(ErrorCode.CANCELLED, "interrupted while waiting for the writer");
        }
        Connection c;
        try {
            requireLive();
            c = borrow("starting a write transaction");
        } catch (RuntimeException e) {
            writerPermit.release();
            throw e;
        }
        return new MysqlWriteTransaction(this, c, writerPermit::release);
    }

    MysqlSnapshot snapshot() {
        requireLive();
        return new MysqlSnapshot(this, borrow("starting a snapshot"));
    }

    private Connection borrow(String what) {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw MysqlErrors.map(what, e);
        }
    }

    /** Gives a connection back; one whose transaction state is unknown is closed instead. */
    void giveBack(Connection c, boolean clean) {
        evictUnlessClosed(pool, c, clean);
        try {
            c.close();
        } catch (SQLException ignored) {
            // the pool replaces it
        }
    }

    void register(Session s) {
        sessions.add(s);
        if (ended != null) {
            s.abort(); // lost a race with drop
        }
    }

    void unregister(Session s) {
        sessions.remove(s);
    }

    /** Called by drop before the database goes: handles stop working, open sessions end now. */
    void markDropped() {
        end(MysqlErrors.notFound(tenant));
    }

    /** Called when the provider closes. */
    void markClosed() {
        end(new NimbusException(ErrorCode.UNAVAILABLE, "storage is closed"));
    }

    private void end(NimbusException reason) {
        ended = reason;
        for (Session s : sessions) {
            s.abort();
        }
    }

    /** What a failure in this tenant means; once it ended, every failure means that. */
    RuntimeException map(String what, Exception e) {
        NimbusException reason = ended;
        if (reason != null) {
            return new NimbusException(reason.code(), reason.getMessage(), reason.detail(), e);
        }
        if (e instanceof SQLException se) {
            return MysqlErrors.map(what, se, tenant);
        }
        return (RuntimeException) e;
    }

    private void requireLive() {
        NimbusException reason = ended;
        if (reason != null) {
            throw new NimbusException(reason.code(), reason.getMessage(), reason.detail(), null);
        }
    }

    /**
     * Evicts a connection that cannot be reused. The pool has already dropped one it saw break
     * (its proxy then reports closed); evicting that again would only confuse it.
     */
    static void evictUnlessClosed(HikariDataSource pool, Connection c, boolean clean) {
        try {
            if (!clean && !c.isClosed()) {
                pool.evictConnection(c);
            }
        } catch (SQLException ignored) {
            // isClosed does not fail on a pooled proxy
        }
    }

    /**
     * Closes a connection under a session that another thread may be using. The session's own
     * close then fails to roll back and gives the connection up.
     */
    void abortConnection(Connection c) {
        try {
            c.abort(Runnable::run);
        } catch (SQLException | RuntimeException ignored) {
            // already closed
        }
    }
}
