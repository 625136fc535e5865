package dev.nimbus.cli;

import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import dev.nimbus.server.dynamodb.DynamoDbListener;
import dev.nimbus.server.dynamodb.DynamoDbSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code nimbus dynamodb keys create|list|revoke} against a running server's admin API. */
class DynamoDbCommandTest {
    @TempDir
    Path dir;

    @Test
    void createsListsAndRevokesKeysThroughTheAdminApi() {
        Path token = dir.resolve("auth/token");
        ServerConfig config = ServerConfig.defaults(dir.resolve("data"), token).withPort(0)
                .withDynamoDb(DynamoDbSettings.ephemeral(List.of("STATIC1:secret:acme")));
        try (NimbusServer server = NimbusServer.start(config)) {
            String url = "http://127.0.0.1:" + server.port();
            DynamoDbListener ddb = server.dynamodb().orElseThrow();
            assertThat(Nimbus.run("dynamodb", "keys", "create", "--tenant", "team-c", "--url", url,
                    "--token-file", token.toString())).isZero();
            Map<String, Object> created = ddb.keys().list().stream().filter(k -> k.get("tenant").equals("team-c"))
                    .findFirst().orElseThrow();
            String id = (String) created.get("accessKeyId");
            assertThat(Nimbus.run("dynamodb", "keys", "list", "--url", url, "--token-file", token.toString())).isZero();
            assertThat(Nimbus.run("dynamodb", "keys", "revoke", id, "--url", url, "--token-file", token.toString())).isZero();
            assertThat(ddb.keys().find(id)).isEmpty();
            assertThat(Nimbus.run("dynamodb", "keys", "revoke", "STATIC1", "--url", url, "--token-file", token.toString()))
                    .isEqualTo(1);
        }
    }
}
