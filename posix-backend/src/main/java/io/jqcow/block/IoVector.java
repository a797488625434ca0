package io.jqcow.block;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A scatter/gather list: the bytes between position and limit of each segment, in order.
 * The vector never moves the segments' positions; it works on duplicates. Segments may be heap or
 * direct buffers; drivers that need native memory bounce heap segments.
 */
public final class IoVector {
    private final ByteBuffer[] segments;
    private final long size;

    private IoVector(ByteBuffer[] segments) {
        this.segments = segments;
        long total = 0;
        for (ByteBuffer b : segments) {
            total += b.remaining();
        }
        this.size = total;
    }

    /** A vector over the remaining bytes of each buffer (the buffers are sliced, not copied). */
    public static IoVector of(ByteBuffer... buffers) {
        ByteBuffer[] s = new ByteBuffer[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            s[i] = buffers[i].slice();
        }
        return new IoVector(s);
    }

    public static IoVector of(List<ByteBuffer> buffers) {
        return of(buffers.toArray(new ByteBuffer[0]));
    }

    public static IoVector wrap(byte[] array, int offset, int length) {
        return new IoVector(new ByteBuffer[] {ByteBuffer.wrap(array, offset, length).slice()});
    }

    public static IoVector wrap(byte[] array) {
        return wrap(array, 0, array.length);
    }

    public long size() {
        return size;
    }

    public int segmentCount() {
        return segments.length;
    }

    /** A duplicate of segment i (position 0, limit = its length); writes go to the shared memory. */
    public ByteBuffer segment(int i) {
        return segments[i].duplicate();
    }

    /** Duplicates of all segments. */
    public ByteBuffer[] segments() {
        ByteBuffer[] out = new ByteBuffer[segments.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = segments[i].duplicate();
        }
        return out;
    }

    /** The sub-vector [offset, offset + length), sharing memory with this one. */
    public IoVector slice(long offset, long length) {
        checkRange(offset, length);
        if (offset == 0 && length == size) {
            return this;
        }
        List<ByteBuffer> out = new ArrayList<>();
        long pos = 0;
        for (ByteBuffer seg : segments) {
            int len = seg.remaining();
            long segEnd = pos + len;
            if (segEnd > offset && pos < offset + length) {
                int from = (int) Math.max(0, offset - pos);
                int to = (int) Math.min(len, offset + length - pos);
                out.add(seg.slice(from, to - from));
            }
            pos = segEnd;
            if (pos >= offset + length) {
                break;
            }
        }
        return new IoVector(out.toArray(new ByteBuffer[0]));
    }

    /**
     * This vector followed by other (sharing memory with both). Empty segments are dropped: an empty
     * heap placeholder (a COW head that was not needed) would otherwise make the whole vector
     * unfit for zero-copy I/O and force a bounce.
     */
    public IoVector concat(IoVector other) {
        List<ByteBuffer> s = new ArrayList<>(segments.length + other.segments.length);
        for (ByteBuffer b : segments) {
            if (b.hasRemaining()) {
                s.add(b);
            }
        }
        for (ByteBuffer b : other.segments) {
            if (b.hasRemaining()) {
                s.add(b);
            }
        }
        return new IoVector(s.toArray(new ByteBuffer[0]));
    }

    /** Writes zeroes over [offset, offset + length). */
    public void zero(long offset, long length) {
        checkRange(offset, length);
        forEachRange(offset, length, (seg, from, len) -> {
            for (int i = 0; i < len; i++) {
                seg.put(from + i, (byte) 0);
            }
        });
    }

    public void zeroAll() {
        zero(0, size);
    }

    /** Copies length bytes of src starting at srcOffset into this vector at dstOffset. */
    public void copyFrom(long dstOffset, IoVector src, long srcOffset, long length) {
        checkRange(dstOffset, length);
        src.checkRange(srcOffset, length);
        IoVector from = src.slice(srcOffset, length);
        long[] cursor = {dstOffset};
        for (ByteBuffer s : from.segments) {
            ByteBuffer part = s.duplicate();
            forEachRange(cursor[0], part.remaining(), (seg, off, len) -> {
                ByteBuffer chunk = part.slice(part.position(), len);
                seg.put(off, chunk, 0, len);
                part.position(part.position() + len);
            });
            cursor[0] += s.remaining();
        }
    }

    /** Copies bytes [offset, offset + dst.remaining()) of this vector into dst, advancing dst. */
    public void copyTo(long offset, ByteBuffer dst) {
        int want = dst.remaining();
        checkRange(offset, want);
        forEachRange(offset, want, (seg, from, len) -> {
            dst.put(seg.slice(from, len));
        });
    }

    /** Copies src's remaining bytes into this vector at offset, advancing src. */
    public void copyFrom(long offset, ByteBuffer src) {
        int want = src.remaining();
        checkRange(offset, want);
        forEachRange(offset, want, (seg, from, len) -> {
            ByteBuffer chunk = src.slice(src.position(), len);
            seg.put(from, chunk, 0, len);
            src.position(src.position() + len);
        });
    }

    public byte[] toByteArray() {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("vector too large for an array: " + size);
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        copyTo(0, out);
        return out.array();
    }

    /** True when every byte in [offset, offset + length) is zero. */
    public boolean isZero(long offset, long length) {
        checkRange(offset, length);
        boolean[] zero = {true};
        forEachRange(offset, length, (seg, from, len) -> {
            if (!zero[0]) {
                return;
            }
            int i = 0;
            for (; i + 8 <= len; i += 8) {
                if (seg.getLong(from + i) != 0) {
                    zero[0] = false;
                    return;
                }
            }
            for (; i < len; i++) {
                if (seg.get(from + i) != 0) {
                    zero[0] = false;
                    return;
                }
            }
        });
        return zero[0];
    }

    public boolean isZero() {
        return isZero(0, size);
    }

    /** True when every segment is direct, its base is memAlign-aligned and its length lenAlign-aligned. */
    public boolean isAligned(int memAlign, int lenAlign) {
        for (ByteBuffer seg : segments) {
            if (!AlignedBuffers.isAligned(seg, memAlign) || seg.remaining() % lenAlign != 0) {
                return false;
            }
        }
        return true;
    }

    private void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " outside vector of " + size);
        }
    }

    @FunctionalInterface
    private interface RangeVisitor {
        void visit(ByteBuffer segment, int from, int length);
    }

    private void forEachRange(long offset, long length, RangeVisitor v) {
        long pos = 0;
        long end = offset + length;
        for (ByteBuffer seg : segments) {
            int len = seg.remaining();
            long segEnd = pos + len;
            if (segEnd > offset && pos < end) {
                int from = (int) Math.max(0, offset - pos);
                int to = (int) Math.min(len, end - pos);
                v.visit(seg, from, to - from);
            }
            pos = segEnd;
            if (pos >= end) {
                break;
            }
        }
    }

    @Override
    public String toString() {
        return "IoVector[" + segments.length + " segments, " + size + " bytes]";
    }
}
