package dev.nimbus.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The closed-loop load the benches share: {@code callers} platform threads, each with its own
 * state, each running one operation after another (waiting for each) until the deadline or
 * the operation bound; and the medians and lists their reports print.
 */
public final class LoadLoop {
    /** Every loop stops after this many operations in all, whatever the duration. */
    public static final long MAX_OPERATIONS = 5_000_000;

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
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < callers; i++) {
            S mine = state.get();
            threads.add(Thread.ofPlatform().start(() -> {
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
