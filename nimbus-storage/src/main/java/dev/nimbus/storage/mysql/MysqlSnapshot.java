package dev.nimbus.storage.mysql;

import dev.nimbus.storage.Snapshot;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A read-only REPEATABLE READ transaction on a pooled connection. {@code WITH CONSISTENT
 * SNAPSHOT} fixes InnoDB's read view when the transaction starts, so later commits stay
 * invisible even to tables not read yet.
 */
final class MysqlSnapshot extends MysqlReads implements Snapshot, MysqlTenantDatabase.Session {
    private final MysqlTenantDatabase db;
    private final Connection connection;
    private volatile boolean closed;

    MysqlSnapshot(MysqlTenantDatabase db, Connection connection) {
        super(db.tenant, db.sql);
        this.db = db;
        this.connection = connection;
        db.register(this);
        try (Statement s = connection.createStatement()) {
            s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
            checkMeta(connection, false);
        } catch (SQLException | RuntimeException e) {
            RuntimeException mapped = db.map("starting a snapshot", e);
            close();
            throw mapped;
        }
    }

    @Override
    Connection connection() {
        if (closed) {
            throw new IllegalStateException("the snapshot is closed");
        }
        return connection;
    }

    @Override
    RuntimeException failed(String what, Exception e) {
        return db.map(what, e);
    }

    @Override
    public void abort() {
        db.abortConnection(connection);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean clean = true;
        try (Statement s = connection.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException e) {
            clean = false;
        } finally {
            db.unregister(this);
            db.giveBack(connection, clean);
        }
    }
}
