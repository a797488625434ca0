package io.jqcow.posix;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockException;
import io.jqcow.posix.ProbeReport.Support;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds a {@link ProbeReport}. The user's file is only read; fallocate and SEEK_DATA are tried on
 * a scratch file created in the same directory (same filesystem) and deleted afterwards.
 */
final class FileProber {
    private static final int SCRATCH = 64 * 1024;
    private static final int UNIT = 4096;

    private FileProber() {
    }

    static ProbeReport probe(OpenFile opened, boolean direct, long maxTransfer) throws BlockException {
        StatfsResult fs;
        try {
            fs = Syscalls.fstatfs(opened.fd());
        } catch (PosixError e) {
            throw e.toBlockWithReason(-1, "Could not probe '" + opened.displayPath() + "'");
        }
        StatxResult st = opened.stat();
        AlignmentProbe.Result a = AlignmentProbe.probe(opened.fd(), direct, st.isBlockDevice(), st);
        Support[] modes = st.isBlockDevice()
                ? new Support[] {Support.UNKNOWN, Support.UNKNOWN, Support.UNKNOWN, seekWorks(opened.fd())}
                : scratchProbe(Path.of(opened.displayPath()).toAbsolutePath().getParent());
        return new ProbeReport(opened.displayPath(), fs.type(), fs.blockSize(), st.isBlockDevice(),
                a.logicalBlockSize(), a.physicalBlockSize(), a.statxDioOffset(), a.statxDioMemory(),
                a.probedRequest(), a.probedMemory(), a.requestAlignment(), a.memAlignment(), a.source(),
                maxTransfer, modes[0], modes[1], modes[2], modes[3]);
    }

    /** {zeroRange, punchHole, allocate, seekData} measured on a scratch file in {@code dir}. */
    private static Support[] scratchProbe(Path dir) {
        Support[] unknown = {Support.UNKNOWN, Support.UNKNOWN, Support.UNKNOWN, Support.UNKNOWN};
        if (dir == null) {
            return unknown;
        }
        Path scratch;
        try {
            scratch = Files.createTempFile(dir, ".jqcow-probe-", ".tmp");
        } catch (IOException | UnsupportedOperationException e) {
            return unknown; // read-only directory or similar: never touch the user's file instead
        }
        try (PosixHostFile f = openScratch(scratch)) {
            if (f == null) {
                return unknown;
            }
            ByteBuffer data = AlignedBuffers.allocate(SCRATCH, UNIT);
            while (data.hasRemaining()) {
                data.put((byte) 0x5a);
            }
            data.flip();
            f.pwritev(new ByteBuffer[] {data}, 0);
            Support zero = tryMode(f, HostFile.FALLOC_FL_ZERO_RANGE, 0, UNIT);
            Support punch = tryMode(f, HostFile.FALLOC_FL_PUNCH_HOLE | HostFile.FALLOC_FL_KEEP_SIZE, UNIT, 4L * UNIT);
            Support seek = punch == Support.YES ? seesHole(f, UNIT, 5L * UNIT) : Support.UNKNOWN;
            Support alloc = tryMode(f, 0, SCRATCH, UNIT);
            return new Support[] {zero, punch, alloc, seek};
        } catch (BlockException e) {
            return unknown;
        } finally {
            try {
                Files.deleteIfExists(scratch);
            } catch (IOException ignored) {
                // a leftover hidden scratch file is harmless
            }
        }
    }

    /** SEEK_DATA is a read-only question, safe to ask of a device (Linux answers EINVAL there). */
    private static Support seekWorks(int fd) {
        try {
            Syscalls.seek(fd, 0, Syscalls.SEEK_DATA);
            return Support.YES;
        } catch (PosixError e) {
            return e.errno() == PosixError.ENXIO ? Support.YES : Support.NO;
        }
    }

    private static PosixHostFile openScratch(Path p) {
        try {
            int fd = Syscalls.open(p.toString(), Syscalls.O_RDWR | Syscalls.O_CLOEXEC, 0);
            return new PosixHostFile(p.toString(), fd, false);
        } catch (PosixError e) {
            return null;
        }
    }

    private static Support tryMode(HostFile f, int mode, long offset, long len) throws BlockException {
        try {
            f.fallocate(mode, offset, len);
            return Support.YES;
        } catch (BlockException e) {
            if (e.errno() == io.jqcow.block.Errno.ENOTSUP) {
                return Support.NO;
            }
            throw e;
        }
    }

    /** After punching [from, to) of a data-filled file, SEEK_HOLE from 0 must stop inside it. */
    private static Support seesHole(HostFile f, long from, long to) {
        try {
            long hole = f.seekHole(0);
            long data = f.seekData(from);
            return hole >= from && hole < to && data >= to ? Support.YES : Support.NO;
        } catch (BlockException e) {
            return Support.NO;
        }
    }
}
