package dev.nimbus.engine.policy;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.schema.TableSchema.AccessPolicy;
import dev.nimbus.core.value.Value;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

class AccessPoliciesTest {
    private static final Principal ALICE = Principal.user("alice", Value.Obj.EMPTY);
    private static final Value.Obj DOC = new Value.Obj(Map.of("owner", Value.of("bob")));

    private static AccessPolicy read(String rule) {
        return new AccessPolicy(Optional.of(rule), Optional.empty());
    }

    private static AccessPolicy write(String rule) {
        return new AccessPolicy(Optional.empty(), Optional.of(rule));
    }

    private static NimbusException rejection(AccessPolicy policy) {
        Throwable thrown = catchThrowable(() -> AccessPolicies.compile(policy));
        assertThat(thrown).isInstanceOf(NimbusException.class);
        return (NimbusException) thrown;
    }

    @Test
    void policyWithoutRulesAllowsEverything() {
        CompiledPolicy policy = AccessPolicies.compile(new AccessPolicy(Optional.empty(), Optional.empty()));

        assertThat(policy.allowsRead(Principal.ANONYMOUS, DOC)).isTrue();
        assertThat(policy.allowsWrite(Principal.ANONYMOUS, null, DOC)).isTrue();
        assertThat(CompiledPolicy.ALLOW_ALL.allowsRead(ALICE, DOC)).isTrue();
        assertThat(CompiledPolicy.ALLOW_ALL.allowsWrite(ALICE, DOC, null)).isTrue();
    }

    @Test
    void absentReadRuleAllowsReadsWhileWriteRuleStillApplies() {
        CompiledPolicy policy = AccessPolicies.compile(write("false"));

        assertThat(policy.allowsRead(ALICE, DOC)).isTrue();
        assertThat(policy.allowsWrite(ALICE, DOC, DOC)).isFalse();
    }

    @Test
    void absentWriteRuleAllowsWritesWhileReadRuleStillApplies() {
        CompiledPolicy policy = AccessPolicies.compile(read("false"));

        assertThat(policy.allowsRead(ALICE, DOC)).isFalse();
        assertThat(policy.allowsWrite(ALICE, DOC, DOC)).isTrue();
    }

    @Test
    void rejectsReadRuleWithSyntaxErrorNamingTheRule() {
        NimbusException e = rejection(read("doc.owner == "));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(e.getMessage()).startsWith("invalid policy.read rule: ").contains("policy.read:1:");
    }

    @Test
    void rejectsWriteRuleWithSyntaxErrorNamingTheRule() {
        NimbusException e = rejection(write("write.title.size( <= 10"));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(e.getMessage()).startsWith("invalid policy.write rule: ");
    }

    @Test
    void rejectsRuleWhoseResultIsNotBool() {
        NimbusException e = rejection(read("1 + 1"));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(e.getMessage()).startsWith("invalid policy.read rule: ").contains("bool").contains("int");
    }

    @Test
    void rejectsStringValuedWriteRule() {
        NimbusException e = rejection(write("'yes'"));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(e.getMessage()).startsWith("invalid policy.write rule: ").contains("string");
    }

    @Test
    void readRuleCannotSeeTheWriteVariable() {
        NimbusException e = rejection(read("write == null"));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(e.getMessage()).startsWith("invalid policy.read rule: ").contains("write");
    }

    @Test
    void rejectsUnknownFunction() {
        assertThatThrownBy(() -> AccessPolicies.compile(read("isOwner(doc)")))
                .asInstanceOf(type(NimbusException.class))
                .extracting(NimbusException::code)
                .isEqualTo(ErrorCode.INVALID_INPUT);
    }

    @Test
    void rejectsRuleLongerThanTheLimit() {
        String rule = "true" + " && true".repeat(AccessPolicies.RULE_CODE_POINTS_MAX / 8);

        NimbusException e = rejection(read(rule));

        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(e.getMessage()).startsWith("invalid policy.read rule: ").contains("limit");
    }

    @Test
    void reportsTheFirstInvalidRuleWhenBothAreGiven() {
        NimbusException e = rejection(new AccessPolicy(Optional.of("true"), Optional.of("write.")));

        assertThat(e.getMessage()).startsWith("invalid policy.write rule: ");
    }

    @Test
    void acceptsRulesFromTheDocumentedExamples() {
        for (String rule : new String[] {
                "doc.owner == principal.subject",
                "principal.claims.role == 'editor'",
                "doc == null || doc.owner == principal.subject",
                "doc.published"}) {
            assertThat(AccessPolicies.compile(read(rule))).as(rule).isNotNull();
        }
        for (String rule : new String[] {
                "write.title.size() <= 10",
                "has(write.tags) && 'x' in write.tags",
                "write == null || doc.owner == write.owner"}) {
            assertThat(AccessPolicies.compile(write(rule))).as(rule).isNotNull();
        }
    }

    @Test
    void dynTypedRuleThatYieldsNonBoolDenies() {
        CompiledPolicy policy = AccessPolicies.compile(read("doc.owner"));

        assertThat(policy.allowsRead(ALICE, DOC)).isFalse();
    }
}
