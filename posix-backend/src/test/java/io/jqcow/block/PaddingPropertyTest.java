package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random sequences of unaligned writes, write-zeroes and reads on a strict 4096-aligned memory
 * disk with a small maxTransfer, checked against a byte array that grows like a file.
 */
class PaddingPropertyTest {
    private static RequestThreads threads;

    @BeforeContainer
    static void start() {
        threads = new RequestThreads("padding-property", 2);
    }

    @AfterContainer
    static void stop() {
        threads.close();
    }

    @Property(tries = 150)
    void unalignedRequestsMatchAByteArray(@ForAll @IntRange(min = 0, max = 1_000_000) int seed,
                                          @ForAll boolean zeroesSupported) throws BlockException {
        Random random = new Random(seed);
        int initial = 4096 * random.nextInt(4);
        int limit = 6 * 4096;
        byte[] model = new byte[limit];
        long modelLength = initial;
        Limits limits = new Limits(4096, 1, 1, 8192, 0, 0);
        MemoryDriver driver = new MemoryDriver("p", initial, limits, zeroesSupported, false);
        try (RequestLayer node = new RequestLayer(driver, threads)) {
            for (int step = 0; step < 12; step++) {
                int offset = random.nextInt(limit - 1);
                int len = 1 + random.nextInt(limit - offset - 1);
                switch (random.nextInt(3)) {
                    case 0 -> {
                        byte[] data = new byte[len];
                        random.nextBytes(data);
                        node.write(offset, data, 0, len);
                        System.arraycopy(data, 0, model, offset, len);
                        modelLength = Math.max(modelLength, AlignMath.up(offset + len, 4096));
                    }
                    case 1 -> {
                        node.writeZeroes(offset, len, 0);
                        Arrays.fill(model, offset, offset + len, (byte) 0);
                        modelLength = Math.max(modelLength, AlignMath.up(offset + len, 4096));
                    }
                    default -> {
                        byte[] back = new byte[len];
                        node.read(offset, back, 0, len);
                        assertArrayEquals(Arrays.copyOfRange(model, offset, offset + len), back,
                                "read " + offset + "+" + len + " at step " + step);
                    }
                }
                assertEquals(modelLength, node.length(), "cached length at step " + step);
                assertEquals(node.driver().length(), node.length(), "cache agrees with the driver");
            }
            byte[] all = new byte[limit];
            node.read(0, all, 0, limit);
            assertArrayEquals(model, all, "zero-filled past EOF, data before it");
        }
    }
}
