package dev.nimbus.server.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A table of routes: method + path pattern ({@code /api/tenants/{tenant_id}}) to a handler. */
public final class Router {
    /** A route's work; runs on a virtual thread, never on an event loop. */
    public interface Handler {
        ApiResponse handle(ApiRequest request);
    }

    /** Where a route belongs, for admission: tenant-scoped routes name {@code tenant_id}. */
    public enum Access {
        PUBLIC, ADMIN
    }

    record Route(String method, String[] segments, Access access, Handler handler) {
    }

    public record Match(Handler handler, Access access, Map<String, String> params) {
    }

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String pattern, Access access, Handler handler) {
        routes.add(new Route(method, split(pattern), access, handler));
        return this;
    }

    /** The route for a request; empty when no pattern matches the path (any method). */
    public Optional<Match> match(String method, String path) {
        String[] parts = split(path);
        for (Route r : routes) {
            if (!r.method.equals(method) || r.segments.length != parts.length) {
                continue;
            }
            Map<String, String> params = new HashMap<>();
            boolean ok = true;
            for (int i = 0; i < parts.length && ok; i++) {
                String s = r.segments[i];
                if (s.startsWith("{") && s.endsWith("}")) {
                    params.put(s.substring(1, s.length() - 1), parts[i]);
                } else {
                    ok = s.equals(parts[i]);
                }
            }
            if (ok) {
                return Optional.of(new Match(r.handler, r.access, params));
            }
        }
        return Optional.empty();
    }

    /** Whether some route has this path with another method (405 rather than 404). */
    public boolean pathExists(String path) {
        String[] parts = split(path);
        for (Route r : routes) {
            if (r.segments.length != parts.length) {
                continue;
            }
            boolean ok = true;
            for (int i = 0; i < parts.length && ok; i++) {
                ok = r.segments[i].startsWith("{") || r.segments[i].equals(parts[i]);
            }
            if (ok) {
                return true;
            }
        }
        return false;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }
}
