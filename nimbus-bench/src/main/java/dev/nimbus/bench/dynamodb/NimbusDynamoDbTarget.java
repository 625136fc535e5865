package dev.nimbus.bench.dynamodb;

import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import dev.nimbus.server.dynamodb.DynamoDbSettings;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Nimbus in the bench's JVM with its DynamoDB listener on an ephemeral loopback port: SQLite
 * under {@code dir}, every acknowledged write fsynced (the engine's group commit), one access
 * key bound to tenant {@code bench}.
 */
public final class NimbusDynamoDbTarget implements DynamoDbTarget {
    private final NimbusServer server;

    private NimbusDynamoDbTarget(NimbusServer server) {
        this.server = server;
    }

    public static DynamoDbTarget.Factory inProcess(Path dir) {
        return () -> new NimbusDynamoDbTarget(NimbusServer.start(
                ServerConfig.defaults(dir.resolve("data"), dir.resolve("auth/token")).withPort(0)
                        .withDynamoDb(DynamoDbSettings.ephemeral(List.of("bench:benchsecret:bench")))));
    }

    @Override
    public String label() {
        return "Nimbus (SQLite, fsync)";
    }

    @Override
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.dynamodb().orElseThrow().port());
    }

    @Override
    public void close() {
        server.close();
    }
}
