package dev.nimbus.cli;

import dev.nimbus.server.ServerConfig;
import dev.nimbus.server.auth.AdminToken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code nimbus start}: the server on the embedded SQLite default, loopback unless told otherwise. */
@Command(name = "start", mixinStandardHelpOptions = true, description = "Start the server.")
final class StartCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--allow-network", description = "Allow a non-loopback --host (needs a rotated token).")
    boolean allowNetwork;

    @Option(names = "--tls-cert", description = "PEM certificate chain: serve HTTPS/WSS (with --tls-key).")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM private key (PKCS#8) for --tls-cert.")
    Path tlsKey;

    @Option(names = "--cors-allow-origin", description = "An extra exact browser origin to allow (repeatable;"
            + " env NIMBUS_CORS_ALLOW_ORIGINS, comma-separated).")
    java.util.List<String> corsAllowOrigins;

    @Option(names = "--config", description = "JSON config file (default: $NIMBUS_CONFIG).")
    Path config;

    @Option(names = "--data-dir", description = "Data directory (env NIMBUS_DATA_DIR; default ./data).")
    String dataDir;

    @Option(names = "--control-data-dir", description = "Control data directory (default: the data dir).")
    String controlDataDir;

    @Option(names = "--tenant-provider", description = "sqlite (default), postgres or mysql.")
    String tenantProvider;

    @Option(names = "--postgres-url", description = "postgresql://user:pass@host:5432/db (provider postgres).")
    String postgresUrl;

    @Option(names = "--postgres-metadata-schema", description = "Default nimbus_provider.")
    String postgresMetadataSchema;

    @Option(names = "--postgres-tenant-schema-prefix", description = "Default tenant_.")
    String postgresTenantSchemaPrefix;

    @Option(names = "--postgres-min-connections")
    String postgresMinConnections;

    @Option(names = "--postgres-max-connections")
    String postgresMaxConnections;

    @Option(names = "--mysql-url", description = "mysql://user:pass@host:3306 (provider mysql).")
    String mysqlUrl;

    @Option(names = "--mysql-metadata-database", description = "Default nimbus_provider.")
    String mysqlMetadataDatabase;

    @Option(names = "--mysql-tenant-database-prefix", description = "Default tenant_.")
    String mysqlTenantDatabasePrefix;

    @Option(names = "--mysql-min-connections")
    String mysqlMinConnections;

    @Option(names = "--mysql-max-connections")
    String mysqlMaxConnections;

    @Option(names = "--token-file", hidden = true, description = "Admin token file (default: the documented path).")
    Path tokenFile;

    @picocli.CommandLine.Mixin
    DynamoDbOptions dynamodb = new DynamoDbOptions();

    @Override
    public Integer call() throws Exception {
        Path token = tokenFile != null ? tokenFile : AdminToken.defaultPath();
        ServerConfig config = new ServerConfig(host, port, storage(System.getenv()), token,
                ServerConfig.BODY_BYTES_MAX_DEFAULT, allowNetwork).withCorsAllowOrigins(corsOrigins(System.getenv()))
                .withDynamoDb(dynamodb.settings(System.getenv(), port));
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new PersistenceOptions.ConfigException("--tls-cert and --tls-key are given together");
        }
        if (tlsCert != null) {
            config = config.withTls(new ServerConfig.Tls(tlsCert, tlsKey));
        }
        return ServerCommands.serve(config, new dev.nimbus.server.control.ControlSettings(
                controlDataDir(System.getenv()), java.time.Clock.systemUTC()), () -> { });
    }

    /** The control data dir: {@code --control-data-dir}, env or file, else the data dir. */
    Path controlDataDir(java.util.Map<String, String> env) {
        return PersistenceOptions.controlDataDir(givenFlags(), env, configFile(env));
    }

    /** Extra CORS origins: the flags if given, else NIMBUS_CORS_ALLOW_ORIGINS (comma-separated). */
    java.util.List<String> corsOrigins(java.util.Map<String, String> env) {
        if (corsAllowOrigins != null && !corsAllowOrigins.isEmpty()) {
            return corsAllowOrigins;
        }
        String v = env.get("NIMBUS_CORS_ALLOW_ORIGINS");
        if (v == null || v.isBlank()) {
            return java.util.List.of();
        }
        return java.util.Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    /** The storage settings from these flags, the environment and the config file. */
    dev.nimbus.server.StorageSettings storage(java.util.Map<String, String> env) {
        return PersistenceOptions.resolve(givenFlags(), env, configFile(env));
    }

    private java.util.Optional<Path> configFile(java.util.Map<String, String> env) {
        return config != null ? java.util.Optional.of(config)
                : java.util.Optional.ofNullable(env.get("NIMBUS_CONFIG")).filter(s -> !s.isBlank()).map(Path::of);
    }

    private java.util.Map<String, String> givenFlags() {
        java.util.Map<String, String> flags = new java.util.LinkedHashMap<>();
        String[][] given = {
            {"data-dir", dataDir}, {"control-data-dir", controlDataDir}, {"tenant-provider", tenantProvider},
            {"postgres-url", postgresUrl}, {"postgres-metadata-schema", postgresMetadataSchema},
            {"postgres-tenant-schema-prefix", postgresTenantSchemaPrefix},
            {"postgres-min-connections", postgresMinConnections}, {"postgres-max-connections", postgresMaxConnections},
            {"mysql-url", mysqlUrl}, {"mysql-metadata-database", mysqlMetadataDatabase},
            {"mysql-tenant-database-prefix", mysqlTenantDatabasePrefix},
            {"mysql-min-connections", mysqlMinConnections}, {"mysql-max-connections", mysqlMaxConnections}};
        for (String[] g : given) {
            if (g[1] != null) {
                flags.put(g[0], g[1]);
            }
        }
        return flags;
    }

    static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
