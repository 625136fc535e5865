package dev.nimbus.core.util;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Results of a pure function by argument, for arguments that repeat (stored schema texts,
 * expression texts, policy sources). Bounded without bookkeeping: when it holds {@code max}
 * entries it is emptied and refills with what is in use. Thread-safe; two threads may compute
 * the same value once each. Only for functions whose results are immutable and whose failures
 * (exceptions) should not be remembered.
 */
public final class BoundedMemo<K, V> {
    private final int max;
    private final Function<K, V> compute;
    private final ConcurrentHashMap<K, V> values = new ConcurrentHashMap<>();

    public BoundedMemo(int max, Function<K, V> compute) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be positive");
        }
        this.max = max;
        this.compute = compute;
    }

    public V get(K key) {
        V v = values.get(key);
        if (v != null) {
            return v;
        }
        v = compute.apply(key);
        if (values.size() >= max) {
            values.clear();
        }
        values.put(key, v);
        return v;
    }
}
