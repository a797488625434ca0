package io.jqcow.tools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqcow.tools.cli.SizeParser.Failure;
import io.jqcow.tools.cli.SizeParser.SizeFormatException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Accepted and refused forms, as observed with qemu-img create and qemu-io 7.2. */
class SizeParserTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1.5M|1572864", "1b|1", "1B|1", "1k|1024", "1K|1024", "512|512", "0x200|512", "0X10|16",
        "1.0000001k|1024", "1.9999999k|2048", "1.0005k|1025", "1.0004k|1024", "' 1k'|1024", "+1k|1024",
        "1.k|1024", "00010|10", "7E|8070450532247928832", "1T|1099511627776", "1g|1073741824", "1m|1048576",
        "1P|1125899906842624", "0|0", "1.5k|1536"})
    void accepts(String text, long expected) throws SizeFormatException {
        assertEquals(expected, SizeParser.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "1x", "1M5", "", "1.5b", "1KiB", "1 k", "1k ", ".5k", "1e3", "0x1.8k", "-1",
        "abc", "0x", "k"})
    void refusesAsInvalid(String text) {
        SizeFormatException e = assertThrows(SizeFormatException.class, () -> SizeParser.parse(text));
        assertEquals(Failure.INVALID, e.failure());
    }

    @ParameterizedTest
    @ValueSource(strings = {"8E", "16E", "9999999999999999999", "0x8000000000000000"})
    void refusesAsTooLarge(String text) {
        SizeFormatException e = assertThrows(SizeFormatException.class, () -> SizeParser.parse(text));
        assertEquals(Failure.TOO_LARGE, e.failure());
    }

    @Test
    void hexWithSuffixWorksButWarns() throws SizeFormatException {
        List<String> warnings = new ArrayList<>();
        assertEquals(1024, SizeParser.parse("0x1k", warnings::add));
        assertEquals(List.of("Using a multiplier suffix on hex numbers is deprecated: 0x1k"), warnings);
        SizeParser.parse("0x10", warnings::add);
        assertEquals(1, warnings.size());
    }

    @Property
    void plainDecimalRoundTrips(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long n) throws Exception {
        assertEquals(n, SizeParser.parse(Long.toString(n)));
        assertEquals(n, SizeParser.parse("0x" + Long.toHexString(n)));
    }

    @Property
    void suffixesMultiplyByPowersOf1024(@ForAll @LongRange(min = 0, max = 1L << 20) long n) throws Exception {
        assertEquals(n << 10, SizeParser.parse(n + "k"));
        assertEquals(n << 20, SizeParser.parse(n + "M"));
        assertEquals(n << 30, SizeParser.parse(n + "g"));
        assertEquals(n << 40, SizeParser.parse(n + "T"));
    }
}
