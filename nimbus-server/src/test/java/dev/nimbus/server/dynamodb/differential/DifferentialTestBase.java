package dev.nimbus.server.dynamodb.differential;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The differential test: {@link #SEQUENCES} generated sequences with a fixed seed, then
 * {@link #RANDOM_SEQUENCES} with a random seed (printed, and settable with {@code -Ddynamodb.diff.seed=N}), each op run
 * against an embedded in-memory DynamoDB Local (the oracle, left) and against {@link #candidate()}
 * (right); the test fails listing every difference. A subclass supplies the candidate endpoint,
 * e.g. a second DynamoDB Local (the harness's own determinism check) or Nimbus's DynamoDB listener.
 * The counts are settable with {@code -Ddynamodb.diff.sequences=N} and
 * {@code -Ddynamodb.diff.randomSequences=N}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DifferentialTestBase {
    /** Sequences run with the fixed seed; the acceptance bar is 1,000 in CI. */
    public static final int SEQUENCES = Integer.getInteger("dynamodb.diff.sequences", 1000);
    /** Sequences run with the random seed (exploration on top of the fixed bar; kept smaller for CI time). */
    public static final int RANDOM_SEQUENCES = Integer.getInteger("dynamodb.diff.randomSequences", 200);
    /** The fixed seed CI always runs. */
    public static final long FIXED_SEED = 20_261_124L;
    /** Differences printed in a failure message (all are counted); settable with {@code -Ddynamodb.diff.printed=N}. */
    private static final int PRINTED_DIFFERENCES = Integer.getInteger("dynamodb.diff.printed", 20);

    private DynamoDbLocalServer oracle;
    private DynamoDbEndpoint candidate;

    /** The endpoint compared with DynamoDB Local; started here, stopped by {@link #stopCandidate()}. */
    protected abstract DynamoDbEndpoint candidate() throws Exception;

    /**
     * Whether error message texts must match verbatim (default). A subclass may return false
     * while a candidate's messages are still being aligned; {@code __type}, HTTP status and
     * cancellation reason codes are always compared. Settable with
     * {@code -Ddynamodb.diff.errorMessages=false}.
     */
    protected boolean compareErrorMessages() {
        return !"false".equals(System.getProperty("dynamodb.diff.errorMessages"));
    }

    /** Sequences run with the fixed seed. */
    protected int sequences() {
        return SEQUENCES;
    }

    /** Sequences run with the random seed. */
    protected int randomSequences() {
        return RANDOM_SEQUENCES;
    }

    /** Stops what {@link #candidate()} started. */
    protected abstract void stopCandidate() throws Exception;

    @BeforeAll
    void startServers() throws Exception {
        oracle = DynamoDbLocalServer.startInMemory();
        candidate = candidate();
    }

    @AfterAll
    void stopServers() throws Exception {
        try {
            stopCandidate();
        } finally {
            if (oracle != null) {
                oracle.close();
            }
        }
    }

    @Test
    void fixedSeedSequencesAnswerAlike() throws Exception {
        assertNoDifferences(FIXED_SEED, sequences());
    }

    @Test
    void randomSeedSequencesAnswerAlike() throws Exception {
        String property = System.getProperty("dynamodb.diff.seed");
        long seed = property != null ? Long.parseLong(property) : System.nanoTime();
        System.out.println(getClass().getSimpleName() + ": random seed " + seed
                + " (rerun with -Ddynamodb.diff.seed=" + seed + ")");
        assertNoDifferences(seed, randomSequences());
    }

    private void assertNoDifferences(long seed, int sequences) throws Exception {
        long start = System.nanoTime();
        DifferentialRunner runner = new DifferentialRunner(oracle.endpoint("dynamodb-local"), candidate,
                DifferentialRunner.DEFAULT_THREADS, compareErrorMessages());
        List<Difference> diffs = runner.run(seed, sequences);
        System.out.printf("%s: seed %d, %d sequences, %d ops in %d ms, %d differences%n%s", getClass().getSimpleName(),
                seed, sequences, runner.stats().ops(), (System.nanoTime() - start) / 1_000_000, diffs.size(),
                runner.stats().summary());
        StringBuilder sb = new StringBuilder();
        diffs.stream().limit(PRINTED_DIFFERENCES).forEach(d -> sb.append(d).append("\n\n"));
        assertThat(diffs).as("%d differences with seed %d (rerun with -Ddynamodb.diff.seed=%d):%n%s",
                diffs.size(), seed, seed, sb).isEmpty();
    }
}
