package dev.nimbus.storage.mysql;

import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.DocumentIdGenerator;
import dev.nimbus.core.testing.RandomValues;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Packed ids, the index entries' tie-breaker, order exactly like the ids themselves. */
class PackedDocumentIdTest {

    @Test
    void packedStringsOrderLikeTheStringsAndStayUnique() {
        Random random = new Random(11);
        List<String> strings = new ArrayList<>(List.of("0", "00", "000", "0000", "00000", "000000", "0000000",
                "00000000", "000000000", "1", "10", "k", "k0", "kz", "z", "zz", "zzzz", "zzz0"));
        for (int i = 0; i < 3_000; i++) {
            int length = 1 + random.nextInt(i % 3 == 0 ? DocumentId.LENGTH_MAX : 12);
            StringBuilder s = new StringBuilder();
            for (int j = 0; j < length; j++) {
                // A small alphabet subset makes long shared prefixes likely.
                s.append(PackedDocumentId.ALPHABET.charAt(random.nextInt(i % 2 == 0 ? 3 : 32)));
            }
            strings.add(s.toString());
        }
        Map<String, String> seen = new HashMap<>();
        for (String s : strings) {
            String packed = Arrays.toString(PackedDocumentId.pack(s));
            String other = seen.putIfAbsent(packed, s);
            assertThat(other == null || other.equals(s)).as("%s and %s pack alike", s, other).isTrue();
        }
        for (int i = 0; i < 100_000; i++) {
            String a = strings.get(random.nextInt(strings.size()));
            String b = strings.get(random.nextInt(strings.size()));
            assertThat(Integer.signum(Arrays.compareUnsigned(PackedDocumentId.pack(a), PackedDocumentId.pack(b))))
                    .as("%s vs %s", a, b).isEqualTo(Integer.signum(a.compareTo(b)));
        }
    }

    @Test
    void everyKindOfDocumentIdPacks() {
        Random random = new Random(5);
        RandomValues values = new RandomValues(random, 2);
        DocumentIdGenerator generator = new DocumentIdGenerator();
        List<DocumentId> ids = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            ids.add(generator.next());
            try {
                ids.add(DocumentId.derivedFrom(values.value()));
            } catch (NimbusException tooLarge) {
                // a random key too large for an id
            }
        }
        for (int i = 0; i < 20_000; i++) {
            DocumentId a = ids.get(random.nextInt(ids.size()));
            DocumentId b = ids.get(random.nextInt(ids.size()));
            assertThat(Integer.signum(Arrays.compareUnsigned(PackedDocumentId.pack(a), PackedDocumentId.pack(b))))
                    .as("%s vs %s", a, b).isEqualTo(Integer.signum(a.compareTo(b)));
        }
    }

    @Test
    void theLongestIdFitsItsColumn() {
        assertThat(PackedDocumentId.pack("z".repeat(DocumentId.LENGTH_MAX))).hasSize(PackedDocumentId.BYTES_MAX);
        assertThat(PackedDocumentId.BYTES_MAX).isEqualTo(768);
    }

    @Test
    void aCharacterOutsideTheAlphabetIsRefused() {
        assertThatThrownBy(() -> PackedDocumentId.pack("abc!")).isInstanceOf(NimbusException.class);
        assertThatThrownBy(() -> PackedDocumentId.pack("i")).isInstanceOf(NimbusException.class);
    }
}
