package dev.nimbus.server.control;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;
import dev.nimbus.server.api.TenantDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tenant registry: the truth of which tenants exist (id, created at, provider, status), kept
 * in {@code nimbus-control.db}; storage keeps each tenant's data. Lifecycle changes are written
 * to the registry around the storage change so a crash in between is finished at the next start
 * ({@link #reconcile}): a create that never answered is rolled back, a delete is completed.
 * Tenants found in storage without a row (a data dir from before the control plane, or one
 * created below the API) are adopted. Reads are served from a copy in memory, which this process
 * alone may change (the control data dir is locked).
 */
public final class TenantRegistry implements TenantDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(TenantRegistry.class);

    /** A tenant's lifecycle state. Only {@code ACTIVE} tenants are admitted. */
    public enum Status {
        /** Created in the registry, storage not yet confirmed. */
        PROVISIONING,
        ACTIVE,
        /** Being torn down; storage may still hold it until the drop finishes. */
        DELETING,
        /** Registered, but its storage was not found at start (moved or removed outside Nimbus). */
        MISSING;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Status of(String wire) {
            return valueOf(wire.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** One registry row. */
    public record Entry(TenantId id, Instant createdAt, String provider, Status status) {
    }

    private final ControlStore store;
    private final Engine engine;
    private final String provider;
    private final Clock clock;
    private final UsageLedger usage;
    private final Map<TenantId, Entry> entries = new ConcurrentHashMap<>();

    TenantRegistry(ControlStore store, Engine engine, String provider, Clock clock, UsageLedger usage) {
        this.store = store;
        this.engine = engine;
        this.provider = provider;
        this.clock = clock;
        this.usage = usage;
        load();
    }

    private void load() {
        store.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT tenant_id, created_at_ms, provider, status FROM tenants");
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    TenantId id = new TenantId(r.getString(1));
                    entries.put(id, new Entry(id, Instant.ofEpochMilli(r.getLong(2)), r.getString(3),
                            Status.of(r.getString(4))));
                }
            }
            return null;
        });
    }

    /** Brings the registry and storage into agreement after a start (see the class comment). */
    synchronized void reconcile() {
        for (Entry e : List.copyOf(entries.values())) {
            switch (e.status()) {
                case PROVISIONING -> {
                    LOG.warn("tenant {} was being created when the server stopped; rolling the create back", e.id());
                    if (engine.tenantExists(e.id())) {
                        engine.dropTenant(e.id());
                    }
                    remove(e.id());
                }
                case DELETING -> {
                    LOG.warn("tenant {} was being deleted when the server stopped; finishing the delete", e.id());
                    if (engine.tenantExists(e.id())) {
                        engine.dropTenant(e.id());
                    }
                    remove(e.id());
                }
                case ACTIVE -> {
                    if (!engine.tenantExists(e.id())) {
                        LOG.warn("tenant {} is registered but its storage is missing; it is not served until"
                                + " recreated or deleted", e.id());
                        put(new Entry(e.id(), e.createdAt(), e.provider(), Status.MISSING));
                    }
                }
                case MISSING -> {
                    if (engine.tenantExists(e.id())) {
                        LOG.info("tenant {}'s storage is back; serving it again", e.id());
                        put(new Entry(e.id(), e.createdAt(), e.provider(), Status.ACTIVE));
                    }
                }
            }
        }
        for (TenantId id : engine.tenants()) {
            if (!entries.containsKey(id)) {
                adopt(id);
            }
        }
    }

    @Override
    public synchronized void create(TenantId tenant) {
        Entry existing = refresh(tenant);
        // A MISSING row (storage gone) may be recreated.
        if (existing != null && existing.status() != Status.MISSING) {
            throw new NimbusException(ErrorCode.ALREADY_EXISTS, "tenant " + tenant + " already exists",
                    Map.of("tenantId", Value.of(tenant.value())));
        }
        Instant now = clock.instant();
        put(new Entry(tenant, now, provider, Status.PROVISIONING));
        try {
            engine.createTenant(tenant);
        } catch (RuntimeException e) {
            remove(tenant);
            throw e;
        }
        put(new Entry(tenant, now, provider, Status.ACTIVE));
        LOG.info("tenant {} created", tenant);
    }

    @Override
    public synchronized void delete(TenantId tenant) {
        Entry e = refresh(tenant);
        if (e == null) {
            throw notFound(tenant);
        }
        if (e.status() != Status.MISSING) {
            put(new Entry(tenant, e.createdAt(), e.provider(), Status.DELETING));
            engine.dropTenant(tenant);
        }
        remove(tenant);
        LOG.info("tenant {} deleted", tenant);
    }

    @Override
    public List<TenantId> list() {
        return entries.values().stream().filter(e -> e.status() == Status.ACTIVE && !e.id().isSystem())
                .map(Entry::id).sorted().toList();
    }

    @Override
    public boolean admit(TenantId tenant, Principal principal) {
        Entry e = entries.get(tenant);
        if (e == null || e.status() != Status.ACTIVE) {
            synchronized (this) {
                e = refresh(tenant);
            }
        }
        boolean admitted = e != null && e.status() == Status.ACTIVE;
        if (admitted) {
            usage.recordActive(tenant, principal);
        }
        return admitted;
    }

    /** Every row, system tenants excluded, in id order (for the system routes). */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(entries.values());
        out.removeIf(e -> e.id().isSystem());
        out.sort(Comparator.comparing(Entry::id));
        return out;
    }

    public Optional<Entry> entry(TenantId tenant) {
        return Optional.ofNullable(entries.get(tenant));
    }

    /**
     * The tenant's row after looking at storage: a tenant storage holds without a row is adopted,
     * and a MISSING row whose storage is back (MISSING records what storage looked like at start,
     * not a decision) is active again. Null when the registry does not know the tenant. Callers
     * hold this object's lock.
     */
    private Entry refresh(TenantId tenant) {
        Entry e = entries.get(tenant);
        if (tenant.isSystem() || e != null && e.status() != Status.MISSING || !engine.tenantExists(tenant)) {
            return e;
        }
        if (e == null) {
            adopt(tenant);
        } else {
            LOG.info("tenant {}'s storage is back; serving it again", tenant);
            put(new Entry(tenant, e.createdAt(), e.provider(), Status.ACTIVE));
        }
        return entries.get(tenant);
    }

    private void adopt(TenantId tenant) {
        LOG.info("tenant {} found in storage without a registry entry; registering it", tenant);
        put(new Entry(tenant, clock.instant(), provider, Status.ACTIVE));
    }

    private void put(Entry e) {
        long now = clock.millis();
        store.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO tenants (tenant_id, created_at_ms, provider,"
                    + " status, updated_at_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET"
                    + " created_at_ms = excluded.created_at_ms, provider = excluded.provider,"
                    + " status = excluded.status, updated_at_ms = excluded.updated_at_ms")) {
                s.setString(1, e.id().value());
                s.setLong(2, e.createdAt().toEpochMilli());
                s.setString(3, e.provider());
                s.setString(4, e.status().wireName());
                s.setLong(5, now);
                s.executeUpdate();
            }
            return null;
        });
        entries.put(e.id(), e);
    }

    private void remove(TenantId tenant) {
        store.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM tenants WHERE tenant_id = ?")) {
                s.setString(1, tenant.value());
                s.executeUpdate();
            }
            return null;
        });
        entries.remove(tenant);
    }

    private static NimbusException notFound(TenantId tenant) {
        return new NimbusException(ErrorCode.TENANT_NOT_FOUND, "tenant " + tenant + " does not exist",
                Map.of("tenantId", Value.of(tenant.value())));
    }
}
