package dev.nimbus.storage.mysql;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;

/**
 * Maps MySQL / MariaDB failures onto Nimbus's storage error kinds by SQLState and vendor code.
 * Messages name what was being done and the codes, never the server's message: that can quote
 * the statement's values ("Duplicate entry '...'").
 */
final class MysqlErrors {
    private MysqlErrors() {
    }

    // Vendor codes (shared by MySQL and MariaDB unless noted).
    static final int ER_DISK_FULL = 1021;
    static final int ER_ERROR_ON_WRITE = 1026;
    static final int ER_GET_ERRNO = 1030;
    static final int ER_NOT_KEYFILE = 1034;
    static final int ER_BAD_DB_ERROR = 1049;
    static final int ER_SERVER_SHUTDOWN = 1053;
    static final int ER_RECORD_FILE_FULL = 1114;
    static final int ER_NO_SUCH_TABLE = 1146;
    static final int ER_NET_PACKET_TOO_LARGE = 1153;
    static final int ER_CRASHED_ON_USAGE = 1194;
    static final int ER_CRASHED_ON_REPAIR = 1195;
    static final int ER_LOCK_WAIT_TIMEOUT = 1205;
    static final int ER_LOCK_DEADLOCK = 1213;
    static final int ER_QUERY_INTERRUPTED = 1317;
    static final int ER_INDEX_CORRUPT = 1712;
    static final int ER_CONNECTION_KILLED = 1927; // MariaDB
    static final int CR_SERVER_GONE_ERROR = 2006;
    static final int CR_SERVER_LOST = 2013;

    /** A failure outside any one tenant (the registry, the pool, the server). */
    static NimbusException map(String what, SQLException e) {
        return map(what, e, null);
    }

    /** A failure while working in {@code tenant}'s database: a missing database means it was dropped. */
    static NimbusException map(String what, SQLException e, TenantId tenant) {
        ErrorCode code = classify(e);
        if (tenant != null && (e.getErrorCode() == ER_BAD_DB_ERROR || e.getErrorCode() == ER_NO_SUCH_TABLE)) {
            return notFound(tenant);
        }
        return new NimbusException(code, "mysql storage error [" + kind(code) + "] while " + what
                + " (SQLState " + e.getSQLState() + ", code " + e.getErrorCode() + ")", Value.Obj.EMPTY, e);
    }

    static ErrorCode classify(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            // HikariCP: no pooled connection within the wait. Busy, unless the server is unreachable.
            return e.getCause() instanceof SQLException cause && isConnectionFailure(cause)
                    ? ErrorCode.UNAVAILABLE : ErrorCode.STORAGE_BUSY;
        }
        if (isConnectionFailure(e)) {
            return ErrorCode.UNAVAILABLE;
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return switch (e.getErrorCode()) {
            case ER_LOCK_WAIT_TIMEOUT, ER_LOCK_DEADLOCK -> ErrorCode.STORAGE_BUSY;
            case ER_DISK_FULL, ER_ERROR_ON_WRITE, ER_GET_ERRNO, ER_RECORD_FILE_FULL -> ErrorCode.STORAGE_IO;
            case ER_NOT_KEYFILE, ER_CRASHED_ON_USAGE, ER_CRASHED_ON_REPAIR, ER_INDEX_CORRUPT ->
                    ErrorCode.STORAGE_CORRUPTION;
            default -> state.equals("40001") ? ErrorCode.STORAGE_BUSY : ErrorCode.STORAGE_OTHER;
        };
    }

    /** The connection is gone or unusable: the server went away, killed it, or never answered. */
    static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        int vendor = e.getErrorCode();
        return state.startsWith("08") || state.equals("70100") || vendor == ER_CONNECTION_KILLED
                || vendor == ER_QUERY_INTERRUPTED || vendor == ER_SERVER_SHUTDOWN
                || vendor == CR_SERVER_GONE_ERROR || vendor == CR_SERVER_LOST || vendor == ER_NET_PACKET_TOO_LARGE;
    }

    static NimbusException notFound(TenantId tenant) {
        return new NimbusException(ErrorCode.TENANT_NOT_FOUND, "tenant " + tenant + " does not exist",
                Map.of("tenantId", Value.of(tenant.value())));
    }

    private static String kind(ErrorCode code) {
        return switch (code) {
            case STORAGE_BUSY -> "busy";
            case UNAVAILABLE -> "unavailable";
            case STORAGE_CORRUPTION -> "corruption";
            case STORAGE_IO -> "io";
            default -> "other";
        };
    }
}
