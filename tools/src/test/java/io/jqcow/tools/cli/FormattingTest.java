package io.jqcow.tools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Number and progress formats, with expectations taken from qemu-io/qemu-img output. */
class FormattingTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1|1 bytes", "1023|1023 bytes", "1024|1 KiB", "1025|1.001 KiB", "1536|1.500 KiB", "4095|3.999 KiB",
        "1088|1.062 KiB", "65536|64 KiB", "1572864|1.500 MiB", "3221225472|3 GiB", "1099511627776|1 TiB",
        "0|0 bytes", "893.719742|893.719742 bytes", "11.655971|11.655971 bytes", "1.5|1.500000 bytes",
        "1152921504606846976|1 EiB", "1125899906842624|1 PiB"})
    void humanSizesMatchQemuIo(double value, String expected) {
        assertEquals(expected, HumanSize.of(value));
    }

    @Test
    void fixedRoundsHalfToEvenOnTheExactValue() {
        assertEquals("1.062", CFormat.fixed(1.0625, 3));
        assertEquals("0.12", CFormat.fixed(0.125, 2));
        assertEquals("0.38", CFormat.fixed(0.375, 2));
        assertEquals("2.50", CFormat.fixed(2.5, 2));
        assertEquals("inf", CFormat.fixed(Double.POSITIVE_INFINITY, 2));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0|00.00 sec", "1234000000|01.23 sec", "59990000000|59.99 sec", "351410000000|05:51.41",
        "21071410000000|5:51:11.41"})
    void elapsedTime(long nanos, String expected) {
        assertEquals(expected, ElapsedTime.of(nanos));
    }

    @Test
    void progressDrawsLikeQemuImg() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressPrinter p = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        p.update(0);
        p.update(0.5);
        p.update(1.25);
        p.update(1.75);
        p.update(42);
        p.update(100);
        p.finish();
        assertEquals("    (0.00/100%)\r    (1.25/100%)\r    (42.00/100%)\r    (100.00/100%)\r"
                + "    (100.00/100%)\r\n", bytes.toString(StandardCharsets.UTF_8));
    }
}
