package io.jqcow.tools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqcow.tools.ToolException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionStringTest {

    @Test
    void splitsPairsOnSingleCommas() throws ToolException {
        assertEquals(Map.of("cluster_size", "64k", "compat", "1.1"), OptionString.parse("cluster_size=64k,compat=1.1"));
    }

    @Test
    void doubledCommaIsALiteralComma() throws ToolException {
        Map<String, String> m = OptionString.parse("backing_file=a,,b.img,lazy_refcounts=on");
        assertEquals("a,b.img", m.get("backing_file"));
        assertEquals("on", m.get("lazy_refcounts"));
        assertEquals("x,", OptionString.parse("k=x,,").get("k"));
    }

    @Test
    void bareKeyMeansOnAndLaterWins() throws ToolException {
        Map<String, String> m = OptionString.parse("preallocation=off,lazy_refcounts,preallocation=full");
        assertEquals("on", m.get("lazy_refcounts"));
        assertEquals("full", m.get("preallocation"));
        assertEquals(List.of("preallocation", "lazy_refcounts"), List.copyOf(m.keySet()));
        assertEquals("", OptionString.parse("a=").get("a"));
    }

    @Test
    void severalOptionsAccumulate() throws ToolException {
        Map<String, String> m = OptionString.parseAll(List.of("a=1,b=2", "b=3"));
        assertEquals(Map.of("a", "1", "b", "3"), m);
    }

    @Test
    void emptyKeyIsRefused() {
        ToolException e = assertThrows(ToolException.class, () -> OptionString.parse("=1"));
        assertEquals("Invalid parameter ''", e.getMessage());
    }
}
