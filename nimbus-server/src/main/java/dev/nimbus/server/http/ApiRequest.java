package dev.nimbus.server.http;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;

import java.util.List;
import java.util.Map;

/**
 * A decoded HTTP request as routes see it: path parameters, query parameters, the JSON body, and
 * the request headers (names lower-cased) for the few routes with their own credentials (deploy).
 */
public record ApiRequest(String method, String path, Map<String, String> params, Map<String, List<String>> query,
                         byte[] body, String requestId, Map<String, String> headers) {

    public ApiRequest(String method, String path, Map<String, String> params, Map<String, List<String>> query,
                      byte[] body, String requestId) {
        this(method, path, params, query, body, requestId, Map.of());
    }

    /** A request header by lower-case name, or null. */
    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    public String param(String name) {
        return params.get(name);
    }

    public String queryParam(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** The body as a JSON object; anything else is {@code op.invalid_input}. */
    public Value.Obj json() {
        if (body.length == 0) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "the request needs a JSON object body");
        }
        if (ValueJson.read(body) instanceof Value.Obj o) {
            return o;
        }
        throw new NimbusException(ErrorCode.INVALID_INPUT, "the request body must be a JSON object");
    }
}
