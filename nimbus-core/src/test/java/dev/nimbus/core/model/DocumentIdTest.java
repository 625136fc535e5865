package dev.nimbus.core.model;

import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.testing.RandomValues;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueOrder;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DocumentIdTest {

    @Test
    void generatedIdsAreUniqueValidAndSortByCreation() {
        DocumentIdGenerator gen = new DocumentIdGenerator();
        List<DocumentId> ids = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ids.add(gen.next());
        }
        Set<DocumentId> unique = new HashSet<>(ids);
        assertThat(unique).hasSize(ids.size());
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i - 1).compareTo(ids.get(i))).isNegative();
        }
        assertThat(ids.get(0).value()).hasSize(26).matches("[0-7][0-9a-hjkmnp-tv-z]{25}");
        assertThat(DocumentId.isValid(ids.get(0).value())).isTrue();
    }

    @Test
    void idsFromLaterMillisecondsSortLater() {
        Clock early = Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC);
        Clock late = Clock.fixed(Instant.ofEpochMilli(1_001), ZoneOffset.UTC);
        DocumentId a = new DocumentIdGenerator(early, new SecureRandom()).next();
        DocumentId b = new DocumentIdGenerator(late, new SecureRandom()).next();
        assertThat(a.compareTo(b)).isNegative();
    }

    @Test
    void derivedIdsRoundTripAndKeepKeyOrder() {
        RandomValues values = new RandomValues(new Random(11));
        for (int i = 0; i < 3_000; i++) {
            Value a = values.value();
            Value b = values.value();
            DocumentId ia = DocumentId.derivedFrom(a);
            DocumentId ib = DocumentId.derivedFrom(b);
            assertThat(ia.isDerived()).isTrue();
            assertThat(ia.derivedKey()).isEqualTo(a);
            assertThat(DocumentId.parse(ia.value())).isEqualTo(ia);
            assertThat(Integer.signum(ia.compareTo(ib))).isEqualTo(Integer.signum(ValueOrder.compare(a, b)));
        }
    }

    @Test
    void rejectsMalformedIds() {
        for (String bad : new String[] {"", "ABC", "01jx2x9w7d2f0v6q8t3k5r9e1", "91jx2x9w7d2f0v6q8t3k5r9e1b",
                "k", "kzz", "k0", "01jx2x9w7d2f0v6q8t3k5r9e1!", "01jx2x9w7d2f0v6q8t3k5r9e1\u00e9",
                "01jx2x9w7d2f0v6q8t3k5r9e1\u0101", "01jx2x9w7d2f0v6q8t3k5r9eil", "x".repeat(2000)}) {
            assertThat(DocumentId.isValid(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> DocumentId.parse(bad)).isInstanceOf(NimbusException.class);
        }
        assertThat(DocumentId.isValid("01jx2x9w7d2f0v6q8t3k5r9e1b")).isTrue();
    }

    @Test
    void namesAreValidated() {
        assertThat(TableName.of("users.v2-x_1").value()).isEqualTo("users.v2-x_1");
        assertThatThrownBy(() -> TableName.of("_jobs")).isInstanceOf(NimbusException.class);
        assertThatThrownBy(() -> TableName.of("a b")).isInstanceOf(NimbusException.class);
        assertThat(TableName.system("_jobs").isSystem()).isTrue();
        assertThat(TenantId.of("acme-1").value()).isEqualTo("acme-1");
        assertThatThrownBy(() -> TenantId.of("_nimbus")).isInstanceOf(NimbusException.class);
        assertThatThrownBy(() -> TenantId.of("a".repeat(129))).isInstanceOf(NimbusException.class);
        assertThatThrownBy(() -> TenantId.of("a/b")).isInstanceOf(NimbusException.class);
    }

    @Test
    void aDocumentRefusesSystemFieldsNamingTheFirstInItsOrder() {
        DocumentId id = new DocumentIdGenerator().next();
        java.util.Map<String, Value> fields = new java.util.LinkedHashMap<>();
        fields.put("name", Value.of("Ada"));
        assertThat(new Document(id, 1, 1, new Value.Obj(fields)).fields().get("name")).isEqualTo(Value.of("Ada"));
        fields.put("_updateTime", Value.of(1L));
        fields.put("_id", Value.of("x"));
        assertThatThrownBy(() -> new Document(id, 1, 1, new Value.Obj(fields)))
                .isInstanceOf(NimbusException.class).hasMessageContaining("'_updateTime'");
        for (String system : Document.SYSTEM_FIELDS) {
            assertThatThrownBy(() -> new Document(id, 1, 1, new Value.Obj(java.util.Map.of(system, Value.of(1L)))))
                    .as(system).isInstanceOf(NimbusException.class);
        }
    }

    @Test
    void storedIdsAreCheckedForCharactersButNotReEncoded() {
        DocumentId generated = new DocumentIdGenerator().next();
        assertThat(DocumentId.stored(generated.value())).isEqualTo(generated).hasSameHashCodeAs(generated);
        DocumentId derived = DocumentId.derivedFrom(Value.of("key"));
        assertThat(DocumentId.stored(derived.value()).derivedKey()).isEqualTo(Value.of("key"));
        // Not the canonical encoding of a key: refused from a client, taken as stored (it was checked when written).
        assertThat(DocumentId.isValid("k0")).isFalse();
        assertThat(DocumentId.stored("k0").value()).isEqualTo("k0");
        for (String bad : new String[] {"", "k", "ABC", "01jx2x9w7d2f0v6q8t3k5r9e1!", "x".repeat(2000)}) {
            assertThatThrownBy(() -> DocumentId.stored(bad)).as(bad).isInstanceOf(NimbusException.class)
                    .extracting(e -> ((NimbusException) e).code()).isEqualTo(dev.nimbus.core.error.ErrorCode.STORAGE_CORRUPTION);
        }
        assertThat(generated.toString()).isEqualTo(generated.value());
        assertThat(generated).isNotEqualTo(derived);
    }
}
