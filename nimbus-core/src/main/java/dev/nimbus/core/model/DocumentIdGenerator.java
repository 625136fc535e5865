package dev.nimbus.core.model;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * Makes generated {@link DocumentId}s. Within one millisecond each id advances the 80-bit
 * random part by a random step of 1..2^32, so ids from one generator strictly increase and the
 * next id cannot be guessed from the last. Thread-safe.
 */
public final class DocumentIdGenerator {
    private static final BigInteger RANDOM_LIMIT = BigInteger.ONE.shiftLeft(80);
    private static final long TIME_MAX = (1L << 48) - 1;

    private final Clock clock;
    private final SecureRandom random;
    private long lastMillis = -1;
    private BigInteger lastRandom = BigInteger.ZERO;

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
        BigInteger r;
        if (millis == lastMillis) {
            r = lastRandom.add(BigInteger.valueOf(1 + (random.nextLong() >>> 32)));
            if (r.compareTo(RANDOM_LIMIT) >= 0) {
                millis++; // practically unreachable: 2^47 ids within one millisecond
                r = new BigInteger(79, random);
            }
        } else {
            r = new BigInteger(79, random); // top bit clear leaves room to advance
        }
        lastMillis = millis;
        lastRandom = r;
        return new DocumentId(format(millis, r));
    }

    private static String format(long millis, BigInteger r) {
        char[] out = new char[DocumentId.GENERATED_LENGTH];
        for (int i = 9; i >= 0; i--) {
            out[i] = DocumentId.ALPHABET.charAt((int) (millis & 31));
            millis >>>= 5;
        }
        long low = r.longValue();
        long high = r.shiftRight(64).longValue();
        for (int i = 25; i >= 10; i--) {
            out[i] = DocumentId.ALPHABET.charAt((int) (low & 31));
            low = (low >>> 5) | (high << 59);
            high >>>= 5;
        }
        return new String(out);
    }
}
