package dev.nimbus.core.schema;

import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaJsonTest {

    @Test
    void readsNimbusFormatAndWritesItBack() {
        String json = """
                {"table": "players",
                 "fields": [{"name": "name", "field_type": "string", "required": true},
                            {"name": "rank", "field_type": "number"}],
                 "indexes": [{"name": "by_state_rank", "fields": ["state", "rank"]}],
                 "policy": {"read": "true", "write": "principal.kind == 'ADMIN'"}}
                """;
        TableSchema s = SchemaJson.read(json);
        assertThat(s.fields()).hasSize(2);
        assertThat(s.fields().get(0).required()).isTrue();
        assertThat(s.indexes().get(0).state()).isEqualTo(TableSchema.IndexState.ENABLED);
        assertThat(s.indexes().get(0).fields()).hasSize(2);
        assertThat(SchemaJson.read(SchemaJson.write(s))).isEqualTo(s);
    }

    @Test
    void rejectsBadSchemas() {
        for (String bad : new String[] {
                "{\"table\": \"t\", \"fields\": [{\"name\": \"a\", \"field_type\": \"int\"}]}",
                "{\"table\": \"t\", \"indexes\": [{\"name\": \"by_id\", \"fields\": [\"a\"]}]}",
                "{\"table\": \"t\", \"indexes\": [{\"name\": \"i\", \"fields\": []}]}",
                "{\"fields\": []}",
                "[]"}) {
            assertThatThrownBy(() -> SchemaJson.read(bad)).as(bad)
                    .isInstanceOfSatisfying(NimbusException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INPUT));
        }
    }
}
