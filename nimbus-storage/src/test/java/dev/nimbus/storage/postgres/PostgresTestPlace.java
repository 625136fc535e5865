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

    public void dropEverything() {
        PostgresTestServer.dropEverything(options);
    }
}
