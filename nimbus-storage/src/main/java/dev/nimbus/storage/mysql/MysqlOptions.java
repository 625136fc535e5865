package dev.nimbus.storage.mysql;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the MySQL provider reaches its server and names what it creates there, each with its
 * default and why. Works against MySQL 8+ and MariaDB 10.6+ through MySQL Connector/J.
 *
 * @param jdbcUrl              the server, as a Connector/J URL ({@code jdbc:mysql://host:3306/}). No
 *                             database is needed in it: every statement names its database. Extra
 *                             driver properties (TLS, {@code allowPublicKeyRetrieval}) go here.
 * @param user                 the account Nimbus connects as; it needs CREATE, DROP, SELECT,
 *                             INSERT, UPDATE, DELETE on the metadata database and on every
 *                             database starting with {@code tenantDatabasePrefix}
 * @param password             that account's password ({@code ""} for none); never logged
 * @param metadataDatabase     the database holding the tenant registry (default
 *                             {@code nimbus_provider}); 1-64 of {@code a-z 0-9 _}, lowercase so it
 *                             means the same under every {@code lower_case_table_names}
 * @param tenantDatabasePrefix each tenant's database is this prefix plus a name derived from the
 *                             tenant id (default {@code tenant_}); 1-32 of {@code a-z 0-9 _}, and
 *                             the metadata database must not start with it
 * @param minConnections       pooled connections kept open while idle (default 1)
 * @param maxConnections       most connections at once, shared by every tenant's writer and
 *                             snapshots (default 10); a caller finding all in use waits up to
 *                             {@code lockWaitMillis}, then gets {@code service.storage_busy}
 * @param lockWaitMillis       how long a writer waits for its tenant's writer lock (in process and
 *                             on the server), and any caller for a pooled connection, before
 *                             {@code service.storage_busy}; Nimbus's documented 5 s. The server
 *                             counts its lock waits in whole seconds, so it waits this rounded up
 */
public record MysqlOptions(String jdbcUrl, String user, String password, String metadataDatabase,
                           String tenantDatabasePrefix, int minConnections, int maxConnections,
                           long lockWaitMillis) {
    public static final String DEFAULT_METADATA_DATABASE = "nimbus_provider";
    public static final String DEFAULT_TENANT_DATABASE_PREFIX = "tenant_";
    public static final int DEFAULT_MIN_CONNECTIONS = 1;
    public static final int DEFAULT_MAX_CONNECTIONS = 10;
    public static final long DEFAULT_LOCK_WAIT_MILLIS = 5_000;
    static final int PREFIX_LENGTH_MAX = 32;

    private static final Pattern DATABASE = Pattern.compile("[a-z0-9_]{1,64}");
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9_]{1," + PREFIX_LENGTH_MAX + "}");

    public MysqlOptions {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (!jdbcUrl.startsWith("jdbc:mysql:")) {
            throw new IllegalArgumentException("the MySQL URL must start with jdbc:mysql: (or use forUrl)");
        }
        if (metadataDatabase == null || !DATABASE.matcher(metadataDatabase).matches()) {
            throw new IllegalArgumentException("the MySQL metadata database must be 1-64 of a-z, 0-9 and '_'");
        }
        if (tenantDatabasePrefix == null || !PREFIX.matcher(tenantDatabasePrefix).matches()) {
            throw new IllegalArgumentException("the MySQL tenant database prefix must be 1-"
                    + PREFIX_LENGTH_MAX + " of a-z, 0-9 and '_'");
        }
        if (metadataDatabase.startsWith(tenantDatabasePrefix)) {
            // A tenant's database could otherwise be named like the registry.
            throw new IllegalArgumentException("the MySQL metadata database must not start with the tenant"
                    + " database prefix '" + tenantDatabasePrefix + "'");
        }
        if (minConnections < 0 || maxConnections < 1 || minConnections > maxConnections) {
            throw new IllegalArgumentException("MySQL connections: need 0 <= min <= max and max >= 1");
        }
        if (lockWaitMillis < 1) {
            throw new IllegalArgumentException("the MySQL lock wait must be positive");
        }
    }

    /** The defaults for everything but where the server is. */
    public static MysqlOptions of(String jdbcUrl, String user, String password) {
        return new MysqlOptions(jdbcUrl, user, password, DEFAULT_METADATA_DATABASE, DEFAULT_TENANT_DATABASE_PREFIX,
                DEFAULT_MIN_CONNECTIONS, DEFAULT_MAX_CONNECTIONS, DEFAULT_LOCK_WAIT_MILLIS);
    }

    /**
     * Options from the form {@code --mysql-url} takes, {@code mysql://user:pass@host:3306/db?props}
     * (user and password percent-encoded), or a {@code jdbc:mysql:} URL with user and password as
     * its {@code user} / {@code password} properties left to the driver.
     */
    public static MysqlOptions forUrl(String url) {
        Objects.requireNonNull(url, "url");
        if (url.startsWith("jdbc:mysql:")) {
            return of(url, "", "");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the MySQL URL is not a URL"); // the URL may hold a password
        }
        if (!"mysql".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("the MySQL URL must look like mysql://user:pass@host:3306/");
        }
        String user = "";
        String password = "";
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? "" : decode(info.substring(colon + 1));
        }
        String jdbc = "jdbc:mysql://" + uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1)
                + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return of(jdbc, user, password);
    }

    public MysqlOptions withDatabases(String metadataDatabase, String tenantDatabasePrefix) {
        return new MysqlOptions(jdbcUrl, user, password, metadataDatabase, tenantDatabasePrefix,
                minConnections, maxConnections, lockWaitMillis);
    }

    public MysqlOptions withLockWaitMillis(long lockWaitMillis) {
        return new MysqlOptions(jdbcUrl, user, password, metadataDatabase, tenantDatabasePrefix,
                minConnections, maxConnections, lockWaitMillis);
    }

    public MysqlOptions withConnections(int minConnections, int maxConnections) {
        return new MysqlOptions(jdbcUrl, user, password, metadataDatabase, tenantDatabasePrefix,
                minConnections, maxConnections, lockWaitMillis);
    }

    /** Whole seconds the server waits for a lock: {@link #lockWaitMillis} rounded up. */
    int serverLockWaitSeconds() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (lockWaitMillis + 999) / 1000));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "MysqlOptions[jdbcUrl=" + redactUrl(jdbcUrl) + ", user=" + user + ", password=***"
                + ", metadataDatabase=" + metadataDatabase + ", tenantDatabasePrefix=" + tenantDatabasePrefix
                + ", minConnections=" + minConnections + ", maxConnections=" + maxConnections
                + ", lockWaitMillis=" + lockWaitMillis + "]";
    }

    // A jdbc URL may carry password=... among its properties.
    private static String redactUrl(String url) {
        return url.replaceAll("(?i)(password[0-9]*=)[^&;]*", "$1***");
    }
}
