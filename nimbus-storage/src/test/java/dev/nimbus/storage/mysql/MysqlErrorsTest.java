package dev.nimbus.storage.mysql;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

class MysqlErrorsTest {

    private static ErrorCode code(String state, int vendor) {
        return MysqlErrors.map("testing", new SQLException("server text", state, vendor)).code();
    }

    @Test
    void failuresMapByStateAndVendorCode() {
        assertThat(code("08S01", 0)).isEqualTo(ErrorCode.UNAVAILABLE);            // communications link failure
        assertThat(code("70100", 1927)).isEqualTo(ErrorCode.UNAVAILABLE);         // connection killed
        assertThat(code("HY000", 2013)).isEqualTo(ErrorCode.UNAVAILABLE);         // lost connection
        assertThat(code("40001", 1213)).isEqualTo(ErrorCode.STORAGE_BUSY);        // deadlock
        assertThat(code("HY000", 1205)).isEqualTo(ErrorCode.STORAGE_BUSY);        // lock wait timeout
        assertThat(code("HY000", 1021)).isEqualTo(ErrorCode.STORAGE_IO);          // disk full
        assertThat(code("HY000", 1114)).isEqualTo(ErrorCode.STORAGE_IO);          // table is full
        assertThat(code("HY000", 1034)).isEqualTo(ErrorCode.STORAGE_CORRUPTION);  // index corrupt
        assertThat(code("23000", 1062)).isEqualTo(ErrorCode.STORAGE_OTHER);       // duplicate entry
        assertThat(code(null, 0)).isEqualTo(ErrorCode.STORAGE_OTHER);
    }

    @Test
    void anExhaustedPoolIsBusyButAnUnreachableServerIsUnavailable() {
        assertThat(MysqlErrors.map("x", new SQLTransientConnectionException("timeout")).code())
                .isEqualTo(ErrorCode.STORAGE_BUSY);
        SQLTransientConnectionException down = new SQLTransientConnectionException("timeout");
        down.initCause(new SQLException("link failure", "08S01"));
        assertThat(MysqlErrors.map("x", down).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    @Test
    void aMissingTenantDatabaseIsTenantNotFound() {
        NimbusException e = MysqlErrors.map("reading", new SQLException("Unknown database 'tenant_x'", "42000", 1049),
                new TenantId("x"));
        assertThat(e.code()).isEqualTo(ErrorCode.TENANT_NOT_FOUND);
    }

    @Test
    void messagesNeverCarryTheServersTextOrValues() {
        NimbusException e = MysqlErrors.map("writing a document",
                new SQLException("Duplicate entry 'secret-value' for key 'PRIMARY'", "23000", 1062));
        assertThat(e.getMessage()).isEqualTo("mysql storage error [other] while writing a document (SQLState 23000, code 1062)");
    }
}
