package dev.nimbus.server;

import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.mysql.MysqlOptions;
import dev.nimbus.storage.mysql.MysqlStorageProvider;
import dev.nimbus.storage.postgres.PostgresOptions;
import dev.nimbus.storage.postgres.PostgresStorageProvider;
import dev.nimbus.storage.sqlite.SqliteStorageProvider;

import java.nio.file.Path;

/** Which tenant provider the server opens (`--tenant-provider`), with its settings. */
public sealed interface StorageSettings {
    StorageProvider open();

    /** The provider's name as flags and config files spell it. */
    String kind();

    record Sqlite(Path dataDir) implements StorageSettings {
        @Override
        public StorageProvider open() {
            return new SqliteStorageProvider(dataDir);
        }

        @Override
        public String kind() {
            return "sqlite";
        }
    }

    record Postgres(PostgresOptions options) implements StorageSettings {
        @Override
        public StorageProvider open() {
            return new PostgresStorageProvider(options);
        }

        @Override
        public String kind() {
            return "postgres";
        }
    }

    record Mysql(MysqlOptions options) implements StorageSettings {
        @Override
        public StorageProvider open() {
            return new MysqlStorageProvider(options);
        }

        @Override
        public String kind() {
            return "mysql";
        }
    }
}
