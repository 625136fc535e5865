package dev.nimbus.server.dynamodb;

import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Listener settings: generated wire credentials, key management routes, busy and pinned ports, network binds. */
class DynamoDbListenerConfigTest {
    @TempDir
    Path dir;

    ServerConfig base() {
        return ServerConfig.defaults(dir.resolve("data"), dir.resolve("auth/token")).withPort(0);
    }

    @Test
    void withoutKeysAGeneratedKeyIsStoredOwnerOnlyAndBoundToTenantDefault() throws IOException {
        try (NimbusServer server = NimbusServer.start(base().withDynamoDb(DynamoDbSettings.ephemeral(List.of())))) {
            Path file = dir.resolve("data").resolve(WireCredentials.FILE_NAME);
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            String json = Files.readString(file);
            String id = field(json, "accessKeyId");
            String secret = field(json, "secretAccessKey");
            assertThat(server.engine().tenantExists(new TenantId("default"))).isTrue();
            try (DynamoDbClient c = client(server, id, secret)) {
                DynamoDbTableLifecycleTest.createOrders(c, "Table1");
                assertThat(c.listTables().tableNames()).containsExactly("Table1");
            }
        }
        // A restart reuses the stored key.
        String before = Files.readString(dir.resolve("data").resolve(WireCredentials.FILE_NAME));
        try (NimbusServer server = NimbusServer.start(base().withDynamoDb(DynamoDbSettings.ephemeral(List.of())))) {
            assertThat(Files.readString(dir.resolve("data").resolve(WireCredentials.FILE_NAME))).isEqualTo(before);
            try (DynamoDbClient c = client(server, field(before, "accessKeyId"), field(before, "secretAccessKey"))) {
                assertThat(c.listTables().tableNames()).containsExactly("Table1");
            }
        }
    }

    @Test
    void adminRoutesCreateListAndRevokeKeys() throws Exception {
        try (NimbusServer server = NimbusServer.start(base().withDynamoDb(DynamoDbSettings.ephemeral(List.of("STATICKEY:s3cret:acme"))))) {
            HttpClient http = HttpClient.newHttpClient();
            String api = "http://127.0.0.1:" + server.port() + "/api/system/dynamodb/keys";
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(api))
                    .header("Authorization", "Bearer " + server.token().value())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"tenant\":\"team-b\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(201);
            String id = field(created.body(), "accessKeyId");
            String secret = field(created.body(), "secretAccessKey");
            try (DynamoDbClient c = client(server, id, secret)) {
                DynamoDbTableLifecycleTest.createOrders(c, "TeamB");
            }
            assertThat(server.engine().tables(new TenantId("team-b"))).extracting(Object::toString).contains("TeamB");

            HttpResponse<String> listed = http.send(HttpRequest.newBuilder(URI.create(api))
                    .header("Authorization", "Bearer " + server.token().value()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(listed.body()).contains(id).contains("STATICKEY").doesNotContain(secret).doesNotContain("s3cret");
            HttpResponse<String> unauthorized = http.send(HttpRequest.newBuilder(URI.create(api)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(unauthorized.statusCode()).isEqualTo(401);

            HttpResponse<String> revoked = http.send(HttpRequest.newBuilder(URI.create(api + "/" + id))
                    .header("Authorization", "Bearer " + server.token().value()).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(revoked.statusCode()).isEqualTo(204);
            try (DynamoDbClient c = client(server, id, secret)) {
                DynamoDbServerFixture.fails(c::listTables, "UnrecognizedClientException", "The security token included");
            }
        }
    }

    @Test
    void aBusyPortIsFatalWhenPinnedAndSkippedOtherwise() throws IOException {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();
            DynamoDbSettings pinned = new DynamoDbSettings(true, "127.0.0.1", port, true, List.of("K1:s:acme"), null, 0);
            assertThatThrownBy(() -> NimbusServer.start(base().withDynamoDb(pinned))).isInstanceOf(NimbusException.class)
                    .hasMessageContaining("cannot listen for DynamoDB");
            DynamoDbSettings conventional = new DynamoDbSettings(true, "127.0.0.1", port, false, List.of("K1:s:acme"), null, 0);
            try (NimbusServer server = NimbusServer.start(base().withDynamoDb(conventional))) {
                assertThat(server.dynamodb()).isEmpty();
                assertThat(server.port()).isPositive();
            }
        }
        DynamoDbSettings network = new DynamoDbSettings(true, "0.0.0.0", 0, true, List.of("K1:s:acme"), null, 0);
        assertThatThrownBy(() -> NimbusServer.start(base().withDynamoDb(network))).isInstanceOf(NimbusException.class)
                .hasMessageContaining("needs --allow-network");
        assertThatThrownBy(() -> NimbusServer.start(base().withDynamoDb(DynamoDbSettings.ephemeral(List.of("bad-spec"))))
        ).isInstanceOf(NimbusException.class).hasMessageContaining("KEY_ID:SECRET:TENANT");
    }

    private static DynamoDbClient client(NimbusServer server, String id, String secret) {
        return DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + server.dynamodb().orElseThrow().port()))
                .region(software.amazon.awssdk.regions.Region.EU_CENTRAL_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(id, secret)))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .build();
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        assertThat(m.find()).as(name + " in " + json).isTrue();
        return m.group(1);
    }
}
