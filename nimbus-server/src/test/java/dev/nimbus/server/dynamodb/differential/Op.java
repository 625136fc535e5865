package dev.nimbus.server.dynamodb.differential;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * One step of a generated sequence: a name (the DynamoDB operation, plus a variant), a printable
 * request for diffs, and the call, which returns the canonical tree of what the server answered
 * (pages already followed and made order-independent where the order is unspecified). Errors are
 * thrown and captured by the runner.
 */
public record Op(String name, String request, Call call) {
    /** Whether the op creates or deletes a table (the runner runs those one at a time, see DifferentialRunner). */
    public boolean tableDdl() {
        return request.startsWith("CreateTableRequest") || request.startsWith("DeleteTableRequest");
    }

    /** Performs the step against one server and returns its canonical answer. */
    @FunctionalInterface
    public interface Call {
        Object run(DynamoDbClient client);
    }
}
