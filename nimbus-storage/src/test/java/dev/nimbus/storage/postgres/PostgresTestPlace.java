package dev.nimbus.storage.postgres;

import dev.nimbus.storage.StorageProvider;

/** A place on the test Postgres server no other run uses, for tests outside this package. */
public final class PostgresTestPlace {
    private final PostgresOptions options;

    private PostgresTestPlace(PostgresOptions options) {
        this.options = options;
    }

    /** Skips (or with CI=true fails) when the server cannot be reached. */
    public static PostgresTestPlace create() {
        PostgresTestServer.requireServer();
        return new PostgresTestPlace(PostgresTestServer.uniqueOptions());
    }

    public StorageProvider open() {
        return new PostgresStorageProvider(options);
    }

    /** Terminates every other session of the test database, as a server restart would. */
    public int killConnections() {
        try (var c = PostgresTestServer.connect(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                     + " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'")) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not terminate sessions: " + e.getMessage(), e);
        }
    }

    public void dropEverything() {
        PostgresTestServer.dropEverything(options);
    }
}
