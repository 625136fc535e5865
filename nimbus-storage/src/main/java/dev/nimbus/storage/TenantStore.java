package dev.nimbus.storage;

import dev.nimbus.core.model.TenantId;

/**
 * One tenant's store. A cheap handle: the provider may close the underlying files or
 * connections while the tenant is idle and reopen them on the next call.
 */
public interface TenantStore {

    TenantId tenant();

    /**
     * Starts the tenant's single write transaction, waiting while another is open (bounded; then
     * {@code service.storage_busy}). Group commit: one transaction carries many mutations.
     */
    WriteTransaction beginWrite();

    /** A consistent read view as of now; later commits are invisible to it. Close it promptly. */
    Snapshot snapshot();
}
