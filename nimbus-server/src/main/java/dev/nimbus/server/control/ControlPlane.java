package dev.nimbus.server.control;

import dev.nimbus.engine.Engine;

/**
 * The control plane of one server: {@code nimbus-control.db} (locked to this process) with the
 * tenant registry and the usage ledger. Opened before tenant storage so a second server on the
 * same control data dir fails fast; attached to the engine once the engine exists.
 */
public final class ControlPlane implements AutoCloseable {
    private final ControlStore store;
    private final ControlSettings settings;
    private final UsageLedger usage;
    private volatile TenantRegistry tenants;

    private ControlPlane(ControlStore store, ControlSettings settings) {
        this.store = store;
        this.settings = settings;
        this.usage = new UsageLedger(store, settings.clock());
    }

    /** Locks the control data dir and opens its database; {@code service.storage_busy} when another process holds it. */
    public static ControlPlane open(ControlSettings settings) {
        return new ControlPlane(ControlStore.open(settings.controlDataDir()), settings);
    }

    /** Builds the registry over {@code engine} and reconciles it with storage. */
    public TenantRegistry attach(Engine engine, String provider) {
        TenantRegistry registry = new TenantRegistry(store, engine, provider, settings.clock(), usage);
        registry.reconcile();
        this.tenants = registry;
        return registry;
    }

    public TenantRegistry tenants() {
        TenantRegistry t = tenants;
        if (t == null) {
            throw new IllegalStateException("the control plane is not attached to an engine yet");
        }
        return t;
    }

    public UsageLedger usage() {
        return usage;
    }

    public ControlSettings settings() {
        return settings;
    }

    public java.nio.file.Path file() {
        return store.file();
    }

    @Override
    public void close() {
        store.close();
    }
}
