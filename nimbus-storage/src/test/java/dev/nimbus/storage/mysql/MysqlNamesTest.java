package dev.nimbus.storage.mysql;

import dev.nimbus.core.model.TenantId;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Tenant database names: safe, short enough, distinct under case folding, readable when they can be. */
class MysqlNamesTest {
    private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    @Test
    void plainLowercaseIdsKeepTheirNameBehindThePrefix() {
        assertThat(MysqlNames.tenantDatabase("tenant_", new TenantId("acme"))).isEqualTo("tenant_acme");
        assertThat(MysqlNames.tenantDatabase("tenant_", new TenantId("a_b_9"))).isEqualTo("tenant_a_b_9");
    }

    @Test
    void otherIdsGetAReadablePartAndAHash() {
        String name = MysqlNames.tenantDatabase("tenant_", new TenantId("Acme-Corp"));
        assertThat(name).startsWith("tenant_acme_corp-").hasSize("tenant_acme_corp-".length() + MysqlNames.HASH_CHARS);
    }

    @Test
    void namesAreShortSafeAndDistinctEvenWhenTheServerFoldsCase() {
        Random random = new Random(7);
        Set<String> folded = new HashSet<>();
        List<String> tricky = List.of("acme", "Acme", "ACME", "a-b", "a_b", "A-B", "A_b", "-", "_", "x".repeat(128),
                "X".repeat(128), "x".repeat(127) + "-", "x".repeat(57), "x".repeat(58));
        List<String> ids = new java.util.ArrayList<>(tricky);
        for (int i = 0; i < 5_000; i++) {
            StringBuilder id = new StringBuilder();
            int length = 1 + random.nextInt(i % 2 == 0 ? 8 : 128);
            for (int j = 0; j < length; j++) {
                id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
            }
            ids.add(id.toString());
        }
        Set<String> unique = new HashSet<>(ids);
        for (String prefix : List.of("t_", "tenant_", "p".repeat(MysqlOptions.PREFIX_LENGTH_MAX))) {
            folded.clear();
            for (String id : unique) {
                String name = MysqlNames.tenantDatabase(prefix, new TenantId(id));
                assertThat(name).startsWith(prefix).matches("[a-z0-9_-]{1,64}");
                assertThat(MysqlNames.tenantDatabase(prefix, new TenantId(id))).isEqualTo(name); // deterministic
                assertThat(folded.add(name.toLowerCase(Locale.ROOT))).as("name of %s is unique", id).isTrue();
            }
        }
    }

    @Test
    void identifiersAreAlwaysBacktickQuoted() {
        assertThat(MysqlNames.quote("tenant_acme")).isEqualTo("`tenant_acme`");
        assertThat(MysqlNames.quote("a`b")).isEqualTo("`a``b`");
    }

    @Test
    void lifecycleLockNamesFitTheServersLimitAndSeparateRegistries() {
        String a = MysqlNames.tenantLifecycleLock("nimbus_provider", new TenantId("x".repeat(128)));
        String b = MysqlNames.tenantLifecycleLock("other_registry", new TenantId("x".repeat(128)));
        assertThat(a.length()).isLessThanOrEqualTo(64);
        assertThat(a).isNotEqualTo(b);
    }
}
