package dev.nimbus.cli;

import dev.nimbus.server.ServerConfig;
import dev.nimbus.server.auth.AdminToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code nimbus start}: the server on the embedded SQLite default, loopback unless told otherwise. */
@Command(name = "start", mixinStandardHelpOptions = true, description = "Start the server.")
final class StartCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--allow-network", description = "Allow a non-loopback --host (needs a rotated token).")
    boolean allowNetwork;

    @Option(names = "--data-dir", description = "Data directory (default: $NIMBUS_DATA_DIR or ./data).")
    Path dataDir;

    @Option(names = "--token-file", hidden = true, description = "Admin token file (default: the documented path).")
    Path tokenFile;

    @Override
    public Integer call() throws Exception {
        Path data = dataDir != null ? dataDir : Path.of(envOr("NIMBUS_DATA_DIR", "./data"));
        Path token = tokenFile != null ? tokenFile : AdminToken.defaultPath();
        ServerConfig config = new ServerConfig(host, port, data, token, ServerConfig.BODY_BYTES_MAX_DEFAULT, allowNetwork);
        return ServerCommands.serve(config, () -> { });
    }

    static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
