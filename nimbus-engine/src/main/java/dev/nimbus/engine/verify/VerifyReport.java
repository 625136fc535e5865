package dev.nimbus.engine.verify;

import java.util.List;

/** What {@code verify} checked and every inconsistency it found (empty when the tenant is sound). */
public record VerifyReport(long documents, long indexEntries, long journalRecords, List<String> problems) {
    public VerifyReport {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
