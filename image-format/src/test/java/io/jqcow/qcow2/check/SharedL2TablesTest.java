package io.jqcow.qcow2.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SharedL2TablesTest {
    private static final long T1 = 0x50000;
    private static final long T2 = 0x60000;

    @Test
    void pendingReferencesCountLaterSnapshotWalksOnly() {
        // Snapshot A maps T1 twice and T2 once; snapshot B maps T1 once.
        SharedL2Tables s = SharedL2Tables.of(List.of(new long[] {T1, T1 | (1L << 63), T2}, new long[] {T1, 0}), 0xFFFF);
        assertEquals(3, s.pendingReferences(T1, true), "after the active walk, all three snapshot walks remain");
        assertEquals(2, s.pendingReferences(T1, false), "after one snapshot walk, two remain");
        assertEquals(0, s.pendingReferences(T2, false));
        assertFalse(s.skip(T1, false));
        s.markCounted(T1);
        assertTrue(s.skip(T1, false));
        assertFalse(s.skip(T1, true), "the active walk never skips: its statistics count every visit");
        assertEquals(0, s.pendingReferences(T1, true), "references are added once");
    }

    @Test
    void narrowRefcountsNeverShare() {
        SharedL2Tables s = SharedL2Tables.of(List.<long[]>of(new long[] {T1}, new long[] {T1}), 0xFF);
        assertEquals(0, s.pendingReferences(T1, true));
        assertEquals(0, SharedL2Tables.none().pendingReferences(T1, true));
    }
}
