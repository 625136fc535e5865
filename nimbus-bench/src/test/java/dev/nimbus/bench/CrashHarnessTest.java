package dev.nimbus.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue F3's crash test in CI: 20 cycles of SIGKILL under HTTP write load on a child
 * {@code nimbus start}; every acknowledged write survives and {@code nimbus verify} passes.
 */
class CrashHarnessTest {
    @TempDir
    Path dir;

    @Test
    void acknowledgedWritesSurviveTwentySigkills() throws Exception {
        CrashHarness.Result r = CrashHarness.run(dir, 20, 4, Duration.ofMinutes(4), 20261124);
        System.out.printf("crash test: %d cycles, %d acknowledged, %d present%n", r.cycles(), r.acknowledged(), r.present());
        assertThat(r.cycles()).isEqualTo(20);
        assertThat(r.acknowledged()).isPositive();
        assertThat(r.lost()).as("acknowledged writes missing after the crashes").isEmpty();
        assertThat(r.verifyExitCode()).isZero();
    }
}
