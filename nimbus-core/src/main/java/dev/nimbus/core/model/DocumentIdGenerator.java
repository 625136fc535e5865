package dev.nimbus.core.model;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * Makes generated {@link DocumentId}s. Within one millisecond each id advances the 80-bit
 * random part by a random step of 1..2^32, so ids from one generator strictly increase and the
 * next id cannot be guessed from the last. Randomness comes from a {@link SecureRandom} read in
 * blocks (one system call per few hundred ids). Thread-safe.
 */
public final class DocumentIdGenerator {
    private static final long TIME_MAX = (1L << 48) - 1;
    private static final int POOL_BYTES = 4096;

    private final Clock clock;
    private final SecureRandom random;
    private final byte[] pool = new byte[POOL_BYTES];
    private int poolPosition = POOL_BYTES;
    private long lastMillis = -1;
    // The 80-bit random part: 16 high bits and 64 low bits.
    private long randomHigh;
    private long randomLow;

    public DocumentIdGenerator() {
        this(Clock.systemUTC(), new SecureRandom());
    }

    public DocumentIdGenerator(Clock clock, SecureRandom random) {
        this.clock = clock;
        this.random = random;
    }

    public synchronized DocumentId next() {
        long millis = Math.max(clock.millis(), lastMillis);
        if (millis > TIME_MAX) {
            throw new IllegalStateException("clock beyond the id time range");
        }
        if (millis == lastMillis) {
            long step = 1 + (randomLong() >>> 32);
            long low = randomLow + step;
            long high = randomHigh + (Long.compareUnsigned(low, randomLow) < 0 ? 1 : 0);
            if (high >= (1L << 16)) {
                millis++; // practically unreachable: 2^47 ids within one millisecond
                freshRandom();
            } else {
                randomLow = low;
                randomHigh = high;
            }
        } else {
            freshRandom();
        }
        lastMillis = millis;
        return new DocumentId(format(millis, randomHigh, randomLow));
    }

    /** A fresh random part with its top bit clear, leaving room to advance within the millisecond. */
    private void freshRandom() {
        randomHigh = randomLong() & 0x7FFF;
        randomLow = randomLong();
    }

    private long randomLong() {
        if (poolPosition + 8 > POOL_BYTES) {
            random.nextBytes(pool);
            poolPosition = 0;
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (pool[poolPosition++] & 0xFF);
        }
        return v;
    }

    private static String format(long millis, long high, long low) {
        char[] out = new char[DocumentId.GENERATED_LENGTH];
        for (int i = 9; i >= 0; i--) {
            out[i] = DocumentId.ALPHABET.charAt((int) (millis & 31));
            millis >>>= 5;
        }
        for (int i = 25; i >= 10; i--) {
            out[i] = DocumentId.ALPHABET.charAt((int) (low & 31));
            low = (low >>> 5) | (high << 59);
            high >>>= 5;
        }
        return new String(out);
    }
}
