package io.jqcow.tools.io;

import io.jqcow.block.IoVector;
import io.jqcow.block.RequestFlags;
import java.util.List;

/**
 * The parsed form shared by readv, writev, aio_read and aio_write: flags, offset and one buffer per
 * length. Which flags are legal is decided by each command's getopt spec.
 */
record VectorRequest(long offset, IoVector vector, int pattern, boolean quiet, boolean verbose, int flags,
                     boolean zeroes, long zeroLength, boolean machine) {

    static VectorRequest parse(IoSession s, Getopt.Parsed args, IoOperation op, byte fill) throws CommandFailed {
        int pattern = -1;
        boolean quiet = false;
        boolean verbose = false;
        boolean zero = false;
        boolean unmap = false;
        boolean machine = false;
        int flags = RequestFlags.NONE;
        for (Getopt.Option o : args.options()) {
            switch (o.letter()) {
                case 'P' -> pattern = s.pattern(o.value());
                case 'q' -> quiet = true;
                case 'v' -> verbose = true;
                case 'f' -> flags |= RequestFlags.FUA;
                case 'z' -> zero = true;
                case 'u' -> unmap = true;
                case 'C' -> machine = true;
                default -> throw new CommandFailed(op.usage());
            }
        }
        if (unmap && !zero) {
            throw new CommandFailed("-u requires -z to be specified");
        }
        if (unmap) {
            flags |= RequestFlags.MAY_UNMAP;
        }
        List<String> ops = args.operands();
        if (ops.size() < 2) {
            throw new CommandFailed(op.usage());
        }
        long offset = s.number(ops.get(0));
        if (zero) {
            if (ops.size() != 2) {
                throw new CommandFailed("-z supports only a single length parameter");
            }
            long len = s.length(ops.get(1));
            return new VectorRequest(offset, IoVector.of(), pattern, quiet, verbose, flags, true, len, machine);
        }
        long[] lengths = s.lengths(ops.subList(1, ops.size()));
        byte fillByte = fill == IoSession.READ_FILL || pattern < 0 ? fill : (byte) pattern;
        IoVector vector = IoVector.of(s.buffers(lengths, fillByte));
        return new VectorRequest(offset, vector, pattern, quiet, verbose, flags, false, 0, machine);
    }

    /** The report lines for a finished write of this request. */
    String writeReport(long nanos) {
        return Stats.report("wrote", bytes(), offset, nanos, machine);
    }

    /** Bytes the request covers. */
    long bytes() {
        return zeroes ? zeroLength : vector.size();
    }

    ReadCheck readCheck() {
        return new ReadCheck(pattern, 0, vector.size(), quiet, verbose, machine);
    }
}
