package dev.nimbus.storage.mysql;

import dev.nimbus.storage.StorageProvider;

/** A place on the test MySQL/MariaDB server no other run uses, for tests outside this package. */
public final class MysqlTestPlace {
    private final String metadataDatabase;
    private final String tenantPrefix;

    private MysqlTestPlace(String metadataDatabase, String tenantPrefix) {
        this.metadataDatabase = metadataDatabase;
        this.tenantPrefix = tenantPrefix;
    }

    /** Skips (or with CI=true fails) when the server cannot be reached. */
    public static MysqlTestPlace create() {
        MysqlTestServer.require();
        String suffix = MysqlTestServer.uniqueSuffix();
        return new MysqlTestPlace("nimbus_provider_t" + suffix, "t" + suffix + "_");
    }

    public StorageProvider open() {
        return new MysqlStorageProvider(MysqlTestServer.options(metadataDatabase, tenantPrefix));
    }

    public void dropEverything() {
        MysqlTestServer.dropAll(metadataDatabase, tenantPrefix);
    }
}
