package dev.nimbus.server.dynamodb.differential;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs generated operation sequences against two DynamoDB-compatible endpoints and returns every
 * op whose canonical answers differ. Sequence {@code i} of a run with seed {@code s} has its own
 * seed derived from both, and its own table-name prefix, so sequences are independent: they run on
 * a few threads, and any one can be replayed alone. Within a sequence each op goes to the left
 * endpoint, then to the right one, before the next op.
 */
public final class DifferentialRunner {
    /** Sequences in flight at once (the machine has 2 cores; the servers do most of the work). */
    public static final int DEFAULT_THREADS = 3;
    /** Upper bound for a whole run. */
    private static final long RUN_TIMEOUT_MINUTES = 20;
    /** Differences kept per run: beyond this, later sequences add nothing useful to a report. */
    private static final int MAX_DIFFERENCES = 200;
    private static final AtomicLong RUNS = new AtomicLong();

    private final DynamoDbEndpoint left;
    private final DynamoDbEndpoint right;
    private final int threads;
    private final boolean compareErrorMessages;
    private final RunStats stats = new RunStats();
    /**
     * Table creations and deletions run one at a time: DynamoDB Local 3.3.1 sometimes answers a
     * CreateTable that runs concurrently with another CreateTable or DeleteTable with a 500
     * InternalFailure (3 of 188 creates with 3 unguarded threads; 0 of 750 with this lock), a
     * difference that would say nothing about the candidate. Item operations stay concurrent.
     */
    private final Lock tableDdl = new ReentrantLock();

    /** A strict runner: error messages are compared verbatim. */
    public DifferentialRunner(DynamoDbEndpoint left, DynamoDbEndpoint right) {
        this(left, right, DEFAULT_THREADS, true);
    }

    /**
     * @param compareErrorMessages false to compare errors on their {@code __type}, HTTP status,
     *                             cancellation reason codes and items only, not on message texts
     */
    public DifferentialRunner(DynamoDbEndpoint left, DynamoDbEndpoint right, int threads, boolean compareErrorMessages) {
        this.left = Objects.requireNonNull(left);
        this.right = Objects.requireNonNull(right);
        this.threads = threads;
        this.compareErrorMessages = compareErrorMessages;
    }

    /** What the runs of this runner exercised so far. */
    public RunStats stats() {
        return stats;
    }

    /** The seed of sequence {@code index} in a run seeded with {@code runSeed}. */
    public static long sequenceSeed(long runSeed, int index) {
        return new SplittableRandom(runSeed ^ (0x9E3779B97F4A7C15L * (index + 1))).nextLong();
    }

    /** Runs {@code sequences} sequences; returns the differences (empty when the endpoints agree). */
    public List<Difference> run(long runSeed, int sequences) throws Exception {
        // Table names must be new on both servers even when a run is repeated against the same ones.
        String runTag = "r" + Long.toString(RUNS.incrementAndGet(), 36) + Long.toString(System.nanoTime() % 46656, 36);
        List<Difference> differences = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (DynamoDbClient l = left.newClient(); DynamoDbClient r = right.newClient()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < sequences; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    if (differences.size() < MAX_DIFFERENCES) {
                        differences.addAll(runSequence(l, r, runSeed, index, runTag + "s" + index + "x"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(RUN_TIMEOUT_MINUTES, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        List<Difference> sorted = new ArrayList<>(differences);
        sorted.sort((a, b) -> a.sequence() != b.sequence() ? Integer.compare(a.sequence(), b.sequence())
                : Integer.compare(a.opIndex(), b.opIndex()));
        return sorted;
    }

    private List<Difference> runSequence(DynamoDbClient l, DynamoDbClient r, long runSeed, int index, String prefix) {
        long seed = sequenceSeed(runSeed, index);
        SequenceGenerator.Sequence seq = SequenceGenerator.generate(seed, prefix);
        List<Difference> out = new ArrayList<>();
        try {
            for (int i = 0; i < seq.ops().size(); i++) {
                Op op = seq.ops().get(i);
                Object a;
                Object b;
                if (op.tableDdl()) {
                    tableDdl.lock();
                }
                try {
                    long t0 = System.nanoTime();
                    a = answer(l, op);
                    b = answer(r, op);
                    stats.record(op.name(), op.request(), a, System.nanoTime() - t0);
                } finally {
                    if (op.tableDdl()) {
                        tableDdl.unlock();
                    }
                }
                if (!Objects.equals(comparable(op, a), comparable(op, b)) && !LocalQuirks.validationOrderOnly(op, a, b)) {
                    out.add(new Difference(runSeed, index, seed, i, op.name(), op.request(),
                            left.name(), Canonical.json(a), right.name(), Canonical.json(b)));
                }
            }
        } finally {
            tableDdl.lock();
            try {
                SequenceGenerator.cleanup(l, seq.tables());
                SequenceGenerator.cleanup(r, seq.tables());
            } finally {
                tableDdl.unlock();
            }
        }
        return out;
    }

    /** The answer as compared: DynamoDB Local's known quirks normalized ({@link LocalQuirks}), messages dropped if asked. */
    private Object comparable(Op op, Object answer) {
        Object normalized = LocalQuirks.normalize(op, answer);
        return compareErrorMessages ? normalized : Canonical.withoutErrorMessages(normalized);
    }

    private static Object answer(DynamoDbClient client, Op op) {
        try {
            return op.call().run(client);
        } catch (RuntimeException e) {
            return Canonical.error(e);
        }
    }
}
