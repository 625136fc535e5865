package dev.nimbus.server.http;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A request's headers as routes see them: names lower-cased, the first value of a repeated
 * header. A view over the decoded headers, so a request whose route reads none (nearly all)
 * copies none; {@link #get} looks the name up case-insensitively.
 */
final class RequestHeaders extends AbstractMap<String, String> {
    private final HttpHeaders headers;
    private Map<String, String> copy;

    RequestHeaders(HttpHeaders headers) {
        this.headers = headers;
    }

    @Override
    public String get(Object name) {
        // Keys of this map are lower case: a name with upper-case letters is not one of them.
        if (!(name instanceof String s) || !s.equals(s.toLowerCase(Locale.ROOT))) {
            return null;
        }
        return headers.get(s);
    }

    @Override
    public boolean containsKey(Object name) {
        return get(name) != null;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        if (copy == null) {
            Map<String, String> m = new LinkedHashMap<>();
            headers.forEach(h -> m.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
            copy = Collections.unmodifiableMap(m);
        }
        return copy.entrySet();
    }
}
