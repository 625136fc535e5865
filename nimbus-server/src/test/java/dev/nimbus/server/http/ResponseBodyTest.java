package dev.nimbus.server.http;

import dev.nimbus.core.value.Value;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpResponse;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ResponseBodyTest {
    @Test
    void bodiesAreTheBytesOfTheirJsonText() {
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("ascii", Value.of("plain"));
        m.put("escapes", Value.of("quote \" backslash \\ slash / tab \t nl \n nul \u0000 del \u007f"));
        m.put("latin", Value.of("é ß ü"));
        m.put("bmp", Value.of("€ \u2028 \u2029 \uffff"));
        m.put("astral 😀", Value.of("😀 𝄞 🇫🇷"));
        m.put("$dollar", Value.of(1L));
        m.put("ints", Value.array(Value.of(0L), Value.of(-1L), Value.of(Long.MAX_VALUE), Value.of(1L << 53)));
        m.put("floats", Value.array(Value.of(0.1), Value.of(-0.0), Value.of(1e300), Value.of(Double.NaN),
                Value.of(Double.NEGATIVE_INFINITY)));
        m.put("tagged", Value.array(Value.of(new BigDecimal("1.50")), Value.of(new byte[] {0, 1, (byte) 255}),
                Value.of(Instant.parse("2024-01-02T03:04:05.123456789Z")), Value.nullValue(), Value.of(true)));
        m.put("nested", new Value.Obj(Map.of("a", new Value.Obj(Map.of("$b", Value.of("c"))))));
        for (Value v : List.<Value>of(new Value.Obj(m), Value.of("😀"), Value.Obj.EMPTY, Value.array())) {
            ApiResponse r = ApiResponse.ok(v);
            ByteBuf b = HttpApiHandler.content(ByteBufAllocator.DEFAULT, r);
            try {
                assertThat(ByteBufUtil.getBytes(b)).isEqualTo(r.json().getBytes(StandardCharsets.UTF_8));
            } finally {
                b.release();
            }
        }
    }

    @Test
    void textAndEmptyBodiesAndTheirHeaders() {
        FullHttpResponse text = HttpApiHandler.response(ByteBufAllocator.DEFAULT, ApiResponse.text("a 1\n"), "req-1",
                true, null, false);
        assertThat(text.content().toString(StandardCharsets.UTF_8)).isEqualTo("a 1\n");
        assertThat(text.headers().get("Content-Type")).startsWith("text/plain");
        assertThat(text.headers().get("Connection")).isEqualTo("keep-alive");
        assertThat(text.headers().get("X-Request-Id")).isEqualTo("req-1");
        text.release();
        FullHttpResponse empty = HttpApiHandler.response(ByteBufAllocator.DEFAULT, ApiResponse.noContent(), "req-2",
                false, "http://127.0.0.1:1", true);
        assertThat(empty.status().code()).isEqualTo(204);
        assertThat(empty.headers().contains("Content-Type")).isFalse();
        assertThat(empty.headers().get("Content-Length")).isEqualTo("0");
        assertThat(empty.headers().get("Connection")).isEqualTo("close");
        assertThat(empty.headers().get("Access-Control-Allow-Origin")).isEqualTo("http://127.0.0.1:1");
        assertThat(empty.headers().get("Vary")).isEqualTo("Origin");
        assertThat(empty.headers().get("Access-Control-Max-Age")).isEqualTo("600");
        empty.release();
    }

    @Test
    void requestIdsAreReqAnd16HexDigits() {
        assertThat(HttpApiHandler.newRequestId()).matches("req-[0-9a-f]{16}");
        assertThat(HttpApiHandler.newRequestId()).isNotEqualTo(HttpApiHandler.newRequestId());
    }

    @Test
    void requestHeadersAreLowerCaseNamesWithTheirFirstValue() {
        var h = new io.netty.handler.codec.http.DefaultHttpHeaders();
        h.add("X-Nimbus-Admin-Token", "one");
        h.add("x-nimbus-admin-token", "two");
        h.add("Content-Type", "application/json");
        RequestHeaders view = new RequestHeaders(h);
        assertThat(view.get("x-nimbus-admin-token")).isEqualTo("one");
        assertThat(view.get("X-Nimbus-Admin-Token")).isNull();
        assertThat(view.get("missing")).isNull();
        assertThat(view).isEqualTo(Map.of("x-nimbus-admin-token", "one", "content-type", "application/json"));
        assertThat(new ApiRequest("GET", "/", Map.of(), Map.of(), new byte[0], "r", view).header("content-type"))
                .isEqualTo("application/json");
    }
}
