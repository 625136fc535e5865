package dev.nimbus.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the benchmark with tiny settings to show that it works end to end. It asserts figures
 * exist, never how large they are: timings on a shared build machine mean nothing.
 */
class CommitThroughputBenchSmokeTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void producesFiguresForBothSides(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("report.md");
        CommitThroughputBench.Settings settings = new CommitThroughputBench.Settings(
                Duration.ofMillis(200), Duration.ofMillis(50), 1, 1, List.of(1, 100), 10_000,
                dir.resolve("data"), output, true);

        CommitThroughputBench.Result result = CommitThroughputBench.run(settings);

        assertThat(result.rows()).extracting(CommitThroughputBench.Row::batchSize).containsExactly(1, 100);
        for (CommitThroughputBench.Row row : result.rows()) {
            assertThat(row.provider()).hasSize(1);
            assertThat(row.baseline()).hasSize(1);
            assertThat(row.providerMedian()).isPositive();
            assertThat(row.baselineMedian()).isPositive();
            assertThat(row.ratio()).isPositive();
        }
        assertThat(result.breakdowns()).hasSize(2);
        assertThat(Files.readString(output)).contains("| 1 |", "| 100 |", "provider / baseline");
        try (var left = Files.list(dir.resolve("data"))) {
            assertThat(left).as("the run directory is deleted afterwards").isEmpty();
        }
    }

    @Test
    void parsesArgumentsOverDefaults() {
        CommitThroughputBench.Settings s = CommitThroughputBench.Settings.parse(new String[] {
            "--duration=250ms", "--slice=20ms", "--rounds=2", "--batch-sizes=1, 5", "--max-transactions=7", "--breakdown"});

        assertThat(s.duration()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.slice()).isEqualTo(Duration.ofMillis(20));
        assertThat(s.rounds()).isEqualTo(2);
        assertThat(s.warmupRounds()).isEqualTo(1);
        assertThat(s.batchSizes()).containsExactly(1, 5);
        assertThat(s.maxTransactions()).isEqualTo(7);
        assertThat(s.breakdown()).isTrue();
        assertThat(CommitThroughputBench.Settings.parseDuration("3s")).isEqualTo(Duration.ofSeconds(3));
    }
}
