package dev.nimbus.bench.dynamodb;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * DynamoDB Local 3.x started in this JVM on an ephemeral loopback port, file-backed
 * ({@code -dbPath}) or in memory ({@code -inMemory}): the benchmark's baseline. Needs
 * sqlite4java's native libraries on {@code sqlite4java.library.path} (see {@link #useBuildNatives()}).
 */
public final class DynamoDbLocalTarget implements DynamoDbTarget {
    private static final String LOOPBACK = "127.0.0.1";
    /** DynamoDB Local's command line wants a port in 1..65535; we rebind its connector to port 0. */
    private static final String PLACEHOLDER_PORT = "65535";

    private final String label;
    private final DynamoDBProxyServer server;
    private final int port;

    private DynamoDbLocalTarget(String label, List<String> args) throws Exception {
        useBuildNatives();
        this.label = label;
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("-disableTelemetry", "-port", PLACEHOLDER_PORT));
        this.server = ServerRunner.createServerFromCommandLineArgs(all.toArray(String[]::new));
        ServerConnector connector = connector(server);
        connector.setHost(LOOPBACK);
        connector.setPort(0);
        server.start();
        this.port = connector.getLocalPort();
    }

    /** DynamoDB Local keeping its SQLite file under {@code dir} (created if missing). */
    public static DynamoDbTarget.Factory fileBacked(Path dir) {
        return () -> {
            Files.createDirectories(dir);
            return new DynamoDbLocalTarget("DynamoDB Local (file)", List.of("-dbPath", dir.toString()));
        };
    }

    /** DynamoDB Local in memory. */
    public static DynamoDbTarget.Factory inMemory() {
        return () -> new DynamoDbLocalTarget("DynamoDB Local (memory)", List.of("-inMemory"));
    }

    /**
     * Points sqlite4java at {@code nimbus-bench/target/native-libs} (where the build copies the
     * native libraries) unless {@code sqlite4java.library.path} is already set.
     */
    static void useBuildNatives() {
        if (System.getProperty("sqlite4java.library.path") == null) {
            Path cwd = Path.of("").toAbsolutePath();
            Path natives = Files.isRegularFile(cwd.resolve("nimbus-bench").resolve("pom.xml"))
                    ? cwd.resolve("nimbus-bench").resolve("target").resolve("native-libs")
                    : cwd.resolve("target").resolve("native-libs");
            System.setProperty("sqlite4java.library.path", natives.toString());
        }
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public URI endpoint() {
        return URI.create("http://" + LOOPBACK + ":" + port);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /**
     * DynamoDB Local binds all interfaces on the port it is given and offers no setting for that;
     * its Jetty connector is reached before {@code start()} to bind loopback on an ephemeral port.
     */
    private static ServerConnector connector(DynamoDBProxyServer proxy) throws ReflectiveOperationException {
        Field f = DynamoDBProxyServer.class.getDeclaredField("server");
        f.setAccessible(true);
        for (Connector c : ((Server) f.get(proxy)).getConnectors()) {
            if (c instanceof ServerConnector sc) {
                return sc;
            }
        }
        throw new IllegalStateException("DynamoDB Local's Jetty server has no ServerConnector");
    }
}
