package dev.nimbus.engine.scheduler;

import dev.nimbus.core.model.Mutation;

import java.util.Optional;

/** A recurring job: run {@code mutation} every {@code intervalSeconds}. */
public record CronJob(String name, long intervalSeconds, Mutation mutation, boolean enabled,
                      Optional<Long> lastRunMillis, long nextRunMillis, long createdAtMillis) {
}
