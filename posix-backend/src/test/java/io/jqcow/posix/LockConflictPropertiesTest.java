package io.jqcow.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * For any two permission sets, a second open on its own descriptor fails exactly when one side holds
 * a permission the other refuses to share, and names the first conflicting permission as QEMU does.
 */
class LockConflictPropertiesTest {

    @Property(tries = 200)
    void secondOpenConflictsExactlyWhenPermissionsClash(
            @ForAll @IntRange(min = 0, max = 15) int heldA, @ForAll @IntRange(min = 0, max = 15) int unsharedA,
            @ForAll @IntRange(min = 0, max = 15) int heldB, @ForAll @IntRange(min = 0, max = 15) int unsharedB)
            throws Exception {
        Path f = Files.createTempFile("jqcow-lock", ".img");
        int fdA = Syscalls.open(f.toString(), Syscalls.O_RDWR, 0);
        int fdB = Syscalls.open(f.toString(), Syscalls.O_RDWR, 0);
        try {
            ImageLock.acquire(fdA, f.toString(), new LockRequest(heldA, unsharedA), true);
            String expected = expectedError(heldA, unsharedA, heldB, unsharedB);
            try {
                ImageLock b = ImageLock.acquire(fdB, f.toString(), new LockRequest(heldB, unsharedB), true);
                assertEquals(null, expected, "open should have failed");
                assertEquals(Integer.bitCount(heldB) + Integer.bitCount(unsharedB), b.lockedBytes().size());
            } catch (BlockException e) {
                assertEquals(Errno.EAGAIN, e.errno());
                assertEquals(expected, e.getMessage().lines().findFirst().orElse(""));
                assertTrue(TestSupport.lockedBytes(TestSupport.ofdLocks(f)).size()
                        <= Integer.bitCount(heldA) + Integer.bitCount(unsharedA), "loser left nothing behind");
            }
        } finally {
            Syscalls.closeFd(fdA);
            Syscalls.closeFd(fdB);
            Files.deleteIfExists(f);
        }
    }

    /** The model: held-vs-unshared is checked first, then unshared-vs-held, in permission order. */
    private static String expectedError(int heldA, int unsharedA, int heldB, int unsharedB) {
        for (LockPermission p : LockPermission.values()) {
            if ((heldB & p.bit()) != 0 && (unsharedA & p.bit()) != 0) {
                return "Failed to get \"" + p.qemuName + "\" lock";
            }
        }
        for (LockPermission p : LockPermission.values()) {
            if ((unsharedB & p.bit()) != 0 && (heldA & p.bit()) != 0) {
                return "Failed to get shared \"" + p.qemuName + "\" lock";
            }
        }
        return null;
    }
}
