package dev.nimbus.engine;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Document;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.commit.CommitOutcome;
import dev.nimbus.storage.JournalRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MutationPathTest extends EngineFixture {

    private static void assertCode(Runnable r, ErrorCode code) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(NimbusException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    @Test
    void insertPatchReplaceDeleteRoundTrip() {
        CommitOutcome ins = engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("name", "Ada", "age", 36)));
        DocumentId id = ins.ids().get(0);
        Document d = engine.get(tenant, ADMIN, T, id).orElseThrow();
        assertThat(d.fields()).isEqualTo(obj("name", "Ada", "age", 36));
        assertThat(d.updateTimeMicros()).isEqualTo(d.creationTimeMicros());

        engine.mutate(tenant, ADMIN, new Mutation.Patch(T, id, obj("age", 37, "city", "London"), Set.of("name")));
        Document patched = engine.get(tenant, ADMIN, T, id).orElseThrow();
        assertThat(patched.fields()).isEqualTo(obj("age", 37, "city", "London"));
        assertThat(patched.creationTimeMicros()).isEqualTo(d.creationTimeMicros());
        assertThat(patched.updateTimeMicros()).isGreaterThan(d.updateTimeMicros());

        engine.mutate(tenant, ADMIN, new Mutation.Replace(T, id, obj("only", true)));
        assertThat(engine.get(tenant, ADMIN, T, id).orElseThrow().fields()).isEqualTo(obj("only", true));

        engine.mutate(tenant, ADMIN, new Mutation.Delete(T, id));
        assertThat(engine.get(tenant, ADMIN, T, id)).isEmpty();
        assertThat(engine.tables(tenant)).containsExactly(T);
    }

    @Test
    void everyMutationIsJournaledInOrderWithItsWrites() {
        DocumentId id = engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("v", 1))).ids().get(0);
        engine.mutate(tenant, ADMIN, new Mutation.Patch(T, id, obj("v", 2), Set.of()));
        engine.mutate(tenant, ADMIN, new Mutation.Delete(T, id));
        List<JournalRecord> journal = engine.journal(tenant, 0, 10);
        assertThat(journal).extracting(JournalRecord::sequence).containsExactly(1L, 2L, 3L);
        assertThat(journal).extracting(r -> r.writes().get(0).op())
                .containsExactly(JournalRecord.Op.INSERT, JournalRecord.Op.UPDATE, JournalRecord.Op.DELETE);
        assertThat(engine.appliedSequence(tenant)).isEqualTo(3);
        assertThat(engine.verify(tenant).ok()).isTrue();
    }

    @Test
    void refusalsUseTheRightCodesAndLeaveNothingBehind() {
        DocumentId missing = DocumentId.parse("01jx2x9w7d2f0v6q8t3k5r9e1b");
        assertCode(() -> engine.mutate(tenant, ADMIN, new Mutation.Patch(T, missing, obj("a", 1), Set.of())),
                ErrorCode.DOCUMENT_NOT_FOUND);
        assertCode(() -> engine.mutate(tenant, ADMIN, new Mutation.Delete(T, missing)), ErrorCode.DOCUMENT_NOT_FOUND);
        DocumentId chosen = DocumentId.derivedFrom(Value.of("alice"));
        engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.of(chosen), obj("a", 1)));
        assertCode(() -> engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.of(chosen), obj("a", 2))),
                ErrorCode.ALREADY_EXISTS);
        assertCode(() -> engine.mutate(tenant, ADMIN, new Mutation.Insert(TableName.system("_x"), Optional.empty(), obj())),
                ErrorCode.FORBIDDEN);
        // An atomic unit whose second mutation fails applies nothing.
        assertCode(() -> engine.commit(tenant, ADMIN, List.of(
                new Mutation.Insert(T, Optional.empty(), obj("unit", 1)),
                new Mutation.Delete(T, missing))), ErrorCode.DOCUMENT_NOT_FOUND);
        assertThat(engine.query(tenant, ADMIN, Query.all(T))).hasSize(1);
        assertThat(engine.journal(tenant, 0, 100)).hasSize(1);
        assertThat(engine.verify(tenant).ok()).isTrue();
    }

    @Test
    void concurrentCallersShareGroupCommitsAndAllSucceed() {
        List<CompletableFuture<CommitOutcome>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            futures.add(engine.submit(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("i", i))));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        List<Long> sequences = futures.stream().map(f -> f.join().sequence()).sorted().toList();
        assertThat(sequences).doesNotHaveDuplicates().hasSize(500);
        assertThat(sequences.get(499)).isEqualTo(500);
        assertThat(engine.query(tenant, ADMIN, Query.all(T))).hasSize(500);
    }

    @Test
    void acknowledgedWritesSurviveARestart() {
        List<DocumentId> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("i", i))).ids().get(0));
        }
        restart();
        for (DocumentId id : ids) {
            assertThat(engine.get(tenant, ADMIN, T, id)).isPresent();
        }
        assertThat(engine.appliedSequence(tenant)).isEqualTo(20);
        engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("after", true)));
        assertThat(engine.appliedSequence(tenant)).isEqualTo(21);
    }

    @Test
    void anOversizedDocumentFailsAloneWithoutSpoilingItsBatch() {
        String huge = "x".repeat(dev.nimbus.storage.StorageLimits.DOCUMENT_BYTES_MAX);
        List<CompletableFuture<CommitOutcome>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Value.Obj fields = i == 25 ? obj("blob", huge) : obj("i", i);
            futures.add(engine.submit(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), fields)));
        }
        int failed = 0;
        for (CompletableFuture<CommitOutcome> f : futures) {
            try {
                f.join();
            } catch (java.util.concurrent.CompletionException e) {
                assertThat(((NimbusException) e.getCause()).code()).isEqualTo(ErrorCode.INVALID_INPUT);
                failed++;
            }
        }
        assertThat(failed).isEqualTo(1);
        assertThat(engine.query(tenant, ADMIN, Query.all(T))).hasSize(49);
    }

    @Test
    void theLastAppliedWriteOfATableIsKnownAtOnceAndOnlyItsOwnWritesMoveIt() {
        dev.nimbus.core.model.TableName other = dev.nimbus.core.model.TableName.of("other");
        Engine.TableWriteMark start = engine.lastAppliedWrite(tenant, T);
        assertThat(start.sequence()).isLessThanOrEqualTo(engine.appliedSequence(tenant));

        CommitOutcome first = engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), obj("n", 1)));
        Engine.TableWriteMark afterFirst = engine.lastAppliedWrite(tenant, T);
        assertThat(afterFirst.sequence()).isEqualTo(first.sequence());
        assertThat(afterFirst.incarnation()).isEqualTo(start.incarnation());

        engine.mutate(tenant, ADMIN, new Mutation.Insert(other, Optional.empty(), obj("n", 2)));
        assertThat(engine.lastAppliedWrite(tenant, T)).isEqualTo(afterFirst);
        assertThat(engine.lastAppliedWrite(tenant, other).sequence()).isGreaterThan(first.sequence());

        engine.dropTenant(tenant);
        engine.createTenant(tenant);
        assertThat(engine.lastAppliedWrite(tenant, T).incarnation()).isNotEqualTo(start.incarnation());
    }
}
