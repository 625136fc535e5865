package dev.nimbus.runtime;

import dev.nimbus.core.value.Value;
import dev.nimbus.core.value.ValueJson;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The shortcuts give exactly what the general JSON path gives, or step aside. */
class PlainJsonStringsTest {
    private static final List<String> SAMPLES = List.of("", "01jx2x9w7d2f0v6q8t3k5r9e1b", "plain text 123",
            "with \"quotes\"", "back\\slash", "tab\tand\nnewline", "caf\u00e9", "\u65e5\u672c", "emoji \ud83d\ude00",
            "lone \ud800 surrogate", "slash / and ~");

    @Test
    void repliesAreWhatTheGeneralPathWrites() {
        int shortcuts = 0;
        for (String s : SAMPLES) {
            String reply = PlainJsonStrings.okReply(s);
            if (reply != null) {
                shortcuts++;
                assertThat(reply).as(s).isEqualTo("{\"ok\":" + ValueJson.write(Value.of(s)) + "}");
            }
        }
        assertThat(shortcuts).isEqualTo(4);
    }

    @Test
    void parsedStringsAreWhatTheGeneralPathReads() {
        int shortcuts = 0;
        for (String s : SAMPLES) {
            if (s.contains("\ud800")) {
                continue; // a lone surrogate is no string value at all
            }
            String json = ValueJson.write(Value.of(s));
            Value.Str plain = PlainJsonStrings.parse(json);
            if (plain != null) {
                shortcuts++;
                assertThat(plain).as(s).isEqualTo(ValueJson.read(json));
            }
        }
        assertThat(shortcuts).isGreaterThanOrEqualTo(6); // plain ASCII, non-ASCII and CJK need no escapes
        assertThat(PlainJsonStrings.parse("{\"a\":1}")).isNull();
        assertThat(PlainJsonStrings.parse("\"a\\nb\"")).isNull();
        assertThat(PlainJsonStrings.parse("12")).isNull();
        assertThat(PlainJsonStrings.parse("\"")).isNull();
    }
}
