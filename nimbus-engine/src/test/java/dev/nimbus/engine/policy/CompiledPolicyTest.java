package dev.nimbus.engine.policy;

import dev.nimbus.core.model.Principal;
import dev.nimbus.core.schema.TableSchema.AccessPolicy;
import dev.nimbus.core.value.Value;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompiledPolicyTest {
    private static final Principal ALICE = Principal.user("alice", Value.Obj.EMPTY);
    private static final Principal BOB = Principal.user("bob", Value.Obj.EMPTY);

    private static Value.Obj doc(String owner) {
        return new Value.Obj(Map.of("owner", Value.of(owner), "title", Value.of("hello")));
    }

    private static CompiledPolicy readRule(String rule) {
        return AccessPolicies.compile(new AccessPolicy(Optional.of(rule), Optional.empty()));
    }

    private static CompiledPolicy writeRule(String rule) {
        return AccessPolicies.compile(new AccessPolicy(Optional.empty(), Optional.of(rule)));
    }

    @Test
    void ownerOnlyReadRuleAllowsTheOwner() {
        assertThat(readRule("doc.owner == principal.subject").allowsRead(ALICE, doc("alice"))).isTrue();
    }

    @Test
    void ownerOnlyReadRuleDeniesAnotherUser() {
        assertThat(readRule("doc.owner == principal.subject").allowsRead(BOB, doc("alice"))).isFalse();
    }

    @Test
    void ownerOnlyReadRuleDeniesAnonymous() {
        assertThat(readRule("doc.owner == principal.subject").allowsRead(Principal.ANONYMOUS, doc("alice")))
                .isFalse();
    }

    @Test
    void adminAndSystemBypassRulesWithoutEvaluatingThem() {
        // Evaluating any of these rules would deny; bypassing principals must not evaluate them.
        for (String rule : new String[] {"doc.owner == principal.subject", "false", "doc.missing == 1"}) {
            CompiledPolicy read = readRule(rule);
            CompiledPolicy write = writeRule(rule);
            for (Principal p : List.of(Principal.ADMIN, Principal.SYSTEM)) {
                assertThat(read.allowsRead(p, doc("alice"))).as(rule + " / " + p.kind()).isTrue();
                assertThat(write.allowsWrite(p, doc("alice"), doc("alice"))).as(rule + " / " + p.kind()).isTrue();
            }
        }
    }

    @Test
    void principalKindIsLowercase() {
        Value.Obj d = doc("alice");

        assertThat(readRule("principal.kind == 'user'").allowsRead(ALICE, d)).isTrue();
        assertThat(readRule("principal.kind == 'anonymous'").allowsRead(Principal.ANONYMOUS, d)).isTrue();
        assertThat(readRule("principal.kind == 'anonymous'").allowsRead(ALICE, d)).isFalse();
    }

    @Test
    void writeRuleSeesNullDocOnInsert() {
        CompiledPolicy policy = writeRule("doc == null ? write.owner == principal.subject : doc.owner == principal.subject");

        assertThat(policy.allowsWrite(ALICE, null, doc("alice"))).isTrue();
        assertThat(policy.allowsWrite(ALICE, null, doc("bob"))).isFalse();
    }

    @Test
    void writeRuleSeesNullWriteOnDelete() {
        CompiledPolicy policy = writeRule("write == null ? doc.owner == principal.subject : true");

        assertThat(policy.allowsWrite(ALICE, doc("alice"), null)).isTrue();
        assertThat(policy.allowsWrite(BOB, doc("alice"), null)).isFalse();
    }

    @Test
    void writeRuleSeesBothVersionsOnUpdate() {
        CompiledPolicy policy = writeRule("doc.owner == principal.subject && write.owner == doc.owner");

        assertThat(policy.allowsWrite(ALICE, doc("alice"), doc("alice"))).isTrue();
        assertThat(policy.allowsWrite(ALICE, doc("alice"), doc("bob"))).as("hands the document away").isFalse();
        assertThat(policy.allowsWrite(BOB, doc("alice"), doc("alice"))).isFalse();
    }

    @Test
    void writeRuleCanCheckTheNewContents() {
        CompiledPolicy policy = writeRule("write.title.size() <= 10 && (!has(write.tags) || 'x' in write.tags)");
        Value.Obj shortTitle = new Value.Obj(Map.of("title", Value.of("short")));
        Value.Obj longTitle = new Value.Obj(Map.of("title", Value.of("far too long a title")));
        Value.Obj taggedX = new Value.Obj(Map.of("title", Value.of("t"), "tags", Value.array(Value.of("x"))));
        Value.Obj taggedY = new Value.Obj(Map.of("title", Value.of("t"), "tags", Value.array(Value.of("y"))));

        assertThat(policy.allowsWrite(ALICE, null, shortTitle)).isTrue();
        assertThat(policy.allowsWrite(ALICE, null, longTitle)).isFalse();
        assertThat(policy.allowsWrite(ALICE, null, taggedX)).isTrue();
        assertThat(policy.allowsWrite(ALICE, null, taggedY)).isFalse();
    }

    @Test
    void writeRuleThatDereferencesAbsentVersionDenies() {
        CompiledPolicy policy = writeRule("write.owner == principal.subject");

        assertThat(policy.allowsWrite(ALICE, doc("alice"), null)).isFalse();
    }

    @Test
    void writeWithoutEitherVersionIsACallerBug() {
        assertThatThrownBy(() -> writeRule("true").allowsWrite(ALICE, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void claimsBasedRule() {
        CompiledPolicy policy = readRule("principal.claims.role == 'editor' || 'admins' in principal.claims.groups");
        Principal editor = Principal.user("e", new Value.Obj(Map.of(
                "role", Value.of("editor"), "groups", Value.array())));
        Principal groupAdmin = Principal.user("g", new Value.Obj(Map.of(
                "role", Value.of("viewer"), "groups", Value.array(Value.of("staff"), Value.of("admins")))));
        Principal viewer = Principal.user("v", new Value.Obj(Map.of(
                "role", Value.of("viewer"), "groups", Value.array(Value.of("staff")))));

        assertThat(policy.allowsRead(editor, doc("x"))).isTrue();
        assertThat(policy.allowsRead(groupAdmin, doc("x"))).isTrue();
        assertThat(policy.allowsRead(viewer, doc("x"))).isFalse();
        assertThat(policy.allowsRead(ALICE, doc("x"))).as("no claims at all").isFalse();
    }

    @Test
    void missingKeyDenies() {
        assertThat(readRule("doc.missing == 1").allowsRead(ALICE, doc("alice"))).isFalse();
    }

    @Test
    void typeErrorDenies() {
        assertThat(readRule("doc.owner + 1 == 2").allowsRead(ALICE, doc("alice"))).isFalse();
    }

    @Test
    void divisionByZeroDenies() {
        Value.Obj d = new Value.Obj(Map.of("n", Value.of(0L)));

        assertThat(readRule("10 / doc.n == 1").allowsRead(ALICE, d)).isFalse();
    }

    @Test
    void errorInOneBranchDoesNotDenyWhenAnotherBranchAllows() {
        // CEL's || is commutative over errors: true || error is true.
        assertThat(readRule("doc.missing == 1 || doc.owner == principal.subject").allowsRead(ALICE, doc("alice")))
                .isTrue();
    }

    @Test
    void exceedingTheIterationBudgetDenies() {
        List<Value> many = new ArrayList<>();
        for (long i = 0; i < 200; i++) {
            many.add(Value.of(i));
        }
        Value.Obj d = new Value.Obj(Map.of("list", Value.array(many)));
        CompiledPolicy quadratic = readRule("doc.list.all(x, doc.list.all(y, x >= 0 && y >= 0))");
        CompiledPolicy linear = readRule("doc.list.all(x, x >= 0)");

        assertThat(linear.allowsRead(ALICE, d)).isTrue();
        assertThat(quadratic.allowsRead(ALICE, d)).as("200 x 200 > budget").isFalse();
    }

    @Test
    void concurrentEvaluationsGiveTheSameAnswers() throws Exception {
        CompiledPolicy policy = AccessPolicies.compile(new AccessPolicy(
                Optional.of("doc.owner == principal.subject || principal.claims.role == 'editor'"),
                Optional.of("doc == null ? write.owner == principal.subject : doc.owner == principal.subject")));
        Principal editor = Principal.user("carol", new Value.Obj(Map.of("role", Value.of("editor"))));
        List<Principal> principals = List.of(ALICE, BOB, editor, Principal.ANONYMOUS, Principal.ADMIN);
        List<Value.Obj> docs = List.of(doc("alice"), doc("bob"), doc("carol"));
        List<Boolean> expected = answers(policy, principals, docs);
        assertThat(expected).contains(true, false);

        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<List<Boolean>>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    List<List<Boolean>> rounds = new ArrayList<>();
                    for (int round = 0; round < 200; round++) {
                        rounds.add(answers(policy, principals, docs));
                    }
                    return rounds;
                }));
            }
            start.countDown();
            for (Future<List<List<Boolean>>> f : futures) {
                assertThat(f.get(60, TimeUnit.SECONDS)).allSatisfy(round -> assertThat(round).isEqualTo(expected));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void onlyAPolicyWithAReadRuleRestrictsReads() {
        assertThat(readRule("doc.owner == principal.subject").restrictsReads()).isTrue();
        assertThat(writeRule("doc.owner == principal.subject").restrictsReads()).isFalse();
        assertThat(CompiledPolicy.ALLOW_ALL.restrictsReads()).isFalse();
    }

    private static List<Boolean> answers(CompiledPolicy policy, List<Principal> principals, List<Value.Obj> docs) {
        List<Boolean> out = new ArrayList<>();
        for (Principal p : principals) {
            for (Value.Obj d : docs) {
                out.add(policy.allowsRead(p, d));
                out.add(policy.allowsWrite(p, null, d));
                out.add(policy.allowsWrite(p, d, d));
                out.add(policy.allowsWrite(p, d, null));
            }
        }
        return out;
    }
}
