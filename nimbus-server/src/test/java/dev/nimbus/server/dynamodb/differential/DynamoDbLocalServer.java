package dev.nimbus.server.dynamodb.differential;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * DynamoDB Local 3.x embedded in this JVM as a real HTTP server on an ephemeral loopback port:
 * the oracle of the differential tests. In-memory by default; {@link #startFileBacked} keeps its
 * SQLite files under a directory. sqlite4java's native libraries must be on
 * {@code sqlite4java.library.path} (the nimbus-server build copies them to
 * {@code target/native-libs} and sets the property for surefire).
 */
public final class DynamoDbLocalServer implements AutoCloseable {
    /** Placeholder given to DynamoDB Local's command line, which wants 1..65535; replaced by 0 before binding. */
    private static final String PLACEHOLDER_PORT = "65535";
    private static final String LOOPBACK = "127.0.0.1";

    private final DynamoDBProxyServer server;
    private final int port;

    private DynamoDbLocalServer(List<String> args) throws Exception {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("-disableTelemetry", "-port", PLACEHOLDER_PORT));
        this.server = ServerRunner.createServerFromCommandLineArgs(all.toArray(String[]::new));
        ServerConnector connector = connector(server);
        connector.setHost(LOOPBACK);
        connector.setPort(0);
        server.start();
        this.port = connector.getLocalPort();
        if (port <= 0) {
            server.stop();
            throw new IllegalStateException("DynamoDB Local did not bind a port");
        }
    }

    /** Starts an in-memory instance ({@code -inMemory}). */
    public static DynamoDbLocalServer startInMemory() throws Exception {
        return new DynamoDbLocalServer(List.of("-inMemory"));
    }

    /** Starts a file-backed instance ({@code -dbPath dir}); {@code dir} must exist. */
    public static DynamoDbLocalServer startFileBacked(Path dir) throws Exception {
        return new DynamoDbLocalServer(List.of("-dbPath", dir.toString()));
    }

    /** The endpoint clients talk to, e.g. {@code http://127.0.0.1:41234}. */
    public URI uri() {
        return URI.create("http://" + LOOPBACK + ":" + port);
    }

    /** An endpoint description with dummy credentials (DynamoDB Local accepts any alphanumeric key). */
    public DynamoDbEndpoint endpoint(String name) {
        return new DynamoDbEndpoint(name, uri(), "us-east-1", "difftest", "difftestsecret");
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /**
     * DynamoDB Local builds its Jetty server bound to all interfaces on the given port and exposes
     * no way to change that; we reach its connector before {@code start()} to bind loopback and an
     * ephemeral port instead (no port race, nothing listening on external interfaces).
     */
    private static ServerConnector connector(DynamoDBProxyServer proxy) throws ReflectiveOperationException {
        Field f = DynamoDBProxyServer.class.getDeclaredField("server");
        f.setAccessible(true);
        Server jetty = (Server) f.get(proxy);
        for (Connector c : jetty.getConnectors()) {
            if (c instanceof ServerConnector sc) {
                return sc;
            }
        }
        throw new IllegalStateException("DynamoDB Local's Jetty server has no ServerConnector");
    }
}
