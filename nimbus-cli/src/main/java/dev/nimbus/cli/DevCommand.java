package dev.nimbus.cli;

import dev.nimbus.core.model.TenantId;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import dev.nimbus.server.auth.AdminToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code nimbus dev}: a local server on port 3210, data under {@code .nimbus/dev}, tenant {@code demo}. */
@Command(name = "dev", mixinStandardHelpOptions = true, description = "Run a local development server.")
final class DevCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "3210", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data-dir", description = "Data directory (default: .nimbus/dev).")
    Path dataDir;

    @Option(names = "--once", description = "Start, create the demo tenant, and stop (for checks).")
    boolean once;

    @Option(names = "--token-file", hidden = true, description = "Admin token file (default: the documented path).")
    Path tokenFile;

    @Option(names = "--app-dir", description = "An app whose functions are deployed to 'demo' at start and on every change.")
    Path appDir;

    @picocli.CommandLine.Mixin
    DynamoDbOptions dynamodb = new DynamoDbOptions();

    @Override
    public Integer call() throws Exception {
        Path data = dataDir != null ? dataDir : Path.of(".nimbus", "dev");
        ServerConfig config = new ServerConfig("127.0.0.1", port, new dev.nimbus.server.StorageSettings.Sqlite(data),
                tokenFile != null ? tokenFile : AdminToken.defaultPath(),
                ServerConfig.BODY_BYTES_MAX_DEFAULT, false).withDynamoDb(dynamodb.settings(System.getenv(), port));
        String deployToken = null;
        if (appDir != null) {
            // Dev deploys go through the deploy route like any other: mint a token for this process.
            deployToken = System.getenv("NIMBUS_DEPLOY_TOKEN");
            if (deployToken == null || deployToken.isBlank()) {
                deployToken = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getInstanceStrong()
                        .generateSeed(24));
                System.setProperty("NIMBUS_DEPLOY_TOKEN", deployToken);
            }
        }
        NimbusServer server = NimbusServer.start(config);
        TenantId demo = TenantId.of("demo");
        if (!server.control().tenants().list().contains(demo)) {
            server.control().tenants().create(demo);
        }
        System.out.println("nimbus dev: tenant 'demo' at http://127.0.0.1:" + server.port() + "/api/tenants/demo");
        server.dynamodb().ifPresent(d -> System.out.println("nimbus dev: DynamoDB endpoint at http://127.0.0.1:" + d.port()));
        DevWatcher watcher = null;
        int exit = 0;
        if (appDir != null) {
            String url = "http://127.0.0.1:" + server.port();
            String token = deployToken;
            Runnable redeploy = () -> {
                try {
                    DeployCommand.Response r = DeployCommand.deploy(url, token, server.token().value(), demo.value(),
                            AppBundler.build(appDir), java.util.Map.of(), false);
                    DeployCommand.print(r, System.out, System.err);
                } catch (Exception e) {
                    System.err.println("nimbus dev: deploy failed: " + e.getMessage());
                }
            };
            redeploy.run();
            if (once) {
                exit = server.functions().deployments().active(demo).isPresent() ? 0 : 1;
            } else {
                watcher = new DevWatcher(AppBundler.sourceRoot(appDir), redeploy);
                System.out.println("nimbus dev: watching " + AppBundler.sourceRoot(appDir) + " for changes");
            }
        }
        if (once) {
            server.close();
            return exit;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "nimbus-shutdown"));
        stopped.await();
        return 0;
    }
}
