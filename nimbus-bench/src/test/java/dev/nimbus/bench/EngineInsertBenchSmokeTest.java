package dev.nimbus.bench;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the engine insert benchmark briefly: it must produce figures for every side. No timing is asserted. */
class EngineInsertBenchSmokeTest {
    @Test
    void producesPositiveFiguresForEverySide() throws Exception {
        EngineInsertBench.Result r = EngineInsertBench.run(Duration.ofMillis(300), 1, 8);
        assertThat(r.engine()).isPositive();
        assertThat(r.perWrite()).isPositive();
        assertThat(r.batchedJdbc()).isPositive();
        assertThat(r.markdown()).contains("engine / (a)");
    }
}
