package dev.nimbus.engine.commit;

import dev.nimbus.core.model.DocumentId;

import java.util.List;

/**
 * The result of a committed request.
 *
 * @param sequence       journal sequence at which its effects are visible
 * @param ids            the documents its writes touched, in order (inserted ids included)
 * @param alreadyApplied its execution id had already run: nothing was written this time
 */
public record CommitOutcome(long sequence, List<DocumentId> ids, boolean alreadyApplied) {
}
