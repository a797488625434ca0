package io.jqcow.testing;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.block.RequestFlags;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Guest operations that can be replayed on a jqcow node, as qemu-io commands, and on a byte-array
 * model; used to build twin images and compare them.
 */
public final class TwinOps {
    private TwinOps() {
    }

    public enum Kind { WRITE, ZERO, ZERO_UNMAP, DISCARD }

    public record Op(Kind kind, long offset, int length, int pattern) {
        public String qemuIo() {
            return switch (kind) {
                case WRITE -> "write -P 0x" + Integer.toHexString(pattern) + " " + offset + " " + length;
                case ZERO -> "write -z " + offset + " " + length;
                case ZERO_UNMAP -> "write -z -u " + offset + " " + length;
                case DISCARD -> "discard " + offset + " " + length;
            };
        }

        @Override
        public String toString() {
            return qemuIo();
        }
    }

    public static Op write(long off, int len, int pattern) {
        return new Op(Kind.WRITE, off, len, pattern);
    }

    public static Op zero(long off, int len) {
        return new Op(Kind.ZERO, off, len, 0);
    }

    public static Op zeroUnmap(long off, int len) {
        return new Op(Kind.ZERO_UNMAP, off, len, 0);
    }

    public static Op discard(long off, int len) {
        return new Op(Kind.DISCARD, off, len, 0);
    }

    /** Applies op to a node the way the request layer would (write-zeroes falls back on ENOTSUP). */
    public static void apply(BlockNode n, Op op) throws BlockException {
        switch (op.kind) {
            case WRITE -> {
                byte[] b = new byte[op.length];
                Arrays.fill(b, (byte) op.pattern);
                n.write(op.offset, b, 0, b.length);
            }
            case ZERO, ZERO_UNMAP -> {
                try {
                    n.writeZeroes(op.offset, op.length, op.kind == Kind.ZERO_UNMAP ? RequestFlags.MAY_UNMAP : 0);
                } catch (BlockException e) {
                    if (e.errno() != Errno.ENOTSUP) {
                        throw e;
                    }
                    n.write(op.offset, new byte[op.length], 0, op.length);
                }
            }
            case DISCARD -> n.discard(op.offset, op.length);
        }
    }

    /** Applies op to a model of the guest (discard leaves contents undefined, so tests avoid reading it). */
    public static void apply(byte[] model, Op op) {
        switch (op.kind) {
            case WRITE -> Arrays.fill(model, (int) op.offset, (int) op.offset + op.length, (byte) op.pattern);
            case ZERO, ZERO_UNMAP -> Arrays.fill(model, (int) op.offset, (int) op.offset + op.length, (byte) 0);
            default -> { }
        }
    }

    public static String[] qemuIo(List<Op> ops) {
        List<String> out = new ArrayList<>();
        for (Op op : ops) {
            out.add(op.qemuIo());
        }
        return out.toArray(new String[0]);
    }
}
