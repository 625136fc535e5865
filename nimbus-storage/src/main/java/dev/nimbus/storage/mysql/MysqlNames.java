package dev.nimbus.storage.mysql;

import dev.nimbus.core.model.TenantId;
import dev.nimbus.storage.format.JournalCodec;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Names the provider gives things on the server. Tenant ids are 1-128 of {@code A-Z a-z 0-9 _ -};
 * MySQL database names are at most 64 characters and, under {@code lower_case_table_names} 1 or
 * 2, case-insensitive. So a tenant's database name uses only {@code a-z 0-9 _ -}:
 *
 * <ul>
 *   <li>{@code <prefix><id>} when the id is only {@code a-z 0-9 _} and fits (the common case,
 *       readable: {@code tenant_acme});</li>
 *   <li>otherwise {@code <prefix><readable>-<hash>}: the id lowercased with '-' as '_', cut to
 *       fit, then '-' and 16 base32 characters (80 bits) of the SHA-256 of the exact id. Only
 *       this form contains '-', so it never equals a name of the first form, and ids that differ
 *       only by case or by '-' versus '_' get different hashes.</li>
 * </ul>
 *
 * The registry keeps the real id beside the name (and a unique index on the name), so the
 * mapping never has to be reversed and a hash collision could not merge two tenants.
 */
final class MysqlNames {
    private MysqlNames() {
    }

    static final int DATABASE_NAME_MAX = 64;
    static final int HASH_CHARS = 16;
    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

    static String tenantDatabase(String prefix, TenantId tenant) {
        String id = tenant.value();
        if (isPlain(id) && prefix.length() + id.length() <= DATABASE_NAME_MAX) {
            return prefix + id;
        }
        String hash = base32(JournalCodec.sha256(id.getBytes(StandardCharsets.US_ASCII))).substring(0, HASH_CHARS);
        int room = DATABASE_NAME_MAX - prefix.length() - 1 - HASH_CHARS;
        String readable = id.toLowerCase(Locale.ROOT).replace('-', '_');
        if (readable.length() > room) {
            readable = readable.substring(0, room);
        }
        return prefix + readable + "-" + hash;
    }

    private static boolean isPlain(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** A backtick-quoted identifier. Names here are from a safe alphabet; quoting is the second fence. */
    static String quote(String identifier) {
        if (identifier.isEmpty() || identifier.length() > DATABASE_NAME_MAX) {
            throw new IllegalArgumentException("identifier length out of range");
        }
        return "`" + identifier.replace("`", "``") + "`";
    }

    /**
     * The server-side named lock ({@code GET_LOCK}) that serializes creating and dropping one
     * tenant across every process using the same registry. Lock names are limited to 64
     * characters, so it is a digest of the registry and the tenant id.
     */
    static String tenantLifecycleLock(String metadataDatabase, TenantId tenant) {
        byte[] digest = JournalCodec.sha256((metadataDatabase + "/" + tenant.value()).getBytes(StandardCharsets.US_ASCII));
        return "nimbus-tenant-" + HexFormat.of().formatHex(digest, 0, 20);
    }

    private static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32.charAt((buffer >>> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }
}
