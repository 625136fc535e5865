package dev.nimbus.storage.postgres;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The PostgreSQL server the tests run against ({@code jdbc:postgresql://127.0.0.1:5432/postgres},
 * user {@code postgres}; override with NIMBUS_TEST_POSTGRES_URL / _USER / _PASSWORD), and
 * schema names unique to one test class run, so concurrent runs never see each other's data.
 */
final class PostgresTestServer {
    private PostgresTestServer() {
    }

    static final String URL = env("NIMBUS_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    static final String USER = env("NIMBUS_TEST_POSTGRES_USER", "postgres");
    static final String PASSWORD = env("NIMBUS_TEST_POSTGRES_PASSWORD", null);

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /**
     * Disables a test class, with the reason, when the server cannot be reached, unless
     * {@code CI=true}: then the class runs and {@link #requireServer()} fails it. (A condition
     * rather than only an assumption so that build output reports the classes as skipped.)
     */
    static final class Required implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String problem = unreachableReason();
            if (problem == null || "true".equals(System.getenv("CI"))) {
                return ConditionEvaluationResult.enabled("PostgreSQL server reachable, or CI=true");
            }
            return ConditionEvaluationResult.disabled(problem + "; skipping the Postgres provider tests"
                    + " (with CI=true this fails instead)");
        }
    }

    private static volatile String unreachable;
    private static volatile boolean probed;

    /** Why the server cannot be reached, or null when it can; probed once per JVM. */
    static String unreachableReason() {
        if (!probed) {
            try {
                connect().close();
                unreachable = null;
            } catch (SQLException e) {
                unreachable = "no PostgreSQL server reachable at " + URL + " as " + USER + " (" + e.getMessage() + ")";
            }
            probed = true;
        }
        return unreachable;
    }

    /**
     * Skips the calling test class when the server cannot be reached; with {@code CI=true} that is a
     * failure instead, so a CI job without its database cannot pass by skipping.
     */
    static void requireServer() {
        String reason = unreachableReason();
        if (reason != null) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail("CI=true and " + reason + ": the Postgres provider tests need a running server");
            }
            Assumptions.abort(reason + "; skipping the Postgres provider tests (with CI=true this fails)");
        }
    }

    static Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        if (PASSWORD != null) {
            props.setProperty("password", PASSWORD);
        }
        props.setProperty("connectTimeout", "3");
        Connection c = DriverManager.getConnection(URL, props);
        c.setAutoCommit(true);
        return c;
    }

    /** Options with a metadata schema and tenant prefix no other run uses. */
    static PostgresOptions uniqueOptions() {
        byte[] random = new byte[5];
        ThreadLocalRandom.current().nextBytes(random);
        String tag = HexFormat.of().formatHex(random);
        return PostgresOptions.of(URL, USER, PASSWORD)
                .withMetadataSchema("nimbus_provider_test_" + tag)
                .withTenantSchemaPrefix("nt" + tag + "_");
    }

    /** Drops the metadata schema and every tenant schema of {@code options}: what a run created. */
    static void dropEverything(PostgresOptions options) {
        try (Connection c = connect()) {
            List<String> schemas = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT nspname FROM pg_namespace WHERE nspname = ? OR left(nspname, ?) = ?")) {
                ps.setString(1, options.metadataSchema());
                ps.setInt(2, options.tenantSchemaPrefix().length());
                ps.setString(3, options.tenantSchemaPrefix());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        schemas.add(rs.getString(1));
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                for (String schema : schemas) {
                    s.execute("DROP SCHEMA IF EXISTS " + SchemaNames.quote(schema) + " CASCADE");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not clean up test schemas: " + e.getMessage(), e);
        }
    }

    /** Names of the schemas starting with {@code prefix}, in byte order. */
    static List<String> schemasStartingWith(String prefix) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT nspname FROM pg_namespace WHERE left(nspname, ?) = ? ORDER BY nspname COLLATE \"C\"")) {
            ps.setInt(1, prefix.length());
            ps.setString(2, prefix);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
