package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Unaligned reads and writes against a strict MemoryDriver, compared with a plain byte array. */
class PaddingTest {
    private final RequestThreads threads = new RequestThreads("padding-test", 2);

    @AfterEach
    void stop() {
        threads.close();
    }

    private static Limits aligned(int alignment) {
        return new Limits(alignment, 1, 1, 0, 0, 0);
    }

    private static byte[] pattern(Random random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    private static void assertDiskEquals(RequestLayer node, byte[] model, String what) throws BlockException {
        byte[] actual = new byte[model.length];
        node.read(0, actual, 0, actual.length);
        assertArrayEquals(model, actual, what);
    }

    /** Every offset and length within three blocks of a 16-byte-aligned disk. */
    @Test
    void everyUnalignedWriteAndReadOnSmallBlocks() throws BlockException {
        int align = 16;
        int disk = 8 * align;
        Random random = new Random(1);
        byte[] model = pattern(random, disk);
        try (RequestLayer node = MemoryDriver.node(disk, aligned(align), threads)) {
            node.write(0, model.clone(), 0, disk);
            for (int offset = 0; offset < 3 * align; offset++) {
                for (int len = 1; len <= 3 * align; len++) {
                    byte[] data = pattern(random, len);
                    node.write(offset, data, 0, len);
                    System.arraycopy(data, 0, model, offset, len);
                    byte[] back = new byte[len];
                    node.read(offset, back, 0, len);
                    assertArrayEquals(data, back, "read back " + offset + "+" + len);
                }
                assertDiskEquals(node, model, "after writes at " + offset);
            }
            assertEquals(disk, node.length());
        }
    }

    /** Boundary offsets and lengths on a 4096-aligned disk, reads of every such range checked too. */
    @Test
    void unalignedRequestsOn4kBlocks() throws BlockException {
        int align = 4096;
        int disk = 8 * align;
        int[] offsets = {0, 1, 511, 512, 1000, 4095, 4096, 4097, 6000, 8191, 8192};
        int[] lengths = {1, 7, 511, 512, 3584, 4095, 4096, 4097, 8191, 8192, 8193, 12288, 12289};
        Random random = new Random(2);
        byte[] model = pattern(random, disk);
        try (RequestLayer node = MemoryDriver.node(disk, aligned(align), threads)) {
            node.write(0, model.clone(), 0, disk);
            for (int offset : offsets) {
                for (int len : lengths) {
                    byte[] data = pattern(random, len);
                    node.write(offset, data, 0, len);
                    System.arraycopy(data, 0, model, offset, len);
                    for (int readOffset : offsets) {
                        byte[] back = new byte[len];
                        node.read(readOffset, back, 0, len);
                        assertArrayEquals(Arrays.copyOfRange(model, readOffset, readOffset + len), back,
                                "read " + readOffset + "+" + len + " after write " + offset + "+" + len);
                    }
                }
            }
            assertDiskEquals(node, model, "whole disk");
        }
    }

    /** A read vector of several odd-sized segments is filled in order. */
    @Test
    void unalignedReadIntoScatteredSegments() throws BlockException {
        Random random = new Random(3);
        byte[] model = pattern(random, 16384);
        try (RequestLayer node = MemoryDriver.node(16384, aligned(4096), threads)) {
            node.write(0, model.clone(), 0, model.length);
            byte[] a = new byte[10];
            byte[] b = new byte[5000];
            byte[] c = new byte[3];
            node.read(4090, IoVector.wrap(a).concat(IoVector.wrap(b)).concat(IoVector.wrap(c)), 0);
            assertArrayEquals(Arrays.copyOfRange(model, 4090, 4100), a);
            assertArrayEquals(Arrays.copyOfRange(model, 4100, 9100), b);
            assertArrayEquals(Arrays.copyOfRange(model, 9100, 9103), c);
        }
    }

    /** Padded write: one driver read for a head and tail in the same block, two otherwise. */
    @Test
    void readModifyWriteReadsOnlyTheEdgeBlocks() throws BlockException {
        RecordingDriver rec = new RecordingDriver(new MemoryDriver(65536, aligned(4096)));
        try (RequestLayer node = new RequestLayer(rec, threads)) {
            node.write(100, new byte[200], 0, 200);
            assertEquals(1, rec.calls("read").size());
            assertEquals(new RecordingDriver.Call("write", 0, 4096, 0), rec.calls("write").get(0));
            rec.clear();
            node.write(4000, new byte[10000], 0, 10000);
            assertEquals(2, rec.calls("read").size());
            assertEquals(new RecordingDriver.Call("read", 0, 4096, 0), rec.calls("read").get(0));
            assertEquals(new RecordingDriver.Call("read", 12288, 4096, 0), rec.calls("read").get(1));
            assertEquals(new RecordingDriver.Call("write", 0, 16384, 0), rec.calls("write").get(0));
            rec.clear();
            node.write(8192, new byte[4096], 0, 4096);
            assertEquals(0, rec.calls("read").size(), "aligned write needs no read");
        }
    }
}
