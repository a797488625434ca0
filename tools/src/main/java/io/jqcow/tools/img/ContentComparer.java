package io.jqcow.tools.img;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.image.ChainMap;
import io.jqcow.image.MapExtent;
import java.nio.ByteBuffer;
import java.util.function.LongConsumer;

/**
 * The comparison behind qemu-img compare, driven by block status over both chains: ranges that
 * read as zeroes on both sides are skipped, ranges allocated on one side only must read as zeroes,
 * and only ranges allocated on both sides are read and compared byte by byte.
 */
final class ContentComparer {
    static final int CHUNK = 2 << 20;
    private static final int SECTOR = 512;

    /** Why the comparison stopped: a difference, or an error with qemu-img's exit code. */
    sealed interface Outcome permits Same, Mismatch, StatusMismatch, Failed {
    }

    record Same() implements Outcome {
    }

    record Mismatch(long offset) implements Outcome {
    }

    record StatusMismatch(long offset) implements Outcome {
    }

    record Failed(int exitCode, String message) implements Outcome {
    }

    private final Side a;
    private final Side b;
    private final LongConsumer progress;

    /** One image under comparison. */
    record Side(BlockNode node, String name, ChainMap map) {
        Side(BlockNode node, String name) {
            this(node, name, new ChainMap(node, name));
        }
    }

    ContentComparer(Side a, Side b, LongConsumer progress) {
        this.a = a;
        this.b = b;
        this.progress = progress;
    }

    /** Compares [0, end) of both images. */
    Outcome compareCommon(long end, boolean strict) {
        long pos = 0;
        while (pos < end) {
            MapExtent s1;
            MapExtent s2;
            try {
                s1 = a.map().status(pos, end - pos);
            } catch (BlockException e) {
                return new Failed(3, "Sector allocation test failed for " + a.name());
            }
            try {
                s2 = b.map().status(pos, end - pos);
            } catch (BlockException e) {
                return new Failed(3, "Sector allocation test failed for " + b.name());
            }
            long len = Math.min(s1.length(), s2.length());
            if (strict && !sameStatus(s1, s2)) {
                return new StatusMismatch(pos);
            }
            // a range that no layer allocates reads as zeroes too, so "zero" covers both cases
            Outcome o;
            if (s1.zero() && s2.zero()) {
                o = new Same();
            } else if (s1.zero()) {
                o = checkZero(b, pos, len);
            } else if (s2.zero()) {
                o = checkZero(a, pos, len);
            } else {
                o = compareData(pos, len);
            }
            if (!(o instanceof Same)) {
                return o;
            }
            pos += len;
            progress.accept(pos);
        }
        return new Same();
    }

    /** The part of the larger image past the smaller one's end must read as zeroes. */
    Outcome checkTail(Side larger, long from, long end) {
        long pos = from;
        while (pos < end) {
            MapExtent s;
            try {
                s = larger.map().status(pos, end - pos);
            } catch (BlockException e) {
                return new Failed(3, "Sector allocation test failed for " + larger.name());
            }
            if (s.present() && !s.zero()) {
                Outcome o = checkZero(larger, pos, s.length());
                if (!(o instanceof Same)) {
                    return o;
                }
            }
            pos += s.length();
            progress.accept(pos);
        }
        return new Same();
    }

    private static boolean sameStatus(MapExtent x, MapExtent y) {
        return x.present() == y.present() && x.zero() == y.zero() && x.data() == y.data();
    }

    private Outcome compareData(long offset, long len) {
        ByteBuffer b1 = ByteBuffer.allocate((int) Math.min(CHUNK, len));
        ByteBuffer b2 = ByteBuffer.allocate(b1.capacity());
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(b1.capacity(), len - done);
            long at = offset + done;
            Outcome r = read(a, at, b1, n);
            if (r == null) {
                r = read(b, at, b2, n);
            }
            if (r != null) {
                return r;
            }
            int diff = b1.slice(0, n).mismatch(b2.slice(0, n));
            if (diff >= 0) {
                return new Mismatch(at + (diff / SECTOR) * (long) SECTOR);
            }
            done += n;
        }
        return new Same();
    }

    private Outcome checkZero(Side side, long offset, long len) {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, len));
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(buf.capacity(), len - done);
            long at = offset + done;
            Outcome r = read(side, at, buf, n);
            if (r != null) {
                return r;
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) != 0) {
                    return new Mismatch(at + (i / SECTOR) * (long) SECTOR);
                }
            }
            done += n;
        }
        return new Same();
    }

    /** Reads n bytes into buf; null on success, else the failure. */
    private static Outcome read(Side side, long at, ByteBuffer buf, int n) {
        try {
            side.node().read(at, buf.clear().limit(n).slice());
            return null;
        } catch (BlockException e) {
            return new Failed(4, "Error while reading offset " + at + " of " + side.name() + ": " + e.getMessage());
        }
    }
}
