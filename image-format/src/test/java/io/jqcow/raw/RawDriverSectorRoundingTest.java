package io.jqcow.raw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockStatus;
import io.jqcow.testing.FileImageNode;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** A raw image is a whole number of sectors, like QEMU's device; the file itself keeps its size. */
class RawDriverSectorRoundingTest {

    @Property(tries = 40)
    void lengthIsFileSizeRoundedUpToSectors(@ForAll @IntRange(min = 0, max = 200_000) int fileSize)
            throws Exception {
        Path f = Files.createTempFile("raw", ".img");
        try {
            Files.write(f, new byte[fileSize]);
            FileImageNode file = new FileImageNode(f, true);
            RawDriver raw = new RawDriver(file, 0, -1, false);
            long len = raw.length();
            assertEquals(0, len % 512, "whole sectors");
            assertTrue(len >= fileSize && len - fileSize < 512, "smallest sector multiple: " + len);
            assertEquals(fileSize, file.length(), "file node keeps its exact size");
            if (len > fileSize) {
                BlockStatus tail = raw.blockStatus(fileSize, len - fileSize);
                assertTrue(tail.zero() && tail.allocated(), "tail reads as zero: " + tail);
                assertFalse(tail.data());
                assertEquals(len - fileSize, tail.length());
                assertEquals(fileSize, tail.hostOffset());
            }
            if (fileSize > 0) {
                BlockStatus head = raw.blockStatus(0, len);
                assertTrue(head.length() <= fileSize, "file status stops at the file end: " + head);
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Property(tries = 10)
    void explicitWindowSizeIsKept(@ForAll @IntRange(min = 1, max = 1000) int size) throws Exception {
        Path f = Files.createTempFile("raw", ".img");
        try {
            Files.write(f, new byte[2000]);
            RawDriver raw = new RawDriver(new FileImageNode(f, true), 0, size, false);
            assertEquals(size, raw.length());
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
