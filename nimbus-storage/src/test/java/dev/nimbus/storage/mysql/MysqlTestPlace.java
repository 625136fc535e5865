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

    /** Kills every other connection of the test user, as a server restart would. */
    public int killConnections() {
        int killed = 0;
        try (var c = MysqlTestServer.connect(); var s = c.createStatement()) {
            java.util.List<Long> ids = new java.util.ArrayList<>();
            try (var rs = s.executeQuery("SELECT ID FROM information_schema.PROCESSLIST"
                    + " WHERE ID <> CONNECTION_ID() AND USER = SUBSTRING_INDEX(CURRENT_USER(), '@', 1) AND COMMAND <> 'Daemon'")) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            for (long id : ids) {
                try {
                    s.execute("KILL " + id);
                    killed++;
                } catch (java.sql.SQLException gone) {
                    // already ended
                }
            }
            return killed;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not kill connections: " + e.getMessage(), e);
        }
    }

    public void dropEverything() {
        MysqlTestServer.dropAll(metadataDatabase, tenantPrefix);
    }
}
