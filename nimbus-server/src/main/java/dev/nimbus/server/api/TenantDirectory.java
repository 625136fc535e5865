package dev.nimbus.server.api;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.Engine;

import java.util.List;
import java.util.Map;

/**
 * Which tenants exist, and their lifecycle, as the native API sees them. The server uses the
 * control plane's registry ({@code dev.nimbus.server.control.TenantRegistry}); {@link #of(Engine)}
 * asks storage directly, for an engine embedded without a control plane.
 */
public interface TenantDirectory {
    /** Creates a tenant; {@code op.already_exists} when it exists. */
    void create(TenantId tenant);

    /** Tears the tenant down and drops its storage; {@code session.tenant_not_found} when unknown. */
    void delete(TenantId tenant);

    /** Existing tenants (never system tenants), in id order. */
    List<TenantId> list();

    /** Whether {@code principal} may be admitted to {@code tenant} because it exists (and notes the activity). */
    boolean admit(TenantId tenant, Principal principal);

    /** The directory of an engine without a control plane: storage is the only truth. */
    static TenantDirectory of(Engine engine) {
        return new TenantDirectory() {
            @Override
            public void create(TenantId tenant) {
                if (engine.tenantExists(tenant)) {
                    throw new NimbusException(ErrorCode.ALREADY_EXISTS, "tenant " + tenant + " already exists",
                            Map.of("tenantId", Value.of(tenant.value())));
                }
                engine.createTenant(tenant);
            }

            @Override
            public void delete(TenantId tenant) {
                engine.dropTenant(tenant);
            }

            @Override
            public List<TenantId> list() {
                return engine.tenants().stream().sorted().toList();
            }

            @Override
            public boolean admit(TenantId tenant, Principal principal) {
                return engine.tenantExists(tenant);
            }
        };
    }
}
