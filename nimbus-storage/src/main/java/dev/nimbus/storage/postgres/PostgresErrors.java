package dev.nimbus.storage.postgres;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Maps Postgres failures (by SQLSTATE) onto Nimbus's storage error kinds. Messages name the
 * operation and the SQLSTATE only: never SQL text, never values (the driver is also told to keep
 * server "detail" lines, which quote row values, out of its exception messages).
 */
final class PostgresErrors {
    private PostgresErrors() {
    }

    static NimbusException map(String what, SQLException e) {
        ErrorCode code = codeOf(e);
        String state = e.getSQLState();
        return new NimbusException(code, "postgres storage error [" + kind(code) + "] while " + what
                + (state == null ? "" : " (SQLSTATE " + state + ")"), Value.Obj.EMPTY, e);
    }

    static ErrorCode codeOf(SQLException e) {
        String state = e.getSQLState();
        if (state == null) {
            // The pool's "no connection became free in time" carries no state of its own.
            return e instanceof SQLTransientConnectionException ? ErrorCode.STORAGE_BUSY : ErrorCode.STORAGE_OTHER;
        }
        if (isConnectionLost(e)) {
            return ErrorCode.UNAVAILABLE;
        }
        return switch (state) {
            // serialization failure, deadlock, lock_timeout, statement cancelled (statement_timeout)
            case "40001", "40P01", "55P03", "57014" -> ErrorCode.STORAGE_BUSY;
            case "XX001", "XX002" -> ErrorCode.STORAGE_CORRUPTION; // data_corrupted, index_corrupted
            default -> switch (state.substring(0, 2)) {
                case "53", "58" -> ErrorCode.STORAGE_IO;      // insufficient resources, system (I/O) error
                case "54" -> ErrorCode.INVALID_INPUT;        // program limit, e.g. an index row too large
                default -> ErrorCode.STORAGE_OTHER;
            };
        };
    }

    /**
     * The session is gone: connection exceptions (08) and the server ending it (admin shutdown,
     * crash shutdown, cannot connect now — what {@code pg_terminate_backend} and restarts cause).
     */
    static boolean isConnectionLost(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08")
                || state.equals("57P01") || state.equals("57P02") || state.equals("57P03"));
    }

    /** The tenant's schema or one of its tables is gone: the tenant was dropped. */
    static boolean isTenantMissing(SQLException e) {
        String state = e.getSQLState();
        return "3F000".equals(state) || "42P01".equals(state); // invalid_schema_name, undefined_table
    }

    static String kind(ErrorCode code) {
        return switch (code) {
            case STORAGE_BUSY -> "busy";
            case UNAVAILABLE -> "unavailable";
            case STORAGE_CORRUPTION -> "corruption";
            case STORAGE_IO -> "io";
            case INVALID_INPUT -> "limit";
            default -> "other";
        };
    }
}
