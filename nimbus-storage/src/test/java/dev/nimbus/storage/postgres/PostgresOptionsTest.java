package dev.nimbus.storage.postgres;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresOptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        PostgresOptions o = PostgresOptions.of("jdbc:postgresql://db/nimbus", "u", "p");
        assertThat(o.metadataSchema()).isEqualTo("nimbus_provider");
        assertThat(o.tenantSchemaPrefix()).isEqualTo("tenant_");
        assertThat(o.lockWaitMillis()).isEqualTo(5_000);
        assertThat(o.minConnections()).isLessThanOrEqualTo(o.maxConnections());
    }

    @Test
    void theUrlFormOfPostgresUrlSplitsOutCredentials() {
        PostgresOptions o = PostgresOptions.fromUrl("postgresql://ad%40min:p%3Ass+w@db.example.com:5433/nimbus?sslmode=require");
        assertThat(o.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:5433/nimbus?sslmode=require");
        assertThat(o.user()).isEqualTo("ad@min");
        assertThat(o.password()).isEqualTo("p:ss+w");
        assertThat(PostgresOptions.fromUrl("postgres://db/x").jdbcUrl()).isEqualTo("jdbc:postgresql://db/x");
        assertThat(PostgresOptions.fromUrl("jdbc:postgresql://db/x").user()).isNull();
        assertThatThrownBy(() -> PostgresOptions.fromUrl("mysql://db/x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringNeverShowsThePassword() {
        PostgresOptions o = PostgresOptions.of("jdbc:postgresql://db/x?user=u&password=hunter2&ssl=true", "u", "s3cret");
        assertThat(o.toString()).doesNotContain("hunter2").doesNotContain("s3cret").contains("ssl=true");
    }

    @Test
    void namesThatCouldCollideOrNeedEscapingAreRefused() {
        PostgresOptions o = PostgresOptions.of("jdbc:postgresql://db/x", null, null);
        for (String bad : new String[] {"Upper", "has-dash", "a\"b", "pg_x", "", "9x", "x".repeat(64)}) {
            assertThatThrownBy(() -> o.withMetadataSchema(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        for (String bad : new String[] {"", "pg_", "a;", "x".repeat(33)}) {
            assertThatThrownBy(() -> o.withTenantSchemaPrefix(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        // The metadata schema must not be some tenant's schema.
        assertThatThrownBy(() -> o.withMetadataSchema("tenant_meta")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.withConnections(5, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresOptions.of("jdbc:mysql://db/x", null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
