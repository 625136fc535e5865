package dev.nimbus.cli;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import dev.nimbus.server.StorageSettings;
import dev.nimbus.storage.mysql.MysqlOptions;
import dev.nimbus.storage.postgres.PostgresOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves the storage settings of {@code nimbus start} from flags, environment and the JSON
 * config file, with Nimbus's rules: precedence flag &gt; env &gt; file; env name =
 * {@code NIMBUS_} + upper-snake of the flag, config key = snake of the flag under
 * {@code persistence}; enum values kebab-case (env also accepts underscores); unknown keys, flags
 * of a provider that is not selected, and missing required settings fail with a clear message.
 */
final class PersistenceOptions {
    /** The flags this resolver knows, without the leading dashes. */
    static final List<String> FLAGS = List.of(
            "data-dir", "control-data-dir", "tenant-provider",
            "postgres-url", "postgres-metadata-schema", "postgres-tenant-schema-prefix",
            "postgres-min-connections", "postgres-max-connections",
            "mysql-url", "mysql-metadata-database", "mysql-tenant-database-prefix",
            "mysql-min-connections", "mysql-max-connections");
    private static final Set<String> TOP_LEVEL_KEYS = Set.of("persistence", "functions");

    private PersistenceOptions() {
    }

    /** A refusal to start, with the message to print. */
    static final class ConfigException extends RuntimeException {
        ConfigException(String message) {
            super(message);
        }
    }

    /**
     * @param flags given flags only (name without dashes → value)
     * @param env   the environment
     * @param file  the config file, if any ({@code --config} or {@code NIMBUS_CONFIG})
     */
    static StorageSettings resolve(Map<String, String> flags, Map<String, String> env, Optional<Path> file) {
        Map<String, String> fromFile = file.map(PersistenceOptions::readFile).orElse(Map.of());
        Map<String, String> merged = new LinkedHashMap<>();
        for (String flag : FLAGS) {
            String v = flags.get(flag);
            if (v == null) {
                v = env.get(envName(flag));
            }
            if (v == null) {
                v = fromFile.get(flag);
            }
            if (v != null) {
                merged.put(flag, v);
            }
        }
        String provider = merged.getOrDefault("tenant-provider", "sqlite").toLowerCase(Locale.ROOT).replace('_', '-');
        for (String flag : merged.keySet()) {
            String owner = flag.startsWith("postgres-") ? "postgres" : flag.startsWith("mysql-") ? "mysql" : null;
            if (owner != null && !owner.equals(provider)) {
                throw new ConfigException("--" + flag + " is only valid with --tenant-provider " + owner
                        + " (the selected provider is " + provider + ")");
            }
        }
        return switch (provider) {
            case "sqlite" -> new StorageSettings.Sqlite(Path.of(merged.getOrDefault("data-dir", "./data")));
            case "postgres" -> {
                PostgresOptions o = PostgresOptions.fromUrl(required(merged, "postgres-url"));
                o = o.withMetadataSchema(merged.getOrDefault("postgres-metadata-schema", "nimbus_provider"))
                        .withTenantSchemaPrefix(merged.getOrDefault("postgres-tenant-schema-prefix", "tenant_"));
                int[] pool = pool(merged, "postgres", o.minConnections(), o.maxConnections());
                yield new StorageSettings.Postgres(o.withConnections(pool[0], pool[1]));
            }
            case "mysql" -> {
                MysqlOptions o = MysqlOptions.forUrl(required(merged, "mysql-url"))
                        .withDatabases(merged.getOrDefault("mysql-metadata-database", "nimbus_provider"),
                                merged.getOrDefault("mysql-tenant-database-prefix", "tenant_"));
                int[] pool = pool(merged, "mysql", o.minConnections(), o.maxConnections());
                yield new StorageSettings.Mysql(o.withConnections(pool[0], pool[1]));
            }
            case "redb", "libsql-replica" -> throw new ConfigException("--tenant-provider " + provider
                    + " is not supported by Nimbus for the JVM; use sqlite, postgres or mysql");
            default -> throw new ConfigException("--tenant-provider must be sqlite, postgres or mysql, not '" + provider + "'");
        };
    }

    /**
     * {@code --control-data-dir} with the same precedence (flag &gt; env &gt; file); when it is not
     * given anywhere, the data dir (resolved the same way), else {@code ./data}.
     */
    static Path controlDataDir(Map<String, String> flags, Map<String, String> env, Optional<Path> file) {
        Map<String, String> fromFile = file.map(PersistenceOptions::readFile).orElse(Map.of());
        for (String flag : List.of("control-data-dir", "data-dir")) {
            String v = flags.get(flag);
            if (v == null) {
                v = env.get(envName(flag));
            }
            if (v == null) {
                v = fromFile.get(flag);
            }
            if (v != null && !v.isBlank()) {
                return Path.of(v);
            }
        }
        return Path.of("./data");
    }

    static String envName(String flag) {
        return "NIMBUS_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static String required(Map<String, String> merged, String flag) {
        String v = merged.get(flag);
        if (v == null || v.isBlank()) {
            throw new ConfigException("--" + flag + " (or " + envName(flag) + ", or persistence."
                    + flag.replace('-', '_') + " in the config file) is required for this provider");
        }
        return v;
    }

    private static int[] pool(Map<String, String> merged, String provider, int defaultMin, int defaultMax) {
        int min = integer(merged, provider + "-min-connections", defaultMin);
        int max = integer(merged, provider + "-max-connections", Math.max(defaultMax, min));
        if (min < 0 || max < 1 || min > max) {
            throw new ConfigException("--" + provider + "-min-connections (" + min + ") must not exceed --"
                    + provider + "-max-connections (" + max + "), which must be at least 1");
        }
        return new int[] {min, max};
    }

    private static int integer(Map<String, String> merged, String flag, int fallback) {
        String v = merged.get(flag);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("--" + flag + " must be an integer, not '" + v + "'");
        }
    }

    /** The {@code persistence} section as flag name → value; unknown keys refuse to start. */
    private static Map<String, String> readFile(Path file) {
        Value v;
        try {
            v = ValueJson.read(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ConfigException("config file " + file + " is not valid JSON: " + e.getMessage());
        }
        if (!(v instanceof Value.Obj top)) {
            throw new ConfigException("config file " + file + " must hold a JSON object");
        }
        for (String key : top.fields().keySet()) {
            if (!TOP_LEVEL_KEYS.contains(key)) {
                throw new ConfigException("unknown key '" + key + "' in config file " + file
                        + "; the top level holds persistence and functions");
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (top.get("persistence") instanceof Value.Obj p) {
            for (Map.Entry<String, Value> e : p.fields().entrySet()) {
                String flag = e.getKey().replace('_', '-');
                if (!FLAGS.contains(flag)) {
                    throw new ConfigException("unknown key 'persistence." + e.getKey() + "' in config file " + file);
                }
                out.put(flag, switch (e.getValue()) {
                    case Value.Str s -> s.value();
                    case Value.Int64 n -> Long.toString(n.value());
                    default -> throw new ConfigException("persistence." + e.getKey() + " must be a string or an integer");
                });
            }
        } else if (top.get("persistence") != null) {
            throw new ConfigException("'persistence' in config file " + file + " must be an object");
        }
        return out;
    }
}
