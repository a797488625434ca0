package io.jqcow.tools.img;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** QEMU-style pretty JSON: valid JSON with the same values, members in order, 4-space indents. */
class JsonTextTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Property(tries = 200)
    void parsesBackToTheSameValues(@ForAll String name, @ForAll long number, @ForAll boolean flag,
                                   @ForAll List<String> words) throws Exception {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("flags", words);
        inner.put("n", number);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("flag", flag);
        m.put("list", List.of(inner, List.of()));
        String text = JsonText.pretty(m);
        assertEquals(JSON.readTree(JSON.writeValueAsString(m)), JSON.readTree(text));
        for (String line : text.split("\n")) {
            int lead = line.length() - line.stripLeading().length();
            assertEquals(0, lead % 4, "indent in steps of four: " + line);
        }
    }

    @Test
    void layoutMatchesQemu() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1);
        m.put("b", List.of("x"));
        m.put("c", List.of());
        assertEquals("{\n    \"a\": 1,\n    \"b\": [\n        \"x\"\n    ],\n    \"c\": [\n    ]\n}",
                JsonText.pretty(m));
        assertTrue(JsonText.pretty(Map.of("q", "\"\\\n")).contains("\"\\\"\\\\\\n\""));
    }
}
