package dev.nimbus.storage.sqlite;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentIdGenerator;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.storage.Snapshot;
import dev.nimbus.storage.TenantStore;
import dev.nimbus.storage.WriteTransaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What only the SQLite provider promises: file layout, pragmas, the data-dir lock, tenant limits. */
class SqliteStorageProviderTest {
    private static final TableName T = TableName.of("t");

    @TempDir
    Path dir;

    private static void write(TenantStore store, String v) {
        try (WriteTransaction tx = store.beginWrite()) {
            tx.ensureTable(T);
            tx.putDocument(T, new Document(new DocumentIdGenerator().next(), 1, 1,
                    new Value.Obj(Map.of("v", Value.of(v)))));
            tx.commit();
        }
    }

    @Test
    void eachTenantIsOneWalFileNamedAfterIt() throws Exception {
        try (SqliteStorageProvider p = new SqliteStorageProvider(dir)) {
            write(p.create(TenantId.of("acme")), "x");
            Path file = dir.resolve("acme.sqlite3");
            assertThat(file).exists();
            try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
                 ResultSet rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
            }
        }
    }

    @Test
    void aSecondProviderOnTheSameDataDirFailsFastWithBusy() {
        try (SqliteStorageProvider first = new SqliteStorageProvider(dir)) {
            assertThatThrownBy(() -> new SqliteStorageProvider(dir))
                    .isInstanceOfSatisfying(NimbusException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_BUSY));
            assertThat(first.list()).isEmpty();
        }
        try (SqliteStorageProvider again = new SqliteStorageProvider(dir)) {
            assertThat(again.list()).isEmpty(); // the lock is released on close
        }
    }

    @Test
    void atMostTheConfiguredNumberOfIdleTenantsStayOpen() {
        SqliteOptions options = new SqliteOptions(3, 60_000, 2, 5_000);
        try (SqliteStorageProvider p = new SqliteStorageProvider(dir, options)) {
            for (int i = 0; i < 8; i++) {
                write(p.create(TenantId.of("tenant" + i)), "v" + i);
                assertThat(p.openTenantCount()).isLessThanOrEqualTo(3);
            }
            // A closed tenant reopens lazily with its data.
            try (Snapshot s = p.open(TenantId.of("tenant0")).snapshot()) {
                assertThat(s.tables()).containsExactly(T);
            }
            assertThat(p.list()).hasSize(8);
        }
    }

    @Test
    void tenantsInUseAreNeverEvicted() {
        SqliteOptions options = new SqliteOptions(1, 60_000, 2, 5_000);
        try (SqliteStorageProvider p = new SqliteStorageProvider(dir, options)) {
            TenantStore a = p.create(TenantId.of("a"));
            write(a, "1");
            try (Snapshot held = a.snapshot()) {
                write(p.create(TenantId.of("b")), "2");
                assertThat(held.tables()).containsExactly(T); // still usable
            }
        }
    }

    @Test
    void idleTenantsAreClosed() throws Exception {
        SqliteOptions options = new SqliteOptions(10, 50, 2, 5_000);
        try (SqliteStorageProvider p = new SqliteStorageProvider(dir, options)) {
            write(p.create(TenantId.of("a")), "1");
            long deadline = System.currentTimeMillis() + 5_000;
            while (p.openTenantCount() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(p.openTenantCount()).isZero();
            try (Snapshot s = p.open(TenantId.of("a")).snapshot()) {
                assertThat(s.tables()).containsExactly(T);
            }
        }
    }

    @Test
    void aFileOfAnotherFormatIsRefusedAsCorrupt() throws Exception {
        Files.writeString(dir.resolve("junk.sqlite3"), "this is not a database, just text padding ".repeat(40));
        try (SqliteStorageProvider p = new SqliteStorageProvider(dir)) {
            assertThatThrownBy(() -> p.open(TenantId.of("junk")).snapshot())
                    .isInstanceOfSatisfying(NimbusException.class,
                            e -> assertThat(e.code()).isIn(ErrorCode.STORAGE_CORRUPTION, ErrorCode.STORAGE_OTHER));
        }
    }
}
