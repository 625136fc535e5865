package dev.nimbus.storage.postgres;

import dev.nimbus.storage.StorageLimits;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the Postgres provider reaches its server and names what it creates there. Flags and
 * environment variables ({@code --postgres-url} / {@code NIMBUS_POSTGRES_URL} and friends) are
 * read by the server's bootstrap, which builds this record; see {@link #fromUrl}.
 *
 * @param jdbcUrl             {@code jdbc:postgresql://host:port/database[?params]}; every tenant
 *                            lives in this one database
 * @param user                role to log in as, or null to take it from the URL. The role needs
 *                            {@code CREATE} on the database (it creates one schema per tenant)
 * @param password            that role's password, or null (trust, peer or URL-supplied auth).
 *                            Never logged: {@link #toString()} masks it
 * @param metadataSchema      schema holding the tenant registry ({@code --postgres-metadata-schema},
 *                            default {@code nimbus_provider}); lowercase letters, digits and
 *                            {@code _}, at most 63 characters, not starting with the tenant prefix
 * @param tenantSchemaPrefix  prefix of every tenant's schema ({@code
 *                            --postgres-tenant-schema-prefix}, default {@code tenant_}); a tenant's
 *                            schema is {@code <prefix><tenant id>}, or a hashed form when that
 *                            exceeds Postgres's 63-byte identifiers ({@link SchemaNames}).
 *                            Lowercase letters, digits and {@code _}, 1-32 characters, so the
 *                            hashed form always fits
 * @param minConnections      idle connections the pool keeps open ({@code --postgres-min-connections});
 *                            default 1 so an idle server holds almost nothing on the database
 * @param maxConnections      pool size ({@code --postgres-max-connections}; default 10, the pool's
 *                            own default). Each open write transaction and each open snapshot holds
 *                            one connection for its whole life; min ≤ max
 * @param lockWaitMillis      how long {@code beginWrite} waits for the tenant's writer (in this
 *                            process and on the server's advisory lock together), and how long any
 *                            call waits for a pooled connection or a server lock, before
 *                            {@code service.storage_busy}. Nimbus's documented 5 s
 */
public record PostgresOptions(String jdbcUrl, String user, String password, String metadataSchema,
                              String tenantSchemaPrefix, int minConnections, int maxConnections,
                              long lockWaitMillis) {
    public static final String METADATA_SCHEMA_DEFAULT = "nimbus_provider";
    public static final String TENANT_SCHEMA_PREFIX_DEFAULT = "tenant_";
    public static final int MIN_CONNECTIONS_DEFAULT = 1;
    public static final int MAX_CONNECTIONS_DEFAULT = 10;
    /** Longest tenant schema prefix: leaves room for the hashed form of a long tenant id. */
    public static final int TENANT_SCHEMA_PREFIX_LENGTH_MAX = 32;

    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&]*");
    private static final Pattern METADATA_SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,"
            + (TENANT_SCHEMA_PREFIX_LENGTH_MAX - 1) + "}");

    public PostgresOptions {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(metadataSchema, "metadataSchema");
        Objects.requireNonNull(tenantSchemaPrefix, "tenantSchemaPrefix");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("the Postgres URL must start with jdbc:postgresql:");
        }
        if (!METADATA_SCHEMA.matcher(metadataSchema).matches() || metadataSchema.startsWith("pg_")) {
            throw new IllegalArgumentException("metadata schema '" + metadataSchema + "' must be 1-63 of"
                    + " lowercase letters, digits and '_', not starting with a digit or 'pg_'");
        }
        if (!PREFIX.matcher(tenantSchemaPrefix).matches() || tenantSchemaPrefix.startsWith("pg_")) {
            throw new IllegalArgumentException("tenant schema prefix '" + tenantSchemaPrefix + "' must be 1-"
                    + TENANT_SCHEMA_PREFIX_LENGTH_MAX + " of lowercase letters, digits and '_',"
                    + " not starting with a digit or 'pg_'");
        }
        if (metadataSchema.startsWith(tenantSchemaPrefix)) {
            // Otherwise some tenant's schema could be the metadata schema itself.
            throw new IllegalArgumentException("metadata schema '" + metadataSchema
                    + "' must not start with the tenant schema prefix '" + tenantSchemaPrefix + "'");
        }
        if (minConnections < 0 || maxConnections < 1 || minConnections > maxConnections) {
            throw new IllegalArgumentException("Postgres connections: need 0 <= min <= max and max >= 1, got min "
                    + minConnections + ", max " + maxConnections);
        }
        if (lockWaitMillis < 1) {
            throw new IllegalArgumentException("Postgres lock wait must be at least 1 ms");
        }
    }

    /** Defaults for everything but where the server is. */
    public static PostgresOptions of(String jdbcUrl, String user, String password) {
        return new PostgresOptions(jdbcUrl, user, password, METADATA_SCHEMA_DEFAULT, TENANT_SCHEMA_PREFIX_DEFAULT,
                MIN_CONNECTIONS_DEFAULT, MAX_CONNECTIONS_DEFAULT, StorageLimits.WRITER_WAIT_MILLIS);
    }

    /**
     * Options from the URL form of {@code --postgres-url}: {@code postgresql://user:pass@host:5432/db?params}
     * (also {@code postgres://}), or a {@code jdbc:postgresql:} URL used as is. User and password
     * are taken out of the URL (percent-decoded) so they never travel in the JDBC URL.
     */
    public static PostgresOptions fromUrl(String url) {
        Objects.requireNonNull(url, "url");
        if (url.startsWith("jdbc:postgresql:")) {
            return of(url, null, null);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the Postgres URL is not a valid URL");
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException("the Postgres URL must start with postgresql://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the Postgres URL names no host");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[")
                ? "[" + uri.getHost() + "]" : uri.getHost();
        String jdbc = "jdbc:postgresql://" + host + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return of(jdbc, user, password);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public PostgresOptions withMetadataSchema(String schema) {
        return new PostgresOptions(jdbcUrl, user, password, schema, tenantSchemaPrefix, minConnections,
                maxConnections, lockWaitMillis);
    }

    public PostgresOptions withTenantSchemaPrefix(String prefix) {
        return new PostgresOptions(jdbcUrl, user, password, metadataSchema, prefix, minConnections,
                maxConnections, lockWaitMillis);
    }

    public PostgresOptions withConnections(int min, int max) {
        return new PostgresOptions(jdbcUrl, user, password, metadataSchema, tenantSchemaPrefix, min, max,
                lockWaitMillis);
    }

    public PostgresOptions withLockWaitMillis(long millis) {
        return new PostgresOptions(jdbcUrl, user, password, metadataSchema, tenantSchemaPrefix, minConnections,
                maxConnections, millis);
    }

    /** Never shows the password, whether in its own field or in the URL. */
    @Override
    public String toString() {
        return "PostgresOptions[jdbcUrl=" + URL_PASSWORD.matcher(jdbcUrl).replaceAll("$1***") + ", user=" + user + ", password="
                + (password == null ? "null" : "***") + ", metadataSchema=" + metadataSchema
                + ", tenantSchemaPrefix=" + tenantSchemaPrefix + ", minConnections=" + minConnections
                + ", maxConnections=" + maxConnections + ", lockWaitMillis=" + lockWaitMillis + "]";
    }
}
