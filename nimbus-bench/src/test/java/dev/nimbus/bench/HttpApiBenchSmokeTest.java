package dev.nimbus.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the HTTP side of the native API benchmark briefly with both load generators (one blocked
 * thread per connection, and the event-driven client): every phase must complete with answers
 * of the expected status (the clients throw otherwise). No timing is asserted.
 */
class HttpApiBenchSmokeTest {
    @TempDir
    Path dir;

    @Test
    void bothClientsInsertAndReadThroughARealServer() throws Exception {
        double[] rates = HttpApiBench.httpSide(dir, Duration.ZERO, Duration.ofMillis(300), 4);
        assertThat(rates).hasSize(4);
        for (double r : rates) {
            assertThat(r).isPositive();
        }
    }
}
