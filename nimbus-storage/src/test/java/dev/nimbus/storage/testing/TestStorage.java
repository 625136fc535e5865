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
    private final java.util.function.IntSupplier outage;

    private TestStorage(Kind kind, Supplier<StorageProvider> opener, Runnable cleanup, java.util.function.IntSupplier outage) {
        this.kind = kind;
        this.opener = opener;
        this.cleanup = cleanup;
        this.outage = outage;
    }

    public static TestStorage of(Kind kind, Path dir) {
        return switch (kind) {
            case SQLITE -> new TestStorage(kind, () -> new SqliteStorageProvider(dir), () -> { }, () -> {
                throw new UnsupportedOperationException("SQLite has no server connections to kill");
            });
            case POSTGRES -> {
                PostgresTestPlace place = PostgresTestPlace.create();
                yield new TestStorage(kind, place::open, place::dropEverything, place::killConnections);
            }
            case MYSQL -> {
                MysqlTestPlace place = MysqlTestPlace.create();
                yield new TestStorage(kind, place::open, place::dropEverything, place::killConnections);
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

    /** Breaks every server connection of the provider mid-flight (external providers only); how many. */
    public int killConnections() {
        return outage.getAsInt();
    }

    @Override
    public void close() {
        cleanup.run();
    }
}
