package dev.nimbus.storage.sqlite;

import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.conformance.StorageConformanceKit;

import java.nio.file.Path;

class SqliteConformanceTest extends StorageConformanceKit {
    @Override
    protected StorageProvider newProvider(Path dir) {
        return new SqliteStorageProvider(dir);
    }
}
