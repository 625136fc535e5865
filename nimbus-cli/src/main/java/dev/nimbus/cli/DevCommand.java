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

    @picocli.CommandLine.Mixin
    DynamoDbOptions dynamodb = new DynamoDbOptions();

    @Override
    public Integer call() throws Exception {
        Path data = dataDir != null ? dataDir : Path.of(".nimbus", "dev");
        ServerConfig config = new ServerConfig("127.0.0.1", port, new dev.nimbus.server.StorageSettings.Sqlite(data),
                tokenFile != null ? tokenFile : AdminToken.defaultPath(),
                ServerConfig.BODY_BYTES_MAX_DEFAULT, false).withDynamoDb(dynamodb.settings(System.getenv(), port));
        NimbusServer server = NimbusServer.start(config);
        TenantId demo = TenantId.of("demo");
        if (!server.control().tenants().list().contains(demo)) {
            server.control().tenants().create(demo);
        }
        System.out.println("nimbus dev: tenant 'demo' at http://127.0.0.1:" + server.port() + "/api/tenants/demo");
        server.dynamodb().ifPresent(d -> System.out.println("nimbus dev: DynamoDB endpoint at http://127.0.0.1:" + d.port()));
        if (once) {
            server.close();
            return 0;
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
