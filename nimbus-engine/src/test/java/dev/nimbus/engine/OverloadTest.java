package dev.nimbus.engine;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.engine.commit.CommitOutcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

class OverloadTest extends EngineFixture {

    @Override
    EngineLimits limits() {
        return EngineLimits.DEFAULTS.withAdmissionQueueMax(16);
    }

    @Test
    void excessWritesAreShedWithOverloadedAndEveryAcknowledgedWriteIsPresent() {
        List<CompletableFuture<CommitOutcome>> futures = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            futures.add(engine.submit(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("i", i))));
        }
        List<DocumentId> acknowledged = new ArrayList<>();
        int shed = 0;
        for (CompletableFuture<CommitOutcome> f : futures) {
            try {
                acknowledged.addAll(f.join().ids());
            } catch (CompletionException e) {
                NimbusException ne = (NimbusException) e.getCause();
                assertThat(ne.code()).isEqualTo(ErrorCode.OVERLOADED);
                assertThat(ne.retryable()).isTrue();
                assertThat(ne.code().httpStatus()).isEqualTo(429);
                shed++;
            }
        }
        assertThat(shed).as("the gate shed some writes").isPositive();
        assertThat(acknowledged).as("the gate admitted some writes").isNotEmpty();
        restart(); // acknowledged means durable
        for (DocumentId id : acknowledged) {
            assertThat(engine.get(tenant, ADMIN, T, id)).as("acknowledged %s", id).isPresent();
        }
        assertThat(engine.appliedSequence(tenant)).isEqualTo(acknowledged.size());
        assertThat(engine.verify(tenant).ok()).isTrue();
    }
}
