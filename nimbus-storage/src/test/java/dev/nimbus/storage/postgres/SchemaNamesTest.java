package dev.nimbus.storage.postgres;

import dev.nimbus.core.model.TenantId;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tenant schema names: the documented tenant_<id>, within 63 bytes, injective, always quoted. */
class SchemaNamesTest {

    @Test
    void shortIdsKeepTheDocumentedVerbatimName() {
        assertThat(SchemaNames.tenantSchema("tenant_", TenantId.of("acme"))).isEqualTo("tenant_acme");
        assertThat(SchemaNames.tenantSchema("tenant_", TenantId.of("a-b_C"))).isEqualTo("tenant_a-b_C");
        String longest = "x".repeat(62 - "tenant_".length());
        assertThat(SchemaNames.tenantSchema("tenant_", TenantId.of(longest))).isEqualTo("tenant_" + longest);
    }

    @Test
    void longIdsAreHashedToExactly63BytesSoTheyNeverEqualAVerbatimName() {
        String id = "x".repeat(62 - "tenant_".length() + 1);
        String hashed = SchemaNames.tenantSchema("tenant_", TenantId.of(id));
        assertThat(hashed).hasSize(SchemaNames.IDENTIFIER_BYTES_MAX).startsWith("tenant_xxx")
                .matches("tenant_x+_[0-9a-f]{" + SchemaNames.HASH_HEX_CHARS + "}");
        String longestPrefix = "p".repeat(PostgresOptions.TENANT_SCHEMA_PREFIX_LENGTH_MAX);
        assertThat(SchemaNames.tenantSchema(longestPrefix, TenantId.of("y".repeat(128)))).hasSize(63);
    }

    @Test
    void distinctTenantsGetDistinctSchemas() {
        Set<String> seen = new HashSet<>();
        String base = "Ab-_".repeat(32);
        for (int len = 1; len <= 128; len++) {
            for (String variant : new String[] {base.substring(0, len), base.substring(0, len).toLowerCase(),
                    base.substring(0, len - 1) + "Z", base.substring(0, len - 1) + "z"}) {
                seen.add(variant);
            }
        }
        Set<String> schemas = new HashSet<>();
        for (String id : seen) {
            schemas.add(SchemaNames.tenantSchema("tenant_", new TenantId(id)));
        }
        assertThat(schemas).hasSameSizeAs(seen);
    }

    @Test
    void onlySafeIdentifiersAreQuoted() {
        assertThat(SchemaNames.quote("tenant_a-b_C")).isEqualTo("\"tenant_a-b_C\"");
        assertThat(SchemaNames.qualified("s", "nimbus_meta")).isEqualTo("\"s\".nimbus_meta");
        for (String bad : new String[] {"a\"b", "a;b", "a b", "", "x".repeat(64), "é"}) {
            assertThatThrownBy(() -> SchemaNames.quote(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void writerLockKeysDifferPerSchema() {
        assertThat(SchemaNames.writerLockKey("tenant_a")).isEqualTo(SchemaNames.writerLockKey("tenant_a"))
                .isNotEqualTo(SchemaNames.writerLockKey("tenant_A"))
                .isNotEqualTo(SchemaNames.metadataLockKey("tenant_a"));
    }
}
