package io.jqcow.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KernelVersionTest {

    @ParameterizedTest
    @CsvSource({
        "6.18.44-fc-v769, 6, 18, 44",
        "5.4, 5, 4, 0",
        "4.18.0-553.el8_10.x86_64, 4, 18, 0",
        "5.15.0-91-generic, 5, 15, 0",
        "6.1.0+, 6, 1, 0",
        "3.10.0, 3, 10, 0",
    })
    void parsesDistributionStrings(String text, int major, int minor, int patch) throws BlockException {
        KernelVersion v = KernelVersion.parse(text);
        assertEquals(major, v.major());
        assertEquals(minor, v.minor());
        assertEquals(patch, v.patch());
        assertEquals(text, v.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "linux", "6", "6.x", "v6.1.0", "99999999999.1"})
    void rejectsNonVersions(String text) {
        BlockException e = assertThrows(BlockException.class, () -> KernelVersion.parse(text));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void runningKernelParses() throws BlockException {
        KernelVersion v = KernelVersion.running();
        assertTrue(v.major() >= 3, "os.version=" + System.getProperty("os.version"));
    }

    @Test
    void xfsFixIsFrom55AndEvery54CountsAsUnfixed() throws BlockException {
        assertFalse(KernelVersion.parse("5.4.300").hasXfsFallocateAioFix());
        assertFalse(KernelVersion.parse("4.18.0-553.el8").hasXfsFallocateAioFix());
        assertTrue(KernelVersion.parse("5.5").hasXfsFallocateAioFix());
        assertTrue(KernelVersion.parse("5.10.1").hasXfsFallocateAioFix());
        assertTrue(KernelVersion.parse("6.18.44-fc-v769").hasXfsFallocateAioFix());
    }

    @Property
    void orderIsNumericNotTextual(@ForAll @IntRange(max = 30) int a1, @ForAll @IntRange(max = 30) int b1,
                                  @ForAll @IntRange(max = 300) int c1, @ForAll @IntRange(max = 30) int a2,
                                  @ForAll @IntRange(max = 30) int b2, @ForAll @IntRange(max = 300) int c2)
            throws BlockException {
        KernelVersion x = KernelVersion.parse(a1 + "." + b1 + "." + c1 + "-rc");
        KernelVersion y = KernelVersion.parse(a2 + "." + b2 + "." + c2);
        long kx = a1 * 1_000_000L + b1 * 1000L + c1;
        long ky = a2 * 1_000_000L + b2 * 1000L + c2;
        assertEquals(Long.signum(kx - ky), Integer.signum(x.compareTo(y)));
    }
}
