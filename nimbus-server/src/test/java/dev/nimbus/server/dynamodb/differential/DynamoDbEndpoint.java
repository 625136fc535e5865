package dev.nimbus.server.dynamodb.differential;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.net.URI;
import java.time.Duration;

/**
 * One side of a differential run: where a DynamoDB-compatible server listens and which
 * credentials to sign with. {@link #newClient()} builds the AWS SDK v2 client the tests drive it
 * with: synchronous, URL-connection HTTP, no retries (an error must be observed, not retried away).
 */
public record DynamoDbEndpoint(String name, URI uri, String region, String accessKeyId, String secretAccessKey) {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    public DynamoDbClient newClient() {
        return DynamoDbClient.builder()
                .endpointOverride(uri)
                .region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(accessKeyId, secretAccessKey)))
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(CALL_TIMEOUT)
                        .build())
                .overrideConfiguration(o -> o
                        .retryStrategy(RetryMode.STANDARD)
                        .retryStrategy(b -> b.maxAttempts(1))
                        .apiCallTimeout(CALL_TIMEOUT))
                .build();
    }

    @Override
    public String toString() {
        return name + "(" + uri + ")";
    }
}
