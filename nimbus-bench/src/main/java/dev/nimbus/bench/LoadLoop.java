package dev.nimbus.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The closed-loop load the benches share: {@code callers} threads, each with its own state,
 * each running one operation after another (waiting for each) until the deadline or the
 * operation bound; and the medians and lists their reports print.
 *
 * <p>Callers are virtual threads by default, because that is what calls the engine in the
 * server: blocking routes (DynamoDB, functions, Mongo) run on {@code NimbusServer}'s
 * virtual-thread executor. {@code -Dbench.caller-threads=platform} (or a bench's
 * {@code --caller-threads=platform}) runs them as platform threads instead: every acknowledged
 * write then wakes its own kernel thread, which on a virtualized machine costs tens of
 * microseconds of CPU per write.
 */
public final class LoadLoop {
    /** Every loop stops after this many operations in all, whatever the duration. */
    public static final long MAX_OPERATIONS = 5_000_000;

    /** The kind of thread each caller runs on. */
    public enum ThreadKind {
        VIRTUAL, PLATFORM;

        Thread.Builder builder() {
            return this == VIRTUAL ? Thread.ofVirtual() : Thread.ofPlatform();
        }

        /** How a report names it. */
        public String label() {
            return this == VIRTUAL ? "virtual threads" : "platform threads";
        }
    }

    /** The callers' thread kind: {@code bench.caller-threads} (virtual or platform; virtual by default). */
    public static ThreadKind threadKind() {
        return ThreadKind.valueOf(System.getProperty("bench.caller-threads", "virtual").toUpperCase(Locale.ROOT));
    }

    /** Applies a bench's {@code --caller-threads=} argument. */
    public static void setThreadKind(String kind) {
        ThreadKind.valueOf(kind.toUpperCase(Locale.ROOT)); // rejects anything else
        System.setProperty("bench.caller-threads", kind.toLowerCase(Locale.ROOT));
    }

    private LoadLoop() {
    }

    /** One operation of a caller, given that caller's own state. */
    @FunctionalInterface
    public interface Operation<S> {
        void run(S state) throws Exception;
    }

    /** Runs the loop; operations per second over all callers. The first failure is rethrown. */
    public static <S> double callers(int callers, Duration duration, Supplier<S> state, Operation<S> operation)
            throws InterruptedException {
        return callers(callers, duration, threadKind(), state, operation);
    }

    /** {@link #callers(int, Duration, Supplier, Operation)} on threads of the given kind. */
    public static <S> double callers(int callers, Duration duration, ThreadKind kind, Supplier<S> state,
                                     Operation<S> operation) throws InterruptedException {
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < callers; i++) {
            S mine = state.get();
            threads.add(kind.builder().start(() -> {
                try {
                    while (System.nanoTime() < deadline && done.get() < MAX_OPERATIONS) {
                        operation.run(mine);
                        done.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        long elapsed = System.nanoTime() - start;
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a caller failed", failures.get(0));
        }
        return done.get() * 1e9 / elapsed;
    }

    public static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** The figures of the rounds, as a report prints them. */
    public static String list(List<Double> xs) {
        return String.join(", ", xs.stream().map(x -> String.format(Locale.ROOT, "%,.0f", x)).toList());
    }
}
