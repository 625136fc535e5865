package dev.nimbus.dynamodb;

import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.storage.sqlite.SqliteStorageProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog cache: a lookup at the sequence of a cached one reads nothing; any commit moves the
 * sequence, so the next lookup reads the entry again in its own snapshot (and sees a change made
 * by any path), parsing its JSON only when it changed.
 */
class TableCatalogCacheTest {
    private static final TenantId TENANT = TenantId.of("cache");

    @TempDir
    Path dir;
    private Engine engine;
    private TableCatalog catalog;

    @BeforeEach
    void open() {
        engine = new Engine(new SqliteStorageProvider(dir));
        engine.createTenant(TENANT);
        catalog = new TableCatalog(engine);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private static TableDefinition table(String name, String hash) {
        return new TableDefinition(name, "id-" + name, 1L, new TableDefinition.KeySchema(hash, "S", Optional.empty(), Optional.empty()),
                Map.of(hash, "S"), "PAY_PER_REQUEST", null, List.of(), Optional.empty(), false, null);
    }

    private Optional<TableDefinition> lookup(TableCatalog c, String name) {
        return engine.transact(TENANT, Principal.SYSTEM, tx -> c.find(tx, TENANT, name));
    }

    @Test
    void aLookupAtAnUnchangedSequenceReadsNothing() {
        catalog.create(TENANT, table("A", "pk"));
        TableDefinition first = lookup(catalog, "A").orElseThrow();
        assertThat(catalog.catalogReads()).isEqualTo(1);
        for (int i = 0; i < 5; i++) {
            assertThat(lookup(catalog, "A")).containsSame(first);
            assertThat(lookup(catalog, "missing")).isEmpty();
        }
        assertThat(catalog.catalogReads()).isEqualTo(2); // "A" once, "missing" once

        // An unrelated commit moves the sequence: the entry is read again, its unchanged JSON not re-parsed.
        engine.mutate(TENANT, Principal.SYSTEM, new Mutation.Insert(TableName.of("other"), Optional.empty(),
                new Value.Obj(Map.of("x", Value.of(1L)))));
        assertThat(lookup(catalog, "A")).containsSame(first);
        assertThat(catalog.catalogReads()).isEqualTo(3);
    }

    @Test
    void catalogWritesByAnotherPathAreSeenByTheNextLookup() {
        TableCatalog other = new TableCatalog(engine); // another writer of the same tenant's catalog
        other.create(TENANT, table("T", "pk"));
        assertThat(lookup(catalog, "T").orElseThrow().key().hash()).isEqualTo("pk");
        assertThat(lookup(catalog, "T")).isPresent();

        other.delete(TENANT, "T");
        assertThat(lookup(catalog, "T")).isEmpty();

        other.create(TENANT, table("T", "id"));
        assertThat(lookup(catalog, "T").orElseThrow().key().hash()).isEqualTo("id");

        TableDefinition t = table("T", "id");
        other.update(TENANT, new TableDefinition("T", t.tableId(), t.creationMillis(), t.key(), t.attributeTypes(),
                t.billingMode(), null, List.of(), Optional.of("expires"), true, null), false);
        TableDefinition updated = lookup(catalog, "T").orElseThrow();
        assertThat(updated.ttlAttribute()).contains("expires");
        assertThat(updated.deletionProtection()).isTrue();
    }

    @Test
    void aTenantDroppedAndCreatedAgainIsNotAnsweredFromTheOldCatalogAtTheSameSequence() {
        catalog.create(TENANT, table("Gone", "pk"));
        long sequence = engine.appliedSequence(TENANT);
        assertThat(lookup(catalog, "Gone")).isPresent();

        engine.dropTenant(TENANT);
        engine.createTenant(TENANT);
        // Bring the new tenant's sequence to exactly where the cached lookup was made.
        for (long s = engine.appliedSequence(TENANT); s < sequence; s++) {
            engine.mutate(TENANT, Principal.SYSTEM, new Mutation.Insert(TableName.of("other"), Optional.empty(),
                    new Value.Obj(Map.of("x", Value.of(s)))));
        }
        assertThat(engine.appliedSequence(TENANT)).isEqualTo(sequence);
        assertThat(lookup(catalog, "Gone")).isEmpty();
    }
}
