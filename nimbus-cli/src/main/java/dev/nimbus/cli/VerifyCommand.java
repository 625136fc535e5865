package dev.nimbus.cli;

import dev.nimbus.core.model.TenantId;
import dev.nimbus.engine.verify.Verifier;
import dev.nimbus.engine.verify.VerifyReport;
import dev.nimbus.storage.Snapshot;
import dev.nimbus.storage.sqlite.SqliteStorageProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code nimbus verify}: offline consistency check of a data dir (the server must be stopped;
 * the data-dir lock says so otherwise). Exit code 1 on any mismatch.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "Verify the data of every tenant (offline).")
final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "Data directory (default: $NIMBUS_DATA_DIR or ./data).")
    Path dataDir;

    @Override
    public Integer call() {
        Path data = dataDir != null ? dataDir : Path.of(StartCommand.envOr("NIMBUS_DATA_DIR", "./data"));
        int bad = 0;
        try (SqliteStorageProvider storage = new SqliteStorageProvider(data)) {
            for (TenantId tenant : storage.list()) {
                VerifyReport report;
                try (Snapshot s = storage.open(tenant).snapshot()) {
                    report = Verifier.verify(s);
                }
                System.out.printf("%s: %d documents, %d index entries, %d journal records: %s%n", tenant,
                        report.documents(), report.indexEntries(), report.journalRecords(),
                        report.ok() ? "ok" : report.problems().size() + " problem(s)");
                report.problems().forEach(p -> System.out.println("  " + p));
                if (!report.ok()) {
                    bad++;
                }
            }
        }
        return bad == 0 ? 0 : 1;
    }
}
