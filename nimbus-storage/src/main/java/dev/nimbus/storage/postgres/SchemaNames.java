package dev.nimbus.storage.postgres;

import dev.nimbus.core.model.TenantId;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The only source of identifiers this provider puts into SQL text: tenant schema names, the
 * quoting of every identifier, and the advisory-lock keys derived from schema names. Values
 * never go into SQL text; they are bound parameters.
 *
 * <p>A tenant's schema is {@code <prefix><tenant id>} verbatim (the documented {@code tenant_<id>})
 * when that is at most 62 bytes. Longer ones are {@code <prefix><start of id>_<20 hex of the id's
 * SHA-256>}, exactly 63 bytes (Postgres's identifier limit), so a hashed name never equals a
 * verbatim one. Tenant ids are case-sensitive and may hold {@code -}, so every identifier is
 * double-quoted, always.
 */
final class SchemaNames {
    private SchemaNames() {
    }

    /** Postgres truncates longer identifiers (NAMEDATALEN - 1). */
    static final int IDENTIFIER_BYTES_MAX = 63;
    static final int HASH_HEX_CHARS = 20;
    private static final int VERBATIM_BYTES_MAX = IDENTIFIER_BYTES_MAX - 1;

    /**
     * What this provider ever quotes: tenant ids are [A-Za-z0-9_-], prefixes and the metadata
     * schema are narrower. Nothing here needs escaping, and a name that would is refused.
     */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-]{1," + IDENTIFIER_BYTES_MAX + "}");

    /** The schema holding {@code tenant}'s tables, for a prefix {@link PostgresOptions} accepted. */
    static String tenantSchema(String prefix, TenantId tenant) {
        String verbatim = prefix + tenant.value(); // ASCII: one byte per char
        if (verbatim.length() <= VERBATIM_BYTES_MAX) {
            return checked(verbatim);
        }
        String hash = HexFormat.of().formatHex(
                sha256(tenant.value())).substring(0, HASH_HEX_CHARS);
        int keep = IDENTIFIER_BYTES_MAX - prefix.length() - 1 - HASH_HEX_CHARS;
        return checked(prefix + tenant.value().substring(0, keep) + "_" + hash);
    }

    /** {@code "name"}: the identifier quoted; refuses anything outside the safe alphabet. */
    static String quote(String identifier) {
        return "\"" + checked(identifier) + "\"";
    }

    /** {@code "schema".table} for one of this provider's own table names. */
    static String qualified(String schema, String table) {
        return quote(schema) + "." + table;
    }

    static boolean isSafe(String identifier) {
        return identifier != null && SAFE.matcher(identifier).matches();
    }

    private static String checked(String identifier) {
        if (!isSafe(identifier)) {
            throw new IllegalArgumentException("unsafe SQL identifier refused");
        }
        return identifier;
    }

    /**
     * Key of the transaction-scoped advisory lock that makes one writer per tenant schema across
     * every process using the database. Derived from the schema name, which is unique in it.
     */
    static long writerLockKey(String schema) {
        return lockKey("nimbus.tenant-writer\0" + schema);
    }

    /** Serializes concurrent bootstraps of one metadata schema ({@code IF NOT EXISTS} races). */
    static long metadataLockKey(String metadataSchema) {
        return lockKey("nimbus.metadata\0" + metadataSchema);
    }

    private static long lockKey(String what) {
        return ByteBuffer.wrap(sha256(what)).getLong();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
