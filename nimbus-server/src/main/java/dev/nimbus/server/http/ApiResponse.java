package dev.nimbus.server.http;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;

/** What a route answers: a status and an optional JSON body. */
public record ApiResponse(int status, Value body) {
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
        return body == null ? "" : ValueJson.write(body);
    }
}
