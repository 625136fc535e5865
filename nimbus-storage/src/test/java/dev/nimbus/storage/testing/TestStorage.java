package dev.nimbus.storage.testing;

import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.mysql.MysqlTestPlace;
import dev.nimbus.storage.postgres.PostgresTestPlace;
import dev.nimbus.storage.sqlite.SqliteStorageProvider;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Storage for tests of the layers above (the engine, the server) on every provider: a place
 * (a temp dir, or a metadata schema/database of its own on the test server) that can be opened
 * again after close, as a restart would, and is removed afterwards. External servers that cannot
 * be reached skip the test, or fail it with {@code CI=true}.
 */
public final class TestStorage implements AutoCloseable {
    public enum Kind {
        SQLITE, POSTGRES, MYSQL
    }

    private final Kind kind;
    private final Supplier<StorageProvider> opener;
    private final Runnable cleanup;

    private TestStorage(Kind kind, Supplier<StorageProvider> opener, Runnable cleanup) {
        this.kind = kind;
        this.opener = opener;
        this.cleanup = cleanup;
    }

    public static TestStorage of(Kind kind, Path dir) {
        return switch (kind) {
            case SQLITE -> new TestStorage(kind, () -> new SqliteStorageProvider(dir), () -> { });
            case POSTGRES -> {
                PostgresTestPlace place = PostgresTestPlace.create();
                yield new TestStorage(kind, place::open, place::dropEverything);
            }
            case MYSQL -> {
                MysqlTestPlace place = MysqlTestPlace.create();
                yield new TestStorage(kind, place::open, place::dropEverything);
            }
        };
    }

    public Kind kind() {
        return kind;
    }

    /** A new provider over this place; data written through earlier ones is there. */
    public StorageProvider open() {
        return opener.get();
    }

    @Override
    public void close() {
        cleanup.run();
    }
}
