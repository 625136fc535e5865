package dev.nimbus.dynamodb;

import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TenantId;

import java.util.Map;

/** One authenticated request as an operation sees it: tenant, principal, SigV4 region and body. */
record Call(TenantId tenant, Principal principal, String region, String host, Map<String, Object> body) {
}
