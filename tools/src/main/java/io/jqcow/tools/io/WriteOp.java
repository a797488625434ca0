package io.jqcow.tools.io;

import io.jqcow.block.BlockException;
import io.jqcow.block.IoVector;
import io.jqcow.block.RequestFlags;
import io.jqcow.tools.cli.RequestBounds;
import java.nio.ByteBuffer;
import java.util.List;

/** write [-Cfnpquz] [-P pattern | -s source_file] off len; -z writes zeroes without a buffer. */
final class WriteOp implements IoOperation {

    @Override
    public String name() {
        return "write";
    }

    @Override
    public List<String> aliases() {
        return List.of("w");
    }

    @Override
    public String usage() {
        return "write [-bcCfnquz] [-P pattern | -s source_file] off len -- writes a number of bytes at a specified offset";
    }

    @Override
    public int minArgs() {
        return 2;
    }

    @Override
    public int maxArgs() {
        return -1;
    }

    @Override
    public String optionSpec() {
        return "CfnpP:quzs:";
    }

    @Override
    public boolean writes() {
        return true;
    }

    @Override
    public void run(IoSession s, Getopt.Parsed args) throws CommandFailed {
        int pattern = IoSession.WRITE_PATTERN;
        boolean patternGiven = false;
        boolean quiet = false;
        boolean zero = false;
        boolean unmap = false;
        boolean noFallback = false;
        boolean machine = false;
        String source = null;
        int flags = RequestFlags.NONE;
        for (Getopt.Option o : args.options()) {
            switch (o.letter()) {
                case 'P' -> {
                    patternGiven = true;
                    pattern = s.pattern(o.value());
                }
                case 'q' -> quiet = true;
                case 'z' -> zero = true;
                case 'u' -> unmap = true;
                case 'n' -> noFallback = true;
                case 'f' -> flags |= RequestFlags.FUA;
                case 'C' -> machine = true;
                case 's' -> source = o.value();
                default -> { } // -p: ignored for compatibility
            }
        }
        if ((zero ? 1 : 0) + (patternGiven ? 1 : 0) + (source != null ? 1 : 0) > 1) {
            throw new CommandFailed("Only one of -z, -P, and -s can be specified at the same time");
        }
        if (unmap && !zero) {
            throw new CommandFailed("-u requires -z to be specified");
        }
        if (noFallback && !zero) {
            throw new CommandFailed("-n requires -z to be specified");
        }
        if (args.operands().size() != 2) {
            throw new CommandFailed(usage());
        }
        long offset = s.number(args.operands().get(0));
        String countArg = args.operands().get(1);
        long count = s.number(countArg);
        if (count > RequestBounds.MAX_REQUEST && !(zero && noFallback)) {
            throw new CommandFailed("length cannot exceed " + RequestBounds.MAX_REQUEST
                    + (zero ? " without -n" : "") + ", given " + countArg);
        }
        flags |= (unmap ? RequestFlags.MAY_UNMAP : 0) | (noFallback ? RequestFlags.NO_FALLBACK : 0);
        ByteBuffer buf = null;
        if (!zero) {
            buf = s.buffers(new long[] {count}, (byte) pattern)[0];
            if (source != null) {
                SourceFile.fill(s, source, buf);
            }
        }
        long start = System.nanoTime();
        try {
            if (zero) {
                RequestBounds.checkZeroes(s.node(), offset, count);
                s.node().writeZeroes(offset, count, flags);
            } else {
                s.checkBounds(offset, count);
                s.node().write(offset, IoVector.of(buf), flags);
            }
        } catch (BlockException | RuntimeException e) {
            throw new CommandFailed("write failed: " + IoSession.describe(e));
        }
        long nanos = System.nanoTime() - start;
        if (!quiet) {
            s.print(Stats.report("wrote", count, offset, nanos, machine));
        }
    }
}
