package dev.nimbus.storage.sqlite;

/**
 * Tunables of the SQLite provider, each with its default and why.
 *
 * @param openTenantsMax    tenant databases kept open at once; each holds a writer connection,
 *                          up to {@code readersMax} readers and their page caches. Least recently
 *                          used idle tenants are closed beyond this.
 * @param idleCloseMillis   a tenant unused for this long is closed, releasing file handles
 * @param readersMax        reader connections per tenant: concurrent snapshots beyond this wait
 * @param lockWaitMillis    how long a writer or reader waits before {@code service.storage_busy}
 *                          (Nimbus's documented 5 s)
 */
public record SqliteOptions(int openTenantsMax, long idleCloseMillis, int readersMax, long lockWaitMillis) {
    public static final SqliteOptions DEFAULTS = new SqliteOptions(
            envInt("NIMBUS_SQLITE_OPEN_TENANTS_MAX", 256),
            envInt("NIMBUS_SQLITE_IDLE_CLOSE_MILLIS", 300_000),
            envInt("NIMBUS_SQLITE_READERS_MAX", 4),
            5_000);

    public SqliteOptions {
        if (openTenantsMax < 1 || readersMax < 1 || idleCloseMillis < 1 || lockWaitMillis < 0) {
            throw new IllegalArgumentException("SQLite options must be positive");
        }
    }

    private static int envInt(String name, int fallback) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
        }
    }
}
