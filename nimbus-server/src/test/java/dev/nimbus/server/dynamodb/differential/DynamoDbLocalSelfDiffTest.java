package dev.nimbus.server.dynamodb.differential;

/**
 * The harness checked against itself: DynamoDB Local against a second DynamoDB Local instance.
 * Zero differences shows that the generated sequences only exercise deterministic behaviour and
 * that the normalizations hide nothing that should be compared, so a difference seen against
 * Nimbus is Nimbus's.
 */
class DynamoDbLocalSelfDiffTest extends DifferentialTestBase {
    private DynamoDbLocalServer second;

    /**
     * Fewer sequences than the Nimbus comparison: this run only shows the harness is
     * deterministic, and two DynamoDB Local instances are slow. {@code -Ddynamodb.selfdiff.sequences=1000}
     * runs the full bar.
     */
    @Override
    protected int sequences() {
        return Integer.getInteger("dynamodb.selfdiff.sequences", 250);
    }

    @Override
    protected int randomSequences() {
        return Integer.getInteger("dynamodb.selfdiff.randomSequences", 50);
    }

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
