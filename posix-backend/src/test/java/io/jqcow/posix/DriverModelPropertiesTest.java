package io.jqcow.posix;

import io.jqcow.block.AlignedBuffers;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jqcow.block.IoVector;
import io.jqcow.block.RequestContext;
import io.jqcow.block.RequestFlags;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Random sequences of writes, write-zeroes, discards and reads through the driver, with randomly
 * cut, randomly placed (heap, direct, misaligned) segments, must match a plain byte-array model,
 * with and without O_DIRECT.
 */
class DriverModelPropertiesTest {
    private static final int UNIT = 512;
    private static final int FILE_UNITS = 256;

    @Property(tries = 40)
    void driverMatchesModel(@ForAll long seed, @ForAll boolean direct, @ForAll @IntRange(min = 1, max = 12) int ops)
            throws Exception {
        Path dir = Files.createTempDirectory("jqcow-model");
        Random rnd = new Random(seed);
        try {
            byte[] model = TestSupport.pattern(FILE_UNITS * UNIT / 2, seed);
            model = Arrays.copyOf(model, FILE_UNITS * UNIT);
            Path p = TestSupport.newFile(dir, "m.img", Arrays.copyOf(model, FILE_UNITS * UNIT / 2));
            FilePosixDriver d = FilePosix.openDriver(FileOptions.defaults(p, false)
                    .withCache(direct ? CacheMode.NONE : CacheMode.WRITEBACK));
            try {
                int align = Math.max(UNIT, d.limits().requestAlignment());
                int units = FILE_UNITS * UNIT / align;
                for (int i = 0; i < ops; i++) {
                    int start = rnd.nextInt(units) * align;
                    int len = (1 + rnd.nextInt(Math.min(16, units - start / align))) * align;
                    switch (rnd.nextInt(4)) {
                        case 0 -> {
                            byte[] data = new byte[len];
                            rnd.nextBytes(data);
                            d.write(RequestContext.NONE, start, randomVector(data, rnd), 0);
                            System.arraycopy(data, 0, model, start, len);
                        }
                        case 1 -> {
                            int flags = rnd.nextBoolean() ? RequestFlags.MAY_UNMAP : 0;
                            d.writeZeroes(RequestContext.NONE, start, len, flags);
                            Arrays.fill(model, start, start + len, (byte) 0);
                        }
                        case 2 -> {
                            d.discard(RequestContext.NONE, start, len);
                            Arrays.fill(model, start, start + len, (byte) 0); // ext4 punches reliably
                        }
                        default -> {
                            byte[] got = new byte[len];
                            IoVector v = randomVector(new byte[len], rnd);
                            d.read(RequestContext.NONE, start, v, 0);
                            v.copyTo(0, ByteBuffer.wrap(got));
                            // beyond the file's end the model's tail is zero anyway
                            assertArrayEquals(Arrays.copyOfRange(model, start, start + len), got);
                        }
                    }
                }
                byte[] all = new byte[FILE_UNITS * UNIT];
                d.read(RequestContext.NONE, 0, IoVector.wrap(all), 0);
                assertArrayEquals(model, all);
            } finally {
                d.close();
            }
        } finally {
            TestSupport.deleteTree(dir);
        }
    }

    /** data cut into 1..4 pieces, each a heap buffer, an aligned direct buffer or a misaligned one. */
    private static IoVector randomVector(byte[] data, Random rnd) {
        List<ByteBuffer> segs = new ArrayList<>();
        int pos = 0;
        int pieces = 1 + rnd.nextInt(4);
        for (int i = 0; i < pieces && pos < data.length; i++) {
            int len = i == pieces - 1 ? data.length - pos : 1 + rnd.nextInt(data.length - pos);
            ByteBuffer b;
            switch (rnd.nextInt(3)) {
                case 0 -> b = ByteBuffer.wrap(data, pos, len).slice();
                case 1 -> b = TestSupport.direct(Arrays.copyOfRange(data, pos, pos + len), 4096);
                default -> {
                    int shift = 1 + rnd.nextInt(63);
                    ByteBuffer raw = AlignedBuffers.allocate(len + shift, 64).position(shift);
                    raw.put(data, pos, len).position(shift);
                    b = raw.slice();
                }
            }
            segs.add(b);
            pos += len;
        }
        return IoVector.of(segs);
    }
}
