package dev.nimbus.bench.dynamodb;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the DynamoDB load benchmark briefly against both DynamoDB Local modes: every cell gets a figure. No timing is asserted. */
class DynamoDbLoadBenchSmokeTest {
    @Test
    void producesFiguresForEveryTargetAndOperation(@TempDir Path dir) throws Exception {
        DynamoDbLoadBench.Settings s = new DynamoDbLoadBench.Settings(Duration.ofMillis(300), Duration.ofMillis(100), 1,
                List.of(2), dir, dir.resolve("report.md"), DynamoDbLoadBench.ClientMode.ASYNC_CRT);
        DynamoDbLoadBench.Result r = DynamoDbLoadBench.run(s, List.of(
                DynamoDbLocalTarget.fileBacked(dir.resolve("file")), DynamoDbLocalTarget.inMemory()));
        for (DynamoDbLoadBench.Operation op : DynamoDbLoadBench.Operation.values()) {
            assertThat(r.get(op, 2, "DynamoDB Local (file)")).as("%s file", op).isPositive();
            assertThat(r.get(op, 2, "DynamoDB Local (memory)")).as("%s memory", op).isPositive();
            // The clients' CPU is a part of the process's, and both were measured.
            assertThat(r.clientCpu(op, 2, "DynamoDB Local (file)")).as("%s client CPU", op).isPositive()
                    .isLessThan(r.processCpu(op, 2, "DynamoDB Local (file)"));
        }
        assertThat(r.errors()).isZero();
        assertThat(r.markdown()).contains("DynamoDB Local (memory) / DynamoDB Local (file)")
                .contains("rest: DynamoDB Local (file) / DynamoDB Local (memory)");
    }

    @Test
    void theBlockingClientsProduceFiguresAndCountTheirCpu(@TempDir Path dir) throws Exception {
        DynamoDbLoadBench.Settings s = new DynamoDbLoadBench.Settings(Duration.ofMillis(300), Duration.ofMillis(100), 1,
                List.of(2), dir, dir.resolve("report.md"), DynamoDbLoadBench.ClientMode.SYNC_APACHE);
        DynamoDbLoadBench.Result r = DynamoDbLoadBench.run(s, List.of(DynamoDbLocalTarget.inMemory()));
        for (DynamoDbLoadBench.Operation op : DynamoDbLoadBench.Operation.values()) {
            assertThat(r.get(op, 2, "DynamoDB Local (memory)")).as("%s", op).isPositive();
            // The caller threads end with their phase; their CPU is still counted, and is part of the process's.
            assertThat(r.clientCpu(op, 2, "DynamoDB Local (memory)")).as("%s client CPU", op).isPositive()
                    .isLessThan(r.processCpu(op, 2, "DynamoDB Local (memory)"));
        }
        assertThat(r.errors()).isZero();
        assertThat(r.markdown()).contains("one platform thread per client");
    }
}
