package dev.nimbus.server.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A table of routes: method + path pattern ({@code /api/tenants/{tenant_id}}) to a handler. The
 * first route added that matches wins. Patterns are split once, when added; a request's path is
 * compared segment by segment in place, and only the matched route's parameters are cut out.
 */
public final class Router {
    /** A route's work; runs on a virtual thread, never on an event loop. */
    public interface Handler {
        ApiResponse handle(ApiRequest request);
    }

    /**
     * A route whose answer is finished by someone else (a commit acknowledged by the engine).
     * Runs on a virtual thread up to the hand-off; the future may complete on any thread and
     * the response is written from there, so nothing after the hand-off may block.
     */
    public interface AsyncHandler {
        CompletableFuture<ApiResponse> handle(ApiRequest request);
    }

    /**
     * A public route that only reads memory (no storage, no locks held long, no audit line): it
     * runs on the connection's event loop, without a virtual thread.
     */
    public interface NonBlockingHandler {
        ApiResponse handle(ApiRequest request);
    }

    /** Where a route belongs, for admission: tenant-scoped routes name {@code tenant_id}. */
    public enum Access {
        PUBLIC, ADMIN
    }

    /** Where a route's handler runs. */
    public enum Runs {
        /** On a virtual thread (may block); the answer is ready when the handler returns. */
        VIRTUAL_THREAD,
        /** On a virtual thread up to a hand-off; the answer comes with a future. */
        VIRTUAL_THREAD_ASYNC,
        /** On the event loop: memory only. */
        EVENT_LOOP
    }

    record Route(String method, String[] segments, String[] params, Access access, Runs runs, Object handler) {
        /** Whether segment {@code i} of the pattern is a parameter. */
        boolean isParam(int i) {
            return params[i] != null;
        }
    }

    /** A matched route. {@code handler} is a {@link Handler}, {@link AsyncHandler} or {@link NonBlockingHandler} per {@code runs}. */
    public record Match(Object handler, Access access, Runs runs, Map<String, String> params) {
        /** Runs a blocking or async route on the calling (virtual) thread; the future of its answer. */
        public CompletableFuture<ApiResponse> call(ApiRequest request) {
            return switch (runs) {
                case VIRTUAL_THREAD -> CompletableFuture.completedFuture(((Handler) handler).handle(request));
                case VIRTUAL_THREAD_ASYNC -> ((AsyncHandler) handler).handle(request);
                case EVENT_LOOP -> CompletableFuture.completedFuture(((NonBlockingHandler) handler).handle(request));
            };
        }
    }

    private final List<Route> routes = new ArrayList<>();
    /** Routes by method, then by segment count, in the order added. */
    private final Map<String, Map<Integer, List<Route>>> index = new HashMap<>();

    public Router add(String method, String pattern, Access access, Handler handler) {
        return add(method, pattern, access, Runs.VIRTUAL_THREAD, handler);
    }

    /** A route answered through a future (see {@link AsyncHandler}). */
    public Router addAsync(String method, String pattern, Access access, AsyncHandler handler) {
        return add(method, pattern, access, Runs.VIRTUAL_THREAD_ASYNC, handler);
    }

    /** A public route served on the event loop (see {@link NonBlockingHandler}). */
    public Router addNonBlocking(String method, String pattern, NonBlockingHandler handler) {
        return add(method, pattern, Access.PUBLIC, Runs.EVENT_LOOP, handler);
    }

    private Router add(String method, String pattern, Access access, Runs runs, Object handler) {
        String[] segments = split(pattern);
        String[] params = new String[segments.length];
        Set<String> names = new HashSet<>();
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            if (s.startsWith("{") && s.endsWith("}")) {
                params[i] = s.substring(1, s.length() - 1);
                if (!names.add(params[i])) {
                    throw new IllegalArgumentException("pattern " + pattern + " names {" + params[i] + "} twice");
                }
            }
        }
        Route r = new Route(method, segments, params, access, runs, handler);
        routes.add(r);
        index.computeIfAbsent(method, m -> new HashMap<>()).computeIfAbsent(segments.length, n -> new ArrayList<>())
                .add(r);
        return this;
    }

    /** The route for a request; empty when no pattern matches the path (any method). */
    public Optional<Match> match(String method, String path) {
        Map<Integer, List<Route>> bySize = index.get(method);
        if (bySize == null) {
            return Optional.empty();
        }
        Segments parts = Segments.of(path);
        List<Route> candidates = bySize.get(parts.count());
        if (candidates == null) {
            return Optional.empty();
        }
        for (Route r : candidates) {
            if (matches(r, parts, false)) {
                return Optional.of(new Match(r.handler, r.access, r.runs, params(r, parts)));
            }
        }
        return Optional.empty();
    }

    /** Whether some route has this path with another method (405 rather than 404). */
    public boolean pathExists(String path) {
        Segments parts = Segments.of(path);
        for (Route r : routes) {
            if (r.segments.length == parts.count() && matches(r, parts, true)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(Route r, Segments parts, boolean anyParam) {
        for (int i = 0; i < r.segments.length; i++) {
            if (r.isParam(i)) {
                continue;
            }
            // pathExists treats every '{'-segment as a wildcard, as patterns always close them
            if (anyParam && r.segments[i].startsWith("{")) {
                continue;
            }
            if (!parts.equals(i, r.segments[i])) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, String> params(Route r, Segments parts) {
        Map<String, String> out = null;
        for (int i = 0; i < r.segments.length; i++) {
            if (r.isParam(i)) {
                if (out == null) {
                    out = new LinkedHashMap<>(4);
                }
                out.put(r.params[i], parts.get(i));
            }
        }
        return out == null ? Map.of() : out;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    /**
     * A path's segments as offsets into it, split as {@link #split} does (one leading and one
     * trailing '/' dropped, empty segments kept) without copying them.
     */
    record Segments(String path, int[] bounds) {
        static Segments of(String path) {
            int from = path.startsWith("/") ? 1 : 0;
            int to = path.length();
            if (to > from && path.charAt(to - 1) == '/') {
                to--;
            }
            if (to <= from) {
                return new Segments(path, new int[] {from});
            }
            int slashes = 0;
            for (int i = from; i < to; i++) {
                if (path.charAt(i) == '/') {
                    slashes++;
                }
            }
            // bounds[k] is where segment k starts; bounds[count] is one past the end of the last, plus one
            int[] bounds = new int[slashes + 2];
            int k = 0;
            bounds[k++] = from;
            for (int i = from; i < to; i++) {
                if (path.charAt(i) == '/') {
                    bounds[k++] = i + 1;
                }
            }
            bounds[k] = to + 1;
            return new Segments(path, bounds);
        }

        int count() {
            return bounds.length - 1;
        }

        boolean equals(int i, String literal) {
            int start = bounds[i];
            int length = bounds[i + 1] - 1 - start;
            return length == literal.length() && path.regionMatches(start, literal, 0, length);
        }

        String get(int i) {
            return path.substring(bounds[i], bounds[i + 1] - 1);
        }
    }
}
