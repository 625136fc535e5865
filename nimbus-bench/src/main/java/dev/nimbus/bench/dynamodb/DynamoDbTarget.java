package dev.nimbus.bench.dynamodb;

import java.net.URI;

/**
 * A DynamoDB-compatible server the load benchmark drives: where it listens and what to sign with.
 * Closing it stops what the bench started (nothing, for an external endpoint).
 */
public interface DynamoDbTarget extends AutoCloseable {
    /** Column heading in the report, e.g. "DynamoDB Local (file)". */
    String label();

    URI endpoint();

    default String region() {
        return "us-east-1";
    }

    default String accessKeyId() {
        return "bench";
    }

    default String secretAccessKey() {
        return "benchsecret";
    }

    @Override
    default void close() throws Exception {
    }

    /** Starts a target; called once per bench run, in the order the columns appear. */
    @FunctionalInterface
    interface Factory {
        DynamoDbTarget start() throws Exception;
    }

    /** A server that is already running (e.g. {@code nimbus start} with its DynamoDB listener). */
    static Factory external(String label, URI endpoint, String region, String accessKeyId, String secretAccessKey) {
        return () -> new DynamoDbTarget() {
            @Override
            public String label() {
                return label;
            }

            @Override
            public URI endpoint() {
                return endpoint;
            }

            @Override
            public String region() {
                return region;
            }

            @Override
            public String accessKeyId() {
                return accessKeyId;
            }

            @Override
            public String secretAccessKey() {
                return secretAccessKey;
            }
        };
    }
}
