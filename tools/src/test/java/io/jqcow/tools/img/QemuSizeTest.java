package io.jqcow.tools.img;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** qemu-img's human sizes: three significant digits, unit switch before four integer digits. */
class QemuSizeTest {

    @ParameterizedTest
    @CsvSource({"0,0 B", "999,999 B", "1000,0.977 KiB", "67108864,64 MiB", "405504,396 KiB",
        "524800,512 KiB", "1384448,1.32 MiB", "2359296,2.25 MiB", "1073741824,1 GiB"})
    void knownValues(long bytes, String text) {
        assertEquals(text, QemuSize.human(bytes));
    }

    @Property(tries = 300)
    void numberIsCloseAndBelowAThousand(@ForAll @LongRange(min = 1, max = Long.MAX_VALUE / 2) long bytes) {
        String s = QemuSize.human(bytes);
        String[] parts = s.split(" ");
        double shown = Double.parseDouble(parts[0]);
        int unit = java.util.List.of("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB").indexOf(parts[1]);
        assertTrue(unit >= 0, s);
        assertTrue(shown < 1000 || parts[0].equals("1e+03"), s);
        double value = shown * Math.pow(1024, unit);
        assertTrue(Math.abs(value - bytes) <= bytes * 0.006, s + " for " + bytes);
        assertTrue(!parts[0].contains(".") || !parts[0].endsWith("0"), "no trailing zeros: " + s);
    }
}
