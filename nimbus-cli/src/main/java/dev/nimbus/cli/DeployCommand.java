package dev.nimbus.cli;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import dev.nimbus.server.auth.AdminToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code nimbus deploy <dir>}: builds the app's bundle ({@link AppBundler}) and pushes it to a
 * running server's {@code POST /api/admin/deploy}, then prints the diff.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true, description = "Build an app's functions and deploy them.")
final class DeployCommand implements Callable<Integer> {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);

    @Parameters(index = "0", defaultValue = ".", description = "The app folder (default: the current one).")
    Path app;

    @Option(names = "--url", description = "Server URL (default: $NIMBUS_DEPLOY_URL or http://127.0.0.1:3210).")
    String url;

    @Option(names = "--token", description = "Deploy token (default: $NIMBUS_DEPLOY_TOKEN).")
    String token;

    @Option(names = "--admin-token", description = "Admin token (default: $NIMBUS_ADMIN_TOKEN, else the local token file).")
    String adminToken;

    @Option(names = "--token-file", hidden = true, description = "Admin token file (default: the documented path).")
    Path tokenFile;

    @Option(names = "--tenant", defaultValue = "demo", description = "Tenant to deploy to (default: ${DEFAULT-VALUE}).")
    String tenant;

    @Option(names = "--dry-run", description = "Validate and diff without activating.")
    boolean dryRun;

    @Option(names = "--env", description = "Environment variable for actions, NAME=value (repeatable).")
    Map<String, String> environment = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        String target = url != null ? url : System.getenv().getOrDefault("NIMBUS_DEPLOY_URL", "http://127.0.0.1:3210");
        String deployToken = token != null ? token : System.getenv("NIMBUS_DEPLOY_TOKEN");
        if (deployToken == null || deployToken.isBlank()) {
            System.err.println("nimbus deploy: a deploy token is needed (--token or NIMBUS_DEPLOY_TOKEN)");
            return 2;
        }
        String admin = adminToken != null ? adminToken : System.getenv("NIMBUS_ADMIN_TOKEN");
        if (admin == null) {
            Path file = tokenFile != null ? tokenFile : AdminToken.defaultPath();
            if (!Files.exists(file)) {
                System.err.println("nimbus deploy: no admin token (--admin-token, NIMBUS_ADMIN_TOKEN, or " + file + ")");
                return 2;
            }
            admin = AdminToken.loadOrMint(file).value();
        }
        Response r = deploy(target, deployToken, admin, tenant, AppBundler.build(app), environment, dryRun);
        print(r, System.out, System.err);
        return r.status() == 200 ? 0 : 1;
    }

    /** What the server answered. */
    record Response(int status, Value body) {
    }

    static Response deploy(String url, String deployToken, String adminToken, String tenant, Map<String, String> modules,
                           Map<String, String> environment, boolean dryRun) throws Exception {
        Map<String, Value> mods = new LinkedHashMap<>();
        modules.forEach((k, v) -> mods.put(k, Value.of(v)));
        Map<String, Value> env = new LinkedHashMap<>();
        environment.forEach((k, v) -> env.put(k, Value.of(v)));
        Value.Obj body = new Value.Obj(Map.of("tenant", Value.of(tenant), "dry_run", Value.of(dryRun),
                "artifacts", new Value.Obj(Map.of("functions", new Value.Obj(Map.of("modules", new Value.Obj(mods),
                        "environment", new Value.Obj(env)))))));
        HttpRequest req = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/api/admin/deploy"))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + deployToken)
                .header("X-Nimbus-Admin-Token", adminToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ValueJson.write(body))).build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body().isEmpty() ? Value.nullValue() : ValueJson.read(r.body()));
    }

    private static String plain(Value v) {
        return switch (v) {
            case Value.Str s -> s.value();
            case Value.Int64 i -> Long.toString(i.value());
            case null -> "";
            default -> v.toString();
        };
    }

    static void print(Response r, PrintStream out, PrintStream err) {
        if (r.status() != 200 || !(r.body() instanceof Value.Obj o)) {
            String message = r.body() instanceof Value.Obj e && e.get("error") instanceof Value.Obj error
                    ? error.get("code") + ": " + error.get("message") : String.valueOf(r.body());
            err.println("nimbus deploy: failed (" + r.status() + ") " + message.replace("\"", ""));
            return;
        }
        Value.Obj functions = (Value.Obj) ((Value.Obj) o.get("diff")).get("functions");
        out.println((o.get("activated") instanceof Value.Bool b && b.value() ? "deployed" : "dry run:")
                + " generation " + plain(o.get("generation")) + " (sha256 " + plain(o.get("sha256")) + ") to tenant "
                + plain(o.get("tenant")));
        for (String change : new String[] {"added", "changed", "removed"}) {
            for (Value f : ((Value.Array) functions.get(change)).elements()) {
                Value.Obj fo = (Value.Obj) f;
                out.println("  " + change + " " + plain(fo.get("kind")) + " " + plain(fo.get("name")));
            }
        }
    }
}
