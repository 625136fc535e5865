package dev.nimbus.server.ws;

import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.value.Value;

import java.util.function.Consumer;

/**
 * Live query functions for {@code subscribe_named}: runs the function now (errors are thrown to
 * the caller) and again whenever a write touches what it read, handing each changed result to
 * {@code onResult} in order. Closing the handle stops it.
 */
public interface NamedQueries {
    AutoCloseable subscribe(TenantId tenant, Principal principal, String name, Value args, Consumer<Value> onResult,
                            Consumer<NimbusException> onError);
}
