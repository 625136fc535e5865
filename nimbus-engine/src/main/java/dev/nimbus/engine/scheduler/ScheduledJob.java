package dev.nimbus.engine.scheduler;

import dev.nimbus.core.model.Mutation;

import java.util.Optional;

/**
 * A one-off job: run {@code mutation} at or after {@code runAtMillis}.
 *
 * @param state   pending, completed or failed
 * @param error   why it failed, for failed jobs
 */
public record ScheduledJob(String id, long runAtMillis, Mutation mutation, long createdAtMillis, String state,
                           Optional<Long> finishedAtMillis, Optional<String> error) {
}
