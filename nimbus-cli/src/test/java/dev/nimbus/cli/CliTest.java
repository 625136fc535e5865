package dev.nimbus.cli;

import dev.nimbus.core.model.Mutation;
import dev.nimbus.core.model.Principal;
import dev.nimbus.core.model.TableName;
import dev.nimbus.core.model.TenantId;
import dev.nimbus.core.query.FieldPath;
import dev.nimbus.core.schema.TableSchema;
import dev.nimbus.core.value.Value;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import dev.nimbus.server.auth.AdminToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {
    @TempDir
    Path dir;

    @Test
    void verifyPassesOnSoundDataAndFailsOnAMissingIndexEntry() throws Exception {
        Path data = dir.resolve("data");
        TableName t = TableName.of("t");
        TenantId acme = TenantId.of("acme");
        try (NimbusServer server = NimbusServer.start(ServerConfig.defaults(data, dir.resolve("token")).withPort(0))) {
            server.engine().createTenant(acme);
            server.engine().setSchema(acme, Principal.ADMIN, new TableSchema(t, List.of(),
                    List.of(new TableSchema.IndexDefinition("by_a", List.of(FieldPath.of("a")), TableSchema.IndexState.ENABLED)),
                    Optional.empty()));
            for (int i = 0; i < 5; i++) {
                server.engine().mutate(acme, Principal.ADMIN, new Mutation.Insert(t, Optional.empty(),
                        new Value.Obj(Map.of("a", Value.of((long) i)))));
            }
        }
        assertThat(Nimbus.run("verify", "--data-dir", data.toString())).isZero();

        try (var c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("acme.sqlite3"));
             var s = c.createStatement()) {
            s.execute("DELETE FROM nimbus_index_entries WHERE doc_id = (SELECT doc_id FROM nimbus_index_entries LIMIT 1)");
        }
        assertThat(Nimbus.run("verify", "--data-dir", data.toString())).isEqualTo(1);
    }

    @Test
    void tokenRotateBumpsTheGenerationAndSubcommandsAreRequired() {
        Path token = dir.resolve("auth/token");
        assertThat(Nimbus.run("auth", "token", "--token-file", token.toString())).isZero();
        assertThat(AdminToken.loadOrMint(token).generation()).isEqualTo(1);
        assertThat(Nimbus.run("token", "rotate", "--token-file", token.toString())).isZero();
        assertThat(AdminToken.loadOrMint(token).generation()).isEqualTo(2);
        assertThat(AdminToken.loadOrMint(token).rotatedAtLeastOnce()).isTrue();
        assertThat(Nimbus.run(new String[0])).isNotZero();
    }

    @Test
    void devCreatesTheDemoTenant() {
        Path data = dir.resolve("dev");
        assertThat(Nimbus.run("dev", "--once", "--port", "0", "--data-dir", data.toString(),
                "--token-file", dir.resolve("token").toString())).isZero();
        assertThat(data.resolve("demo.sqlite3")).exists();
    }
}
