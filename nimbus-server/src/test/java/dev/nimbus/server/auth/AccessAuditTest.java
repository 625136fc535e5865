package dev.nimbus.server.auth;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AccessAuditTest {
    @TempDir
    Path dir;

    @Test
    void eachDecisionIsOneLineOfTheValueEncoding() throws Exception {
        Path file = dir.resolve("logs/access.jsonl");
        try (AccessAudit audit = AccessAudit.open(file)) {
            audit.record("native_api", "acme", "local_admin_bearer", true, null, "authorized");
            audit.record("websocket", null, "none", false, "http://evil.example/\"\\\u0001é😀", "origin_rejected");
            for (int i = 0; i < 500; i++) {
                audit.record("system", "t" + i, "local_admin_header", i % 2 == 0, null, "invalid_or_missing_token");
            }
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(502);
        Value.Obj first = (Value.Obj) ValueJson.read(lines.get(0));
        Instant ts = Instant.parse(((Value.Str) first.get("ts")).value());
        assertThat(lines.get(0)).isEqualTo(expected(ts, "native_api", "acme", "local_admin_bearer", true, null,
                "authorized"));
        Value.Obj second = (Value.Obj) ValueJson.read(lines.get(1));
        assertThat(lines.get(1)).isEqualTo(expected(Instant.parse(((Value.Str) second.get("ts")).value()), "websocket",
                null, "none", false, "http://evil.example/\"\\\u0001é😀", "origin_rejected"));
        assertThat(lines.get(501)).contains("\"tenantId\":\"t499\"");
        assertThat(AccessAudit.encode(ts, "debug", null, "none", false, null, "x"))
                .isEqualTo(expected(ts, "debug", null, "none", false, null, "x"));
    }

    /** The line as the value encoder writes the object of these fields. */
    private static String expected(Instant ts, String family, String tenant, String method, boolean ok, String origin,
                                   String reason) {
        Map<String, Value> line = new LinkedHashMap<>();
        line.put("ts", Value.of(ts.toString()));
        line.put("routeFamily", Value.of(family));
        line.put("tenantId", tenant == null ? Value.nullValue() : Value.of(tenant));
        line.put("authScope", Value.of("local_admin"));
        line.put("authMethod", Value.of(method));
        line.put("success", Value.of(ok));
        line.put("origin", origin == null ? Value.nullValue() : Value.of(origin));
        line.put("reason", Value.of(reason));
        return ValueJson.write(new Value.Obj(line));
    }
}
