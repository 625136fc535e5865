package dev.nimbus.storage.mysql;

import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.conformance.StorageConformanceKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Path;

/** The conformance kit against a MySQL / MariaDB server, in databases unique to this run. */
class MysqlConformanceTest extends StorageConformanceKit {
    private static final String RUN = MysqlTestServer.uniqueSuffix();
    private static final String METADATA_DATABASE = "nimbus_provider_t" + RUN;
    private static final String TENANT_PREFIX = "t" + RUN + "_";

    @BeforeAll
    static void requireServer() {
        MysqlTestServer.require();
    }

    @AfterAll
    static void dropDatabases() {
        MysqlTestServer.dropAll(METADATA_DATABASE, TENANT_PREFIX);
    }

    /** The dir is irrelevant: the same options reach the same server, registry and databases. */
    @Override
    protected StorageProvider newProvider(Path dir) {
        return new MysqlStorageProvider(MysqlTestServer.options(METADATA_DATABASE, TENANT_PREFIX));
    }
}
