package dev.nimbus.core.util;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundedMemoTest {
    @Test
    void computesEachArgumentOnceUntilFullThenStartsOver() {
        AtomicInteger calls = new AtomicInteger();
        BoundedMemo<String, Integer> memo = new BoundedMemo<>(2, s -> {
            calls.incrementAndGet();
            return s.length();
        });
        assertThat(memo.get("a")).isEqualTo(1);
        assertThat(memo.get("a")).isEqualTo(1);
        assertThat(memo.get("bb")).isEqualTo(2);
        assertThat(calls).hasValue(2);
        assertThat(memo.get("ccc")).isEqualTo(3); // full: emptied, then holds "ccc"
        assertThat(memo.get("a")).isEqualTo(1);
        assertThat(calls).hasValue(4);
    }

    @Test
    void failuresAreNotRemembered() {
        AtomicInteger calls = new AtomicInteger();
        BoundedMemo<String, Integer> memo = new BoundedMemo<>(4, s -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("first try fails");
            }
            return 7;
        });
        assertThatThrownBy(() -> memo.get("x")).isInstanceOf(IllegalStateException.class);
        assertThat(memo.get("x")).isEqualTo(7);
    }
}
