package dev.nimbus.cli;

import dev.nimbus.server.auth.AdminToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code nimbus dynamodb keys create|list|revoke}: manages the DynamoDB access keys of a running
 * server through its admin API ({@code /api/system/dynamodb/keys}), authenticated with the local
 * admin token. A created key's secret is printed once.
 */
@Command(name = "dynamodb", mixinStandardHelpOptions = true, description = "Manage the DynamoDB endpoint.",
        subcommands = DynamoDbCommand.Keys.class)
final class DynamoDbCommand implements Runnable {
    @Override
    public void run() {
        System.err.println("usage: nimbus dynamodb keys create --tenant T | list | revoke KEY_ID");
    }

    /** Where the server is and how to authenticate to it. */
    static class Target {
        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Server URL (default: ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--token-file", hidden = true)
        Path tokenFile;

        HttpResponse<String> call(String method, String path, String body) throws IOException, InterruptedException {
            String token = AdminToken.loadOrMint(tokenFile != null ? tokenFile : AdminToken.defaultPath()).value();
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
                    .header("Authorization", "Bearer " + token)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            try (HttpClient http = HttpClient.newHttpClient()) {
                return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            }
        }

        static int print(HttpResponse<String> r) {
            if (r.statusCode() / 100 == 2) {
                System.out.println(r.body().isEmpty() ? "ok" : r.body());
                return 0;
            }
            System.err.println("error " + r.statusCode() + ": " + r.body());
            return 1;
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "Create, list (redacted) and revoke access keys.",
            subcommands = {Create.class, ListKeys.class, Revoke.class})
    static class Keys implements Runnable {
        @Override
        public void run() {
            System.err.println("usage: nimbus dynamodb keys create --tenant T | list | revoke KEY_ID");
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key bound to a tenant; prints the secret once.")
    static class Create implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Target target = new Target();

        @Option(names = "--tenant", required = true, description = "The tenant the key is bound to.")
        String tenant;

        @Override
        public Integer call() throws Exception {
            String json = "{\"tenant\":\"" + tenant.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
            return Target.print(target.call("POST", "/api/system/dynamodb/keys", json));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (secrets redacted).")
    static class ListKeys implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Target target = new Target();

        @Override
        public Integer call() throws Exception {
            return Target.print(target.call("GET", "/api/system/dynamodb/keys", null));
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a managed key.")
    static class Revoke implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Target target = new Target();

        @Parameters(index = "0", description = "The access key id.")
        String keyId;

        @Override
        public Integer call() throws Exception {
            return Target.print(target.call("DELETE", "/api/system/dynamodb/keys/" + keyId, null));
        }
    }
}
