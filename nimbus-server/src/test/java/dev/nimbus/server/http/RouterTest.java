package dev.nimbus.server.http;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RouterTest {
    private static final Router.Handler NONE = q -> ApiResponse.noContent();

    private final Router router = new Router()
            .add("GET", "/health", Router.Access.PUBLIC, NONE)
            .add("GET", "/api/tenants/{tenant_id}/documents/{table}/{document_id}", Router.Access.ADMIN, NONE)
            .add("GET", "/api/tenants/{tenant_id}/documents/{table}", Router.Access.ADMIN, NONE)
            .add("GET", "/api/tenants/{tenant_id}/schema/{table}", Router.Access.ADMIN, NONE)
            .add("GET", "/api/tenants/{tenant_id}/schema/special", Router.Access.PUBLIC, NONE)
            .add("DELETE", "/api/tenants/{tenant_id}", Router.Access.ADMIN, NONE);

    @Test
    void matchesPatternsAndCutsOutTheirParameters() {
        Optional<Router.Match> m = router.match("GET", "/api/tenants/acme/documents/items/01abc");
        assertThat(m).isPresent();
        assertThat(m.get().access()).isEqualTo(Router.Access.ADMIN);
        assertThat(m.get().params()).isEqualTo(Map.of("tenant_id", "acme", "table", "items", "document_id", "01abc"));
        assertThat(router.match("GET", "/api/tenants/acme/documents/items").get().params())
                .isEqualTo(Map.of("tenant_id", "acme", "table", "items"));
        assertThat(router.match("GET", "/health").get().params()).isEmpty();
    }

    @Test
    void theFirstRouteAddedWins() {
        // "/schema/special" is also "/schema/{table}", added first.
        assertThat(router.match("GET", "/api/tenants/acme/schema/special").get().access()).isEqualTo(Router.Access.ADMIN);
    }

    @Test
    void oneTrailingSlashIsIgnoredAndEmptySegmentsAreKept() {
        assertThat(router.match("GET", "/health/")).isPresent();
        assertThat(router.match("GET", "/health//")).isEmpty();
        assertThat(router.match("GET", "/api/tenants//documents/items").get().params().get("tenant_id")).isEmpty();
        assertThat(router.match("GET", "/api/tenants/acme/documents/items/")).get()
                .satisfies(m -> assertThat(m.params()).doesNotContainKey("document_id"));
        assertThat(router.match("GET", "health")).isPresent();
        assertThat(router.match("GET", "/")).isEmpty();
        assertThat(router.match("GET", "")).isEmpty();
    }

    @Test
    void otherMethodsAndPathsDoNotMatchButThePathIsKnown() {
        assertThat(router.match("POST", "/health")).isEmpty();
        assertThat(router.match("GET", "/healthz")).isEmpty();
        assertThat(router.match("GET", "/api/tenants/acme")).isEmpty();
        assertThat(router.pathExists("/api/tenants/acme")).isTrue();
        assertThat(router.pathExists("/health")).isTrue();
        assertThat(router.pathExists("/api/tenants/acme/nothing")).isFalse();
        assertThat(router.pathExists("/api/tenants")).isFalse();
    }

    @Test
    void routesSayWhereTheyRun() {
        Router r = new Router()
                .addNonBlocking("GET", "/a", q -> ApiResponse.noContent())
                .addAsync("POST", "/a", Router.Access.ADMIN, q -> java.util.concurrent.CompletableFuture.completedFuture(
                        ApiResponse.created(null)));
        assertThat(r.match("GET", "/a").get().runs()).isEqualTo(Router.Runs.EVENT_LOOP);
        assertThat(r.match("GET", "/a").get().access()).isEqualTo(Router.Access.PUBLIC);
        assertThat(r.match("POST", "/a").get().runs()).isEqualTo(Router.Runs.VIRTUAL_THREAD_ASYNC);
        assertThat(r.match("POST", "/a").get().call(null).join().status()).isEqualTo(201);
    }

    @Test
    void theTenantOfAPathIsTheSegmentAfterTenantsAsSplitGivesIt() {
        for (String path : List.of("/api/tenants/acme/documents", "/api/tenants/acme", "/api/tenants/", "/api/tenants",
                "/api/tenants//x", "/api/tenants//", "tenants/x", "/debug/tenants/t1/consistency", "/tenants",
                "/a/tenantsx/b", "/api/tenants/a/tenants/b", "", "/", "/api/system/tenants/z/", "//tenants//a//")) {
            assertThat(HttpApiHandler.tenantOf(path)).as(path).isEqualTo(splitTenantOf(path));
        }
    }

    /** The definition: split on '/', the part after the first "tenants" part that has one. */
    private static String splitTenantOf(String path) {
        String[] parts = path.split("/");
        for (int i = 0; i + 1 < parts.length; i++) {
            if (parts[i].equals("tenants")) {
                return parts[i + 1];
            }
        }
        return null;
    }
}
