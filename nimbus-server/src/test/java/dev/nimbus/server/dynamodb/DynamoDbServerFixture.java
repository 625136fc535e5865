package dev.nimbus.server.dynamodb;

import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * A Nimbus server in-process with the DynamoDB listener on an ephemeral loopback port and
 * explicit keys, plus AWS SDK v2 clients pointed at it. Tests never touch port 8000.
 */
final class DynamoDbServerFixture implements AutoCloseable {
    static final String KEY_ID = "NIMBUSTESTKEY1";
    static final String SECRET = "test-secret-1";
    static final String TENANT = "acme";
    static final String OTHER_KEY_ID = "NIMBUSTESTKEY2";
    static final String OTHER_SECRET = "test-secret-2";
    static final String OTHER_TENANT = "globex";

    final NimbusServer server;
    final DynamoDbClient client;

    DynamoDbServerFixture(Path dir) {
        ServerConfig config = ServerConfig.defaults(dir.resolve("data"), dir.resolve("auth/token")).withPort(0)
                .withDynamoDb(DynamoDbSettings.ephemeral(List.of(KEY_ID + ":" + SECRET + ":" + TENANT,
                        OTHER_KEY_ID + ":" + OTHER_SECRET + ":" + OTHER_TENANT)).withTtlSweepMillis(0));
        this.server = NimbusServer.start(config);
        this.client = client(KEY_ID, SECRET);
    }

    int port() {
        return server.dynamodb().orElseThrow().port();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    DynamoDbClient client(String keyId, String secret) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1)))
                .build();
    }

    /** Asserts the call fails with this DynamoDB error code (the part after '#') and message fragment. */
    static software.amazon.awssdk.services.dynamodb.model.AttributeDefinition attr(String name,
            software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType t) {
        return software.amazon.awssdk.services.dynamodb.model.AttributeDefinition.builder()
                .attributeName(name).attributeType(t).build();
    }

    static software.amazon.awssdk.services.dynamodb.model.KeySchemaElement key(String name,
            software.amazon.awssdk.services.dynamodb.model.KeyType t) {
        return software.amazon.awssdk.services.dynamodb.model.KeySchemaElement.builder()
                .attributeName(name).keyType(t).build();
    }

    static software.amazon.awssdk.services.dynamodb.model.DynamoDbException fails(Runnable call, String code, String message) {
        try {
            call.run();
        } catch (software.amazon.awssdk.services.dynamodb.model.DynamoDbException e) {
            org.assertj.core.api.Assertions.assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
            if (!message.isEmpty()) {
                org.assertj.core.api.Assertions.assertThat(e.awsErrorDetails().errorMessage()).contains(message);
            }
            org.assertj.core.api.Assertions.assertThat(e.statusCode()).isEqualTo(400);
            return e;
        }
        throw new AssertionError("expected " + code + " (" + message + ")");
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
