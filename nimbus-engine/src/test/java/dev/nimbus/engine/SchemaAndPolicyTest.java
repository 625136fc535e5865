package dev.nimbus.engine;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.model.DocumentId;
import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.query.Filter;
import dev.nimbus.core.query.Query;
import dev.nimbus.core.schema.FieldType;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.engine.query.QueryPlan;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaAndPolicyTest extends EngineFixture {

    private static TableSchema schema(List<TableSchema.FieldSpec> fields, List<TableSchema.IndexDefinition> indexes,
                                      Optional<TableSchema.AccessPolicy> policy) {
        return new TableSchema(T, fields, indexes, policy);
    }

    private static TableSchema.IndexDefinition index(String name, String... fields) {
        return new TableSchema.IndexDefinition(name, java.util.Arrays.stream(fields).map(FieldPath::parse).toList(),
                TableSchema.IndexState.ENABLED);
    }

    private void insert(Value.Obj fields) {
        engine.mutate(tenant, ADMIN, new Mutation.Insert(T, Optional.empty(), fields));
    }

    private NimbusException refusal(Runnable r) {
        try {
            r.run();
        } catch (NimbusException e) {
            return e;
        }
        throw new AssertionError("expected a refusal");
    }

    @Test
    void rejectsWriteMissingRequiredFieldOrOfTheWrongType() {
        engine.setSchema(tenant, ADMIN, schema(List.of(
                new TableSchema.FieldSpec("name", FieldType.STRING, true),
                new TableSchema.FieldSpec("age", FieldType.NUMBER, false)), List.of(), Optional.empty()));
        NimbusException missing = refusal(() -> insert(obj("age", 3)));
        assertThat(missing.code()).isEqualTo(ErrorCode.SCHEMA_VALIDATION);
        assertThat(missing.getMessage()).contains("'name'").contains("required");
        assertThat(missing.detail().get("field")).isEqualTo(Value.of("name"));
        NimbusException wrongType = refusal(() -> insert(obj("name", "x", "age", "old")));
        assertThat(wrongType.code()).isEqualTo(ErrorCode.SCHEMA_VALIDATION);
        assertThat(wrongType.getMessage()).contains("'age'").contains("number");
        insert(obj("name", "ok", "age", 3.5, "undeclared", true)); // undeclared fields stay allowed
        assertThat(engine.query(tenant, ADMIN, Query.all(T))).hasSize(1);
    }

    @Test
    void addingASchemaNeverRevokes() {
        insert(obj("legacy", 1));
        DocumentId id = engine.query(tenant, ADMIN, Query.all(T)).get(0).id();
        engine.setSchema(tenant, ADMIN, schema(List.of(new TableSchema.FieldSpec("name", FieldType.STRING, true)),
                List.of(index("by_name", "name")), Optional.empty()));
        assertThat(engine.get(tenant, ADMIN, T, id)).isPresent();
        assertThat(engine.query(tenant, ADMIN, Query.all(T))).hasSize(1);
        // A conforming write to the old document is possible.
        engine.mutate(tenant, ADMIN, new Mutation.Patch(T, id, obj("name", "now valid"), Set.of()));
        assertThat(engine.verify(tenant).ok()).isTrue();
    }

    @Test
    void anIndexAddedToAPopulatedTableServesQueriesAsSoonAsTheCallReturns() {
        for (int i = 0; i < 300; i++) {
            insert(obj("state", i % 3 == 0 ? "CA" : "NY", "rank", i));
        }
        Query q = new Query(T, Filter.and(Filter.eq("state", Value.of("CA")),
                new Filter.Compare(FieldPath.of("rank"), Filter.Op.GTE, Value.of(150L))),
                List.of(new Query.SortKey(FieldPath.of("rank"), Query.Direction.DESC)), OptionalInt.of(5));
        assertThat(engine.explain(tenant, q)).isInstanceOf(QueryPlan.TableScan.class);
        List<?> before = engine.query(tenant, ADMIN, q);
        engine.setSchema(tenant, ADMIN, schema(List.of(), List.of(index("by_state_rank", "state", "rank")), Optional.empty()));
        QueryPlan plan = engine.explain(tenant, q);
        assertThat(plan).isInstanceOfSatisfying(QueryPlan.IndexRange.class, p -> {
            assertThat(p.index()).isEqualTo("by_state_rank");
            assertThat(p.equalityFields()).isEqualTo(1);
            assertThat(p.rangeField()).isTrue();
            assertThat(p.providesOrder()).isTrue();
        });
        assertThat(engine.query(tenant, ADMIN, q)).isEqualTo(before);
        assertThat(engine.query(tenant, ADMIN, q)).extracting(d -> d.fields().get("rank"))
                .containsExactly(Value.of(297L), Value.of(294L), Value.of(291L), Value.of(288L), Value.of(285L));
        assertThat(engine.verify(tenant).ok()).isTrue();
        // Replacing the schema without the index drops its entries in the same transaction.
        engine.setSchema(tenant, ADMIN, schema(List.of(), List.of(), Optional.empty()));
        assertThat(engine.verify(tenant).indexEntries()).isZero();
    }

    @Test
    void accessPoliciesAreEnforcedForEveryNonAdminPrincipal() {
        engine.setSchema(tenant, ADMIN, schema(List.of(), List.of(), Optional.of(new TableSchema.AccessPolicy(
                Optional.of("doc.owner == principal.subject"),
                Optional.of("write != null && write.owner == principal.subject")))));
        Principal alice = Principal.user("alice", Value.Obj.EMPTY);
        Principal bob = Principal.user("bob", Value.Obj.EMPTY);
        DocumentId a = engine.mutate(tenant, alice, new Mutation.Insert(T, Optional.empty(), obj("owner", "alice"))).ids().get(0);
        assertThat(refusal(() -> engine.mutate(tenant, bob, new Mutation.Insert(T, Optional.empty(), obj("owner", "alice"))))
                .code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        engine.mutate(tenant, bob, new Mutation.Insert(T, Optional.empty(), obj("owner", "bob")));
        assertThat(engine.query(tenant, alice, Query.all(T))).hasSize(1);
        assertThat(engine.query(tenant, bob, Query.all(T))).hasSize(1);
        assertThat(engine.query(tenant, ADMIN, Query.all(T))).hasSize(2);
        assertThat(refusal(() -> engine.get(tenant, bob, T, a)).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(refusal(() -> engine.mutate(tenant, bob, new Mutation.Delete(T, a))).code())
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(refusal(() -> engine.setSchema(tenant, alice, schema(List.of(), List.of(), Optional.empty())))
                .code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void invalidPolicyRulesAreRefusedWhenTheSchemaIsSet() {
        assertThatThrownBy(() -> engine.setSchema(tenant, ADMIN, schema(List.of(), List.of(),
                Optional.of(new TableSchema.AccessPolicy(Optional.of("doc.owner =="), Optional.empty())))))
                .isInstanceOfSatisfying(NimbusException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT));
        assertThat(engine.schema(tenant, T)).isEmpty();
    }

    @Test
    void deletingASchemaRemovesItsIndexesAndMissingOnesAreReported() {
        insert(obj("a", 1));
        engine.setSchema(tenant, ADMIN, schema(List.of(), List.of(index("by_a", "a")), Optional.empty()));
        assertThat(engine.verify(tenant).indexEntries()).isEqualTo(1);
        engine.deleteSchema(tenant, ADMIN, T);
        assertThat(engine.schema(tenant, T)).isEmpty();
        assertThat(engine.verify(tenant).indexEntries()).isZero();
        assertThat(refusal(() -> engine.deleteSchema(tenant, ADMIN, T)).code()).isEqualTo(ErrorCode.SCHEMA_NOT_FOUND);
    }
}
