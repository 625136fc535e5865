package dev.nimbus.storage.mysql;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The MySQL / MariaDB server the tests use: 127.0.0.1:3306 as root without a password, unless
 * NIMBUS_TEST_MYSQL_URL / _USER / _PASSWORD say otherwise. Without a server the tests are
 * skipped, except on CI (CI=true), where that is a failure.
 */
final class MysqlTestServer {
    static final String URL = env("NIMBUS_TEST_MYSQL_URL", "jdbc:mysql://127.0.0.1:3306/");
    static final String USER = env("NIMBUS_TEST_MYSQL_USER", "root");
    static final String PASSWORD = env("NIMBUS_TEST_MYSQL_PASSWORD", "");
    private static final long PACKET_FOR_TESTS = 64L * 1024 * 1024;

    private MysqlTestServer() {
    }

    /**
     * Skips (or on CI fails) when the server is unreachable; raises a too-small global
     * max_allowed_packet (MariaDB's default is 16 MiB), which the provider refuses to start with.
     */
    static void require() {
        try (Connection c = connect()) {
            long packet;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT @@GLOBAL.max_allowed_packet")) {
                rs.next();
                packet = rs.getLong(1);
            }
            if (packet < MysqlStorageProvider.MAX_ALLOWED_PACKET_MIN) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET GLOBAL max_allowed_packet = " + PACKET_FOR_TESTS);
                    System.err.println("[MysqlTestServer] raised the server's global max_allowed_packet from "
                            + packet + " to " + PACKET_FOR_TESTS + " bytes (the provider needs at least "
                            + MysqlStorageProvider.MAX_ALLOWED_PACKET_MIN + ")");
                } catch (SQLException e) {
                    Assertions.fail("the MySQL server at " + URL + " has max_allowed_packet=" + packet
                            + " and " + USER + " may not raise it; set max_allowed_packet=64M in its configuration", e);
                }
            }
        } catch (SQLException e) {
            String why = "no MySQL/MariaDB server reachable at " + URL + " as " + USER + ": " + e.getMessage();
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(why + " (CI=true: the MySQL provider tests must run)");
            }
            // Surefire does not report why a whole class was skipped, so say it here too.
            String reason = why + " - skipping the MySQL provider tests (set CI=true to fail instead)";
            System.err.println("[MysqlTestServer] SKIPPED: " + reason);
            Assumptions.abort(reason);
        }
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(URL + (URL.contains("?") ? "&" : "?") + "connectTimeout=2000", USER, PASSWORD);
    }

    static MysqlOptions options(String metadataDatabase, String tenantPrefix) {
        return MysqlOptions.of(URL, USER, PASSWORD).withDatabases(metadataDatabase, tenantPrefix);
    }

    /** 10 random lowercase letters and digits, for names unique to one test class run. */
    static String uniqueSuffix() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /** Databases whose names start with {@code prefix}. */
    static List<String> databases(String prefix) throws SQLException {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA"
                     + " WHERE LEFT(SCHEMA_NAME, ?) = ? ORDER BY SCHEMA_NAME")) {
            ps.setInt(1, prefix.length());
            ps.setString(2, prefix);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    /** Drops the metadata database and every tenant database of one test run; quiet without a server. */
    static void dropAll(String metadataDatabase, String tenantPrefix) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String db : databases(tenantPrefix)) {
                s.execute("DROP DATABASE IF EXISTS " + MysqlNames.quote(db));
            }
            s.execute("DROP DATABASE IF EXISTS " + MysqlNames.quote(metadataDatabase));
        } catch (SQLException e) {
            // no server: nothing was created
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
