package dev.nimbus.engine.commit;

import dev.nimbus.core.model.Principal;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A unit the tenant's writer commits all-or-nothing: operations, on whose behalf, and for a
 * transaction the snapshot it read at and what it read (validated at commit).
 *
 * @param snapshotSequence the snapshot a transaction read at, or -1 for plain writes
 * @param executionId      a scheduled execution: recorded with the writes, applied at most once
 */
public record CommitRequest(List<Operation> operations, Principal principal, long snapshotSequence,
                            Optional<ReadSet> reads, Optional<String> executionId,
                            CompletableFuture<CommitOutcome> done, long estimatedBytes) {
    public CommitRequest {
        operations = List.copyOf(operations);
    }

    public static CommitRequest of(List<Operation> operations, Principal principal) {
        return new CommitRequest(operations, principal, -1, Optional.empty(), Optional.empty(),
                new CompletableFuture<>(), estimate(operations));
    }

    static long estimate(List<Operation> operations) {
        return 256L * operations.size();
    }
}
