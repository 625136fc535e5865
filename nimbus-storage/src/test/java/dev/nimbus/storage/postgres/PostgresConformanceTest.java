package dev.nimbus.storage.postgres;

import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.conformance.StorageConformanceKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;

/**
 * The storage conformance kit, unchanged, against a real PostgreSQL server. The directory the kit
 * passes is irrelevant: the data lives in the server, so a new provider with the same options is
 * the kit's "reopen". Skipped when no server is reachable, failed instead when CI=true.
 */
@ExtendWith(PostgresTestServer.Required.class)
class PostgresConformanceTest extends StorageConformanceKit {
    private static PostgresOptions options;

    @BeforeAll
    static void requireServer() {
        PostgresTestServer.requireServer();
        options = PostgresTestServer.uniqueOptions();
    }

    @AfterAll
    static void dropWhatThisRunCreated() {
        if (options != null) {
            PostgresTestServer.dropEverything(options);
        }
    }

    @Override
    protected StorageProvider newProvider(Path dir) {
        return new PostgresStorageProvider(options);
    }
}
