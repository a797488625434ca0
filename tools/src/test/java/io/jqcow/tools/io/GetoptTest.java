package io.jqcow.tools.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqcow.tools.io.Getopt.Option;
import java.util.List;
import org.junit.jupiter.api.Test;

class GetoptTest {
    private static final String SPEC = "l:pP:qs:v";

    private static Getopt.Parsed parse(String... args) throws Getopt.GetoptException {
        return Getopt.parse("read", List.of(args), SPEC);
    }

    @Test
    void optionsMayFollowOperands() throws Exception {
        Getopt.Parsed p = parse("0", "512", "-q");
        assertEquals(List.of(new Option('q', null)), p.options());
        assertEquals(List.of("0", "512"), p.operands());
    }

    @Test
    void clustersAndGluedValues() throws Exception {
        Getopt.Parsed p = parse("-qvP0xab", "-s", "4", "-l8", "1", "2");
        assertEquals(List.of(new Option('q', null), new Option('v', null), new Option('P', "0xab"),
                new Option('s', "4"), new Option('l', "8")), p.options());
        assertEquals(List.of("1", "2"), p.operands());
    }

    @Test
    void doubleDashEndsOptionsAndDashAloneIsAnOperand() throws Exception {
        Getopt.Parsed p = parse("-q", "--", "-1", "-v");
        assertEquals(List.of(new Option('q', null)), p.options());
        assertEquals(List.of("-1", "-v"), p.operands());
        assertEquals(List.of("-"), parse("-").operands());
    }

    @Test
    void unknownLetterIsReportedLikeGetopt() {
        Getopt.GetoptException e = assertThrows(Getopt.GetoptException.class, () -> parse("0", "-1"));
        assertEquals("read: invalid option -- '1'", e.getMessage());
    }

    @Test
    void missingValueIsReportedLikeGetopt() {
        Getopt.GetoptException e = assertThrows(Getopt.GetoptException.class, () -> parse("0", "1", "-P"));
        assertEquals("read: option requires an argument -- 'P'", e.getMessage());
    }

    @Test
    void patternBytesParseLikeStrtolBaseZero() {
        assertEquals(0xab, PatternByte.parse("0xab"));
        assertEquals(15, PatternByte.parse("017"));
        assertEquals(255, PatternByte.parse("255"));
        assertEquals(0, PatternByte.parse("0"));
        assertEquals(null, PatternByte.parse("256"));
        assertEquals(null, PatternByte.parse("-1"));
        assertEquals(null, PatternByte.parse("zz"));
        assertEquals(null, PatternByte.parse("0x1ff"));
        assertEquals(null, PatternByte.parse("08"));
    }
}
