package io.jqcow.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.qcow2.check.CheckResult;
import java.math.BigDecimal;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

/** The report formats' pieces that qemu-img's C formatting decides. */
class CheckReportFormatTest {

    @Test
    void percentRoundsExactTiesToEvenLikePrintf() {
        // 2/64 clusters: qemu-img printed "3.12%" (printf rounds the exact binary 3.125 to even).
        assertEquals("3.12", CheckReportFormat.percent(2 * 100.0 / 64));
        assertEquals("0.29", CheckReportFormat.percent(3 * 100.0 / 1024));
        assertEquals("66.67", CheckReportFormat.percent(2 * 100.0 / 3));
        assertEquals("100.00", CheckReportFormat.percent(100.0));
    }

    @Property(tries = 300)
    void percentIsWithinHalfAHundredth(@ForAll @DoubleRange(min = 0, max = 100) double v) {
        BigDecimal printed = new BigDecimal(CheckReportFormat.percent(v));
        assertEquals(2, printed.scale());
        assertTrue(printed.subtract(new BigDecimal(v)).abs().compareTo(new BigDecimal("0.005")) <= 0, v + " -> " + printed);
    }

    @Test
    void jsonOmitsZeroCountersButCheckErrors() {
        CheckResult r = new CheckResult(0, 0, 2, 0, 0, 655360, 1024, 3, 0, 0);
        String json = CheckReportFormat.json(r, "x.qcow2", "qcow2");
        assertEquals("{\n    \"image-end-offset\": 655360,\n    \"total-clusters\": 1024,\n    \"check-errors\": 0,\n"
                + "    \"leaks\": 2,\n    \"allocated-clusters\": 3,\n    \"filename\": \"x.qcow2\",\n"
                + "    \"format\": \"qcow2\"\n}\n", json);
    }
}
