package dev.nimbus.storage.mysql;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MysqlOptionsTest {

    @Test
    void defaultsAreNimbusNames() {
        MysqlOptions o = MysqlOptions.of("jdbc:mysql://db:3306/", "nimbus", "pw");
        assertThat(o.metadataDatabase()).isEqualTo("nimbus_provider");
        assertThat(o.tenantDatabasePrefix()).isEqualTo("tenant_");
        assertThat(o.lockWaitMillis()).isEqualTo(5_000);
        assertThat(o.serverLockWaitSeconds()).isEqualTo(5);
        assertThat(o.withLockWaitMillis(1_001).serverLockWaitSeconds()).isEqualTo(2);
    }

    @Test
    void theCliUrlFormBecomesAJdbcUrlWithCredentials() {
        MysqlOptions o = MysqlOptions.forUrl("mysql://us%40er:p%3Aw+d@db.example.com:3307/nimbus?sslMode=REQUIRED");
        assertThat(o.jdbcUrl()).isEqualTo("jdbc:mysql://db.example.com:3307/nimbus?sslMode=REQUIRED");
        assertThat(o.user()).isEqualTo("us@er");
        assertThat(o.password()).isEqualTo("p:w+d");
        assertThat(MysqlOptions.forUrl("mysql://db").jdbcUrl()).isEqualTo("jdbc:mysql://db/");
    }

    @Test
    void namesThatCouldCollideOrFoldAreRefused() {
        MysqlOptions o = MysqlOptions.of("jdbc:mysql://db/", "u", "");
        assertThatThrownBy(() -> o.withDatabases("tenant_meta", "tenant_")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.withDatabases("Nimbus", "tenant_")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.withDatabases("nimbus_provider", "t`; DROP")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.withDatabases("nimbus_provider", "p".repeat(33))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MysqlOptions.of("jdbc:postgresql://db/", "u", "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thePasswordNeverShows() {
        MysqlOptions o = MysqlOptions.of("jdbc:mysql://db/?user=x&password=hunter2", "u", "s3cret");
        assertThat(o.toString()).doesNotContain("hunter2").doesNotContain("s3cret").contains("password=***");
    }
}
