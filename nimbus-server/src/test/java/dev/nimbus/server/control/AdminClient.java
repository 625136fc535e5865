package dev.nimbus.server.control;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The JDK HTTP client against an in-process server, with the admin token. */
final class AdminClient {
    record Reply(int status, Value body) {
        Value.Obj obj() {
            return (Value.Obj) body;
        }

        Value get(String field) {
            return obj().get(field);
        }

        Value.Obj error() {
            return (Value.Obj) obj().get("error");
        }

        String errorCode() {
            return ((Value.Str) error().get("code")).value();
        }
    }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    AdminClient(String base, String token) {
        this.base = base;
        this.token = token;
    }

    Reply call(String method, String path, String json) throws Exception {
        return call(method, path, json, token);
    }

    Reply call(String method, String path, String json, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().isEmpty() ? null : ValueJson.read(r.body()));
    }
}
