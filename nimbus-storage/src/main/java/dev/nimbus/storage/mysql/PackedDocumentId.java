package dev.nimbus.storage.mysql;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.DocumentId;

/**
 * A document id packed into 6 bits per character, for the primary key of
 * {@code nimbus_index_entries}. Why: InnoDB keys are at most 3072 bytes, and an index key (2048
 * bytes) plus a document id as text (1024) already take all of it, leaving nothing for the index
 * number. Packed, the longest id takes 768 bytes and the key (4 + 2048 + 768) fits.
 *
 * <p>Document ids use only lowercase Crockford base32 ({@code 0-9 a-z} without {@code i l o u}),
 * whose characters are in ASCII order. Each becomes its rank + 1 (1-32, never 0), big-endian, and
 * the last byte is padded with zero bits. Comparing packed ids as unsigned bytes therefore
 * orders them exactly as {@link DocumentId#compareTo}: equal prefixes pack to equal bytes, the
 * first differing character decides, and a shorter id (zero padding, or fewer bytes) sorts first.
 */
final class PackedDocumentId {
    private PackedDocumentId() {
    }

    /** DocumentId's alphabet, in ASCII order. */
    static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
    static final int BYTES_MAX = (DocumentId.LENGTH_MAX * 6 + 7) / 8;
    private static final byte[] CODE = new byte[128];

    static {
        for (int i = 0; i < ALPHABET.length(); i++) {
            CODE[ALPHABET.charAt(i)] = (byte) (i + 1);
        }
    }

    static byte[] pack(DocumentId id) {
        return pack(id.value());
    }

    /** Packs characters of {@link #ALPHABET}; {@link DocumentId} guarantees its values use only those. */
    static byte[] pack(String v) {
        byte[] out = new byte[(v.length() * 6 + 7) / 8];
        int buffer = 0;
        int bits = 0;
        int o = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            int code = c < 128 ? CODE[c] : 0;
            if (code == 0) {
                // DocumentId guarantees its alphabet; a change there must change this layout too.
                throw new NimbusException(ErrorCode.INTERNAL, "document id character outside the packed alphabet");
            }
            buffer = (buffer << 6) | code;
            bits += 6;
            if (bits >= 8) {
                out[o++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        if (bits > 0) {
            out[o++] = (byte) (buffer << (8 - bits));
        }
        assert o == out.length;
        return out;
    }
}
