package dev.nimbus.server.dynamodb.differential;

/**
 * The harness checked against itself: DynamoDB Local against a second DynamoDB Local instance.
 * Zero differences shows that the generated sequences only exercise deterministic behaviour and
 * that the normalizations hide nothing that should be compared, so a difference seen against
 * Nimbus is Nimbus's.
 */
class DynamoDbLocalSelfDiffTest extends DifferentialTestBase {
    private DynamoDbLocalServer second;

    @Override
    protected DynamoDbEndpoint candidate() throws Exception {
        second = DynamoDbLocalServer.startInMemory();
        return second.endpoint("dynamodb-local-2");
    }

    @Override
    protected void stopCandidate() throws Exception {
        if (second != null) {
            second.close();
        }
    }
}
