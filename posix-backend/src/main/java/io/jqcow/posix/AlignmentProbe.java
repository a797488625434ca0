package io.jqcow.posix;

import io.jqcow.block.AlignedBuffers;
import java.nio.ByteBuffer;

/**
 * Finds the O_DIRECT request (offset/length) and memory (buffer address) alignment of an open
 * descriptor. Sources, most trusted first: BLKSSZGET for block devices, statx STATX_DIOALIGN
 * (Linux 6.1+), then trial reads at offset 0. Trial reads only count EINVAL as "misaligned"; any
 * other error leaves the safe default of 4096. A 1-byte read succeeding means the probe learned
 * nothing (e.g. an empty file, where reads at EOF succeed before any check) and also gives 4096.
 */
public final class AlignmentProbe {
    public static final int SAFE_DEFAULT = 4096;
    private static final int[] CANDIDATES = {1, 512, 1024, 2048, 4096};
    private static final int EINVAL = 22;

    /**
     * What the probe found.
     *
     * @param requestAlignment the chosen offset/length alignment
     * @param memAlignment     the chosen buffer-address alignment
     * @param probedRequest    what trial reads said, 0 when they learned nothing or were not run
     * @param probedMemory     what trial reads said, 0 when they learned nothing or were not run
     * @param logicalBlockSize BLKSSZGET, 0 when not a block device
     * @param physicalBlockSize BLKPBSZGET, 0 when not a block device
     * @param statxDioOffset   statx stx_dio_offset_align, 0 when not reported
     * @param statxDioMemory   statx stx_dio_mem_align, 0 when not reported
     * @param source           which source decided requestAlignment
     */
    public record Result(int requestAlignment, int memAlignment, int probedRequest, int probedMemory,
                         int logicalBlockSize, int physicalBlockSize, int statxDioOffset, int statxDioMemory,
                         String source) {
    }

    private AlignmentProbe() {
    }

    /** Probes {@code fd}; without O_DIRECT there are no constraints and nothing is read. */
    public static Result probe(int fd, boolean direct, boolean blockDevice, StatxResult stat) {
        int logical = blockDevice ? ioctlOrZero(fd, Syscalls.BLKSSZGET) : 0;
        int physical = blockDevice ? ioctlOrZero(fd, Syscalls.BLKPBSZGET) : 0;
        int statxOff = stat.dioOffsetAlign();
        int statxMem = stat.dioMemAlign();
        if (!direct) {
            return new Result(1, 1, 0, 0, logical, physical, statxOff, statxMem, "no O_DIRECT");
        }
        // 16 KiB at 8 KiB alignment: AlignedBuffers needs a size that is a multiple of the alignment.
        ByteBuffer arena = AlignedBuffers.allocate(4 * SAFE_DEFAULT, 2 * SAFE_DEFAULT);
        int probedReq = probeRequest(fd, arena);
        int probedMem = probedReq == 0 ? 0 : probeMemory(fd, arena, probedReq);

        int request;
        String source;
        if (logical > 0) {
            request = logical;
            source = "BLKSSZGET";
        } else if (isPow2(statxOff)) {
            request = statxOff;
            source = "statx DIOALIGN";
        } else if (probedReq > 0) {
            request = probedReq;
            source = "O_DIRECT probe";
        } else {
            request = SAFE_DEFAULT;
            source = "default";
        }
        int mem;
        if (isPow2(statxMem)) {
            mem = statxMem;
        } else if (probedMem > 0) {
            mem = probedMem;
        } else {
            mem = SAFE_DEFAULT;
        }
        return new Result(request, mem, probedReq, probedMem, logical, physical, statxOff, statxMem, source);
    }

    /** Smallest read length that works at offset 0 into a well-aligned buffer; 0 when unknown. */
    private static int probeRequest(int fd, ByteBuffer arena) {
        for (int len : CANDIDATES) {
            ByteBuffer buf = arena.slice(0, len);
            ProbeOutcome o = tryRead(fd, buf);
            if (o == ProbeOutcome.OK) {
                return len == 1 ? 0 : len;
            }
            if (o == ProbeOutcome.OTHER_ERROR) {
                return 0;
            }
        }
        return 0;
    }

    /**
     * Smallest address alignment that works for a {@code length}-byte read: the buffer starts at
     * arena + align, which is aligned to {@code align} but not to twice it (arena is 8 KiB aligned).
     */
    private static int probeMemory(int fd, ByteBuffer arena, int length) {
        for (int align : CANDIDATES) {
            ByteBuffer buf = arena.slice(align, length);
            ProbeOutcome o = tryRead(fd, buf);
            if (o == ProbeOutcome.OK) {
                return align;
            }
            if (o == ProbeOutcome.OTHER_ERROR) {
                return 0;
            }
        }
        return 0;
    }

    private enum ProbeOutcome { OK, MISALIGNED, OTHER_ERROR }

    private static ProbeOutcome tryRead(int fd, ByteBuffer buf) {
        try {
            Syscalls.pread(fd, buf, 0);
            return ProbeOutcome.OK;
        } catch (PosixError e) {
            return e.errno() == EINVAL ? ProbeOutcome.MISALIGNED : ProbeOutcome.OTHER_ERROR;
        }
    }

    private static int ioctlOrZero(int fd, long request) {
        try {
            return Syscalls.ioctlGetInt(fd, request);
        } catch (PosixError e) {
            return 0;
        }
    }

    private static boolean isPow2(int v) {
        return v > 0 && Integer.bitCount(v) == 1;
    }
}
