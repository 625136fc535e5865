package dev.nimbus.storage.postgres;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresErrorsTest {

    private static ErrorCode code(String state) {
        return PostgresErrors.codeOf(new SQLException("x", state));
    }

    @Test
    void sqlStatesMapToStorageErrorKinds() {
        assertThat(code("08006")).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(code("08001")).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(code("57P01")).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(code("40001")).isEqualTo(ErrorCode.STORAGE_BUSY);
        assertThat(code("40P01")).isEqualTo(ErrorCode.STORAGE_BUSY);
        assertThat(code("55P03")).isEqualTo(ErrorCode.STORAGE_BUSY);
        assertThat(code("53100")).isEqualTo(ErrorCode.STORAGE_IO);
        assertThat(code("58030")).isEqualTo(ErrorCode.STORAGE_IO);
        assertThat(code("XX001")).isEqualTo(ErrorCode.STORAGE_CORRUPTION);
        assertThat(code("XX002")).isEqualTo(ErrorCode.STORAGE_CORRUPTION);
        assertThat(code("23505")).isEqualTo(ErrorCode.STORAGE_OTHER);
        assertThat(code(null)).isEqualTo(ErrorCode.STORAGE_OTHER);
        // The pool timing out with no server-side cause: every connection is in use.
        assertThat(PostgresErrors.codeOf(new SQLTransientConnectionException("pool timeout")))
                .isEqualTo(ErrorCode.STORAGE_BUSY);
        assertThat(ErrorCode.UNAVAILABLE.retryable()).isTrue();
        assertThat(ErrorCode.STORAGE_BUSY.retryable()).isTrue();
    }

    @Test
    void messagesNameTheOperationAndStateButNotTheServerText() {
        NimbusException e = PostgresErrors.map("writing a document",
                new SQLException("ERROR: duplicate key value (id)=(secret) in INSERT INTO ...", "23505"));
        assertThat(e.getMessage()).isEqualTo("postgres storage error [other] while writing a document (SQLSTATE 23505)");
    }

    @Test
    void aProviderWhoseServerIsUnreachableFailsFastAsUnavailable() {
        // Port 1 on loopback: nothing listens, so the connection is refused at once.
        PostgresOptions nowhere = PostgresOptions.of("jdbc:postgresql://127.0.0.1:1/postgres?connectTimeout=2",
                "postgres", "not-logged");
        assertThatThrownBy(() -> new PostgresStorageProvider(nowhere)).isInstanceOfSatisfying(NimbusException.class,
                e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.getMessage()).startsWith("postgres storage error [unavailable]")
                            .doesNotContain("not-logged");
                });
    }
}
