package dev.nimbus.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Wall-clock deadlines of running invocations, checked by one sweeper thread every
 * {@link #TICK_NANOS} while any invocation runs (it sleeps while none does). Arming and disarming
 * a deadline is a map insert and remove on the caller's thread: no timer queue to reorder, no
 * thread to wake per call. A deadline fires at most one tick late.
 */
final class Watchdog implements AutoCloseable {
    /** How often running deadlines are checked. */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** One armed deadline; {@link #close} disarms it. */
    final class Deadline implements AutoCloseable {
        private final long atNanos;
        private final Runnable onExpiry;

        private Deadline(long atNanos, Runnable onExpiry) {
            this.atNanos = atNanos;
            this.onExpiry = onExpiry;
        }

        @Override
        public void close() {
            armed.remove(this);
        }
    }

    private final Map<Deadline, Boolean> armed = new ConcurrentHashMap<>();
    private final Thread sweeper;
    private volatile boolean sleeping;
    private volatile boolean closed;

    Watchdog(String threadName) {
        sweeper = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::sweep);
        sweeper.start();
    }

    /** Runs {@code onExpiry} on the sweeper if the deadline is still armed after {@code millis}. */
    Deadline arm(long millis, Runnable onExpiry) {
        Deadline d = new Deadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis), onExpiry);
        armed.put(d, Boolean.TRUE);
        if (sleeping) {
            LockSupport.unpark(sweeper);
        }
        return d;
    }

    private void sweep() {
        while (!closed) {
            if (armed.isEmpty()) {
                sleeping = true;
                if (armed.isEmpty() && !closed) { // re-checked: an arm() may have missed the flag
                    LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
                }
                sleeping = false;
                continue;
            }
            LockSupport.parkNanos(this, TICK_NANOS);
            long now = System.nanoTime();
            for (Deadline d : armed.keySet()) {
                if (now - d.atNanos >= 0 && armed.remove(d) != null) {
                    try {
                        d.onExpiry.run();
                    } catch (RuntimeException ignored) {
                        // the invocation is being stopped anyway
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(sweeper);
    }
}
