package dev.nimbus.engine;

import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.storage.StorageProvider;
import dev.nimbus.storage.testing.TestStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real engine over a real storage provider (SQLite in a temp dir by default; parameterized
 * tests also run on PostgreSQL and MySQL), with one tenant.
 */
abstract class EngineFixture {
    @TempDir
    Path dir;
    TestStorage place;
    StorageProvider storage;
    Engine engine;
    final TenantId tenant = TenantId.of("acme");
    static final TableName T = TableName.of("things");
    static final Principal ADMIN = Principal.ADMIN;

    EngineLimits limits() {
        return EngineLimits.DEFAULTS;
    }

    /** Which provider the engine runs on; parameterized tests override this. */
    TestStorage.Kind kind() {
        return TestStorage.Kind.SQLITE;
    }

    @BeforeEach
    void start() {
        place = TestStorage.of(kind(), dir);
        storage = place.open();
        engine = new Engine(storage, limits());
        engine.createTenant(tenant);
    }

    @AfterEach
    void stop() {
        try {
            if (engine != null) {
                engine.close();
            }
            if (storage != null) {
                storage.close();
            }
        } finally {
            if (place != null) {
                place.close();
            }
        }
    }

    /** Reopens everything over the same data dir, as after a restart. */
    void restart() {
        engine.close();
        storage.close();
        storage = place.open();
        engine = new Engine(storage, limits());
    }

    static Value.Obj obj(Object... kv) {
        Map<String, Value> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            m.put((String) kv[i], switch (v) {
                case Value x -> x;
                case String s -> Value.of(s);
                case Integer n -> Value.of((long) n);
                case Long n -> Value.of(n);
                case Double d -> Value.of(d);
                case Boolean b -> Value.of(b);
                default -> throw new IllegalArgumentException(String.valueOf(v));
            });
        }
        return new Value.Obj(m);
    }
}
