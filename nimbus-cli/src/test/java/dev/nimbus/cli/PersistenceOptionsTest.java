package dev.nimbus.cli;

import dev.nimbus.core.model.TenantId;
import dev.nimbus.server.NimbusServer;
import dev.nimbus.server.ServerConfig;
import dev.nimbus.server.StorageSettings;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PersistenceOptionsTest {
    @TempDir
    Path dir;

    private StorageSettings resolve(Map<String, String> env, String... args) {
        StartCommand start = new StartCommand();
        new CommandLine(start).parseArgs(args);
        return start.storage(env);
    }

    @Test
    void sqliteIsTheDefaultAndTheDataDirComesFromFlagThenEnvThenFile() throws Exception {
        assertThat(resolve(Map.of())).isEqualTo(new StorageSettings.Sqlite(Path.of("./data")));
        Path config = Files.writeString(dir.resolve("nimbus.json"), "{\"persistence\": {\"data_dir\": \"/from/file\"}}");
        assertThat(resolve(Map.of(), "--config", config.toString()))
                .isEqualTo(new StorageSettings.Sqlite(Path.of("/from/file")));
        assertThat(resolve(Map.of("NIMBUS_DATA_DIR", "/from/env"), "--config", config.toString()))
                .isEqualTo(new StorageSettings.Sqlite(Path.of("/from/env")));
        assertThat(resolve(Map.of("NIMBUS_DATA_DIR", "/from/env", "NIMBUS_CONFIG", config.toString()),
                "--data-dir", "/from/flag")).isEqualTo(new StorageSettings.Sqlite(Path.of("/from/flag")));
    }

    @Test
    void providersAreSelectedByFlagEnvOrFile() throws Exception {
        assertThat(resolve(Map.of(), "--tenant-provider", "postgres", "--postgres-url",
                "postgresql://postgres@127.0.0.1:5432/postgres")).isInstanceOf(StorageSettings.Postgres.class);
        assertThat(resolve(Map.of("NIMBUS_TENANT_PROVIDER", "mysql", "NIMBUS_MYSQL_URL", "mysql://root@127.0.0.1:3306")))
                .isInstanceOf(StorageSettings.Mysql.class);
        Path config = Files.writeString(dir.resolve("pg.json"), "{\"persistence\": {\"tenant_provider\": \"postgres\","
                + " \"postgres_url\": \"postgresql://postgres@127.0.0.1:5432/postgres\", \"postgres_max_connections\": 4}}");
        StorageSettings s = resolve(Map.of(), "--config", config.toString());
        assertThat(s).isInstanceOfSatisfying(StorageSettings.Postgres.class,
                p -> assertThat(p.options().maxConnections()).isEqualTo(4));
    }

    @Test
    void badConfigurationsRefuseToStartWithAClearMessage() throws Exception {
        assertThatThrownBy(() -> resolve(Map.of(), "--tenant-provider", "postgres"))
                .hasMessageContaining("--postgres-url");
        assertThatThrownBy(() -> resolve(Map.of(), "--mysql-url", "mysql://root@127.0.0.1"))
                .hasMessageContaining("only valid with --tenant-provider mysql");
        assertThatThrownBy(() -> resolve(Map.of(), "--tenant-provider", "redb"))
                .hasMessageContaining("not supported");
        assertThatThrownBy(() -> resolve(Map.of(), "--tenant-provider", "postgres", "--postgres-url",
                "postgresql://postgres@127.0.0.1/postgres", "--postgres-min-connections", "5",
                "--postgres-max-connections", "2")).hasMessageContaining("must not exceed");
        Path unknownTop = Files.writeString(dir.resolve("a.json"), "{\"persistense\": {}}");
        assertThatThrownBy(() -> resolve(Map.of(), "--config", unknownTop.toString())).hasMessageContaining("unknown key 'persistense'");
        Path unknownKey = Files.writeString(dir.resolve("b.json"), "{\"persistence\": {\"data_dri\": \"x\"}}");
        assertThatThrownBy(() -> resolve(Map.of(), "--config", unknownKey.toString()))
                .hasMessageContaining("persistence.data_dri");
        assertThat(Nimbus.run("start", "--tenant-provider", "postgres", "--port", "0")).isEqualTo(1);
    }

    @Test
    void theServerRunsOnPostgresWhenSelected() throws Exception {
        String url = "postgresql://postgres@127.0.0.1:5432/postgres";
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", null)) {
            c.isValid(1);
        } catch (Exception e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true and no PostgreSQL server on 127.0.0.1:5432", e);
            }
            Assumptions.abort("no PostgreSQL server on 127.0.0.1:5432: " + e.getMessage());
        }
        String tag = Long.toHexString(System.nanoTime());
        StorageSettings settings = resolve(Map.of(), "--tenant-provider", "postgres", "--postgres-url", url,
                "--postgres-metadata-schema", "nimbus_cli_" + tag, "--postgres-tenant-schema-prefix", "cli" + tag + "_");
        // The control data dir would default to ./data: keep this test's registry in its temp dir.
        try (NimbusServer server = NimbusServer.start(new ServerConfig("127.0.0.1", 0, settings,
                dir.resolve("token"), ServerConfig.BODY_BYTES_MAX_DEFAULT, false),
                new dev.nimbus.server.control.ControlSettings(dir.resolve("control"), java.time.Clock.systemUTC()))) {
            server.engine().createTenant(TenantId.of("acme"));
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/api/tenants/acme/documents"))
                    .header("Authorization", "Bearer " + server.token().value())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"table\": \"t\", \"fields\": {\"on\": \"postgres\"}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(201);
        } finally {
            try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", null);
                 var s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS \"nimbus_cli_" + tag + "\" CASCADE");
                s.execute("DROP SCHEMA IF EXISTS \"cli" + tag + "_acme\" CASCADE");
            }
        }
    }

    @Test
    void envNamesFollowTheFlag() {
        assertThat(PersistenceOptions.envName("postgres-tenant-schema-prefix")).isEqualTo("NIMBUS_POSTGRES_TENANT_SCHEMA_PREFIX");
        assertThat(PersistenceOptions.FLAGS).contains("mysql-url", "postgres-url", "data-dir");
    }
}
