package dev.nimbus.storage.sqlite;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.sql.SQLException;

/** Maps SQLite failures onto Nimbus's storage error kinds (busy, io, corruption, other). */
final class SqliteErrors {
    private SqliteErrors() {
    }

    static NimbusException map(String what, SQLException e) {
        ErrorCode code = ErrorCode.STORAGE_OTHER;
        if (e instanceof SQLiteException se) {
            SQLiteErrorCode c = se.getResultCode();
            int primary = c == null ? e.getErrorCode() : c.code & 0xFF;
            code = switch (primary) {
                case 5, 6 -> ErrorCode.STORAGE_BUSY;            // SQLITE_BUSY, SQLITE_LOCKED
                case 11, 26 -> ErrorCode.STORAGE_CORRUPTION;    // SQLITE_CORRUPT, SQLITE_NOTADB
                case 10, 13, 14 -> ErrorCode.STORAGE_IO;        // SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN
                default -> ErrorCode.STORAGE_OTHER;
            };
        }
        return new NimbusException(code, "sqlite storage error [" + kind(code) + "] while " + what,
                dev.nimbus.core.value.Value.Obj.EMPTY, e);
    }

    private static String kind(ErrorCode code) {
        return switch (code) {
            case STORAGE_BUSY -> "busy";
            case STORAGE_CORRUPTION -> "corruption";
            case STORAGE_IO -> "io";
            default -> "other";
        };
    }
}
