package dev.nimbus.storage;

import dev.nimbus.core.model.TenantId;

import java.util.List;

/**
 * A storage backend: a set of tenants, each a physically separate namespace (a SQLite file, a
 * Postgres schema, a MySQL database). Nothing reachable from one tenant's {@link TenantStore}
 * can name another tenant's data. Implementations are thread-safe.
 *
 * <p>Errors are {@link dev.nimbus.core.error.NimbusException}s: {@code session.tenant_not_found},
 * {@code op.already_exists}, {@code service.storage_busy} (lock wait exceeded),
 * {@code service.storage_io}, {@code service.storage_corruption}.
 */
public interface StorageProvider extends AutoCloseable {

    /** {@code sqlite}, {@code postgres}, {@code mysql}. */
    String kind();

    /** Creates the tenant's namespace; {@code op.already_exists} if it is there. */
    TenantStore create(TenantId tenant);

    /** The tenant's store; {@code session.tenant_not_found} if it was never created. */
    TenantStore open(TenantId tenant);

    boolean exists(TenantId tenant);

    /** Every tenant, in id order. */
    List<TenantId> list();

    /** Deletes the tenant and all its data, irreversibly. Handles to it stop working. */
    void drop(TenantId tenant);

    @Override
    void close();
}
