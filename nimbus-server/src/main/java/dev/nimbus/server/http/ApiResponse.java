package dev.nimbus.server.http;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;

/** What a route answers: a status and an optional JSON body (or, for metrics, plain text). */
public record ApiResponse(int status, Value body, String text) {
    public ApiResponse(int status, Value body) {
        this(status, body, null);
    }

    /** A text/plain body (the Prometheus exposition format). */
    public static ApiResponse text(String text) {
        return new ApiResponse(200, null, text);
    }

    public static ApiResponse ok(Value body) {
        return new ApiResponse(200, body);
    }

    public static ApiResponse created(Value body) {
        return new ApiResponse(201, body);
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null);
    }

    public String json() {
        return text != null ? text : body == null ? "" : ValueJson.write(body);
    }

    public String contentType() {
        return text != null ? "text/plain; version=0.0.4; charset=utf-8" : "application/json";
    }
}
