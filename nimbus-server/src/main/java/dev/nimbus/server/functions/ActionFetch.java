package dev.nimbus.server.functions;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.runtime.HostBridge;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code fetch} for actions: http and https only, bounded in time and response size. */
final class ActionFetch {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final int RESPONSE_BYTES_MAX = 5 * 1024 * 1024;
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    HostBridge.FetchResponse fetch(String url, String method, Map<String, String> headers, Optional<String> body) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "fetch: invalid URL " + url);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "fetch supports http and https URLs only");
        }
        String m = method.toUpperCase(java.util.Locale.ROOT);
        if (!METHODS.contains(m)) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "fetch: unsupported method " + method);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .method(m, body.map(s -> HttpRequest.BodyPublishers.ofString(s)).orElse(HttpRequest.BodyPublishers.noBody()));
        headers.forEach((k, v) -> {
            if (!RESTRICTED.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                b.header(k, v);
            }
        });
        try {
            HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            byte[] bytes;
            try (InputStream in = r.body()) {
                bytes = in.readNBytes(RESPONSE_BYTES_MAX + 1);
            }
            if (bytes.length > RESPONSE_BYTES_MAX) {
                throw new NimbusException(ErrorCode.CAP_EXCEEDED, "fetch: the response is larger than "
                        + RESPONSE_BYTES_MAX + " bytes");
            }
            Map<String, String> out = new LinkedHashMap<>();
            r.headers().map().forEach((k, v) -> out.put(k, String.join(", ", v)));
            return new HostBridge.FetchResponse(r.statusCode(), out, new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new NimbusException(ErrorCode.TRANSPORT, "fetch " + uri + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NimbusException(ErrorCode.CANCELLED, "fetch was interrupted");
        }
    }
}
