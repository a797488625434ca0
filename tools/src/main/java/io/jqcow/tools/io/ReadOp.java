package io.jqcow.tools.io;

import io.jqcow.block.BlockException;
import io.jqcow.block.IoVector;
import java.nio.ByteBuffer;
import java.util.List;

/** read [-pqv] [-P pattern [-s off] [-l len]] off len */
final class ReadOp implements IoOperation {

    @Override
    public String name() {
        return "read";
    }

    @Override
    public List<String> aliases() {
        return List.of("r");
    }

    @Override
    public String usage() {
        return "read [-abCqv] [-P pattern [-s off] [-l len]] off len -- reads a number of bytes at a specified offset";
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
        return "Cl:pP:qs:v";
    }

    @Override
    public void run(IoSession s, Getopt.Parsed args) throws CommandFailed {
        int pattern = -1;
        boolean quiet = false;
        boolean verbose = false;
        boolean machine = false;
        String patternOffsetArg = null;
        String patternCountArg = null;
        for (Getopt.Option o : args.options()) {
            switch (o.letter()) {
                case 'P' -> pattern = s.pattern(o.value());
                case 'q' -> quiet = true;
                case 'v' -> verbose = true;
                case 's' -> patternOffsetArg = o.value();
                case 'l' -> patternCountArg = o.value();
                case 'C' -> machine = true;
                default -> { } // -p: accepted and ignored, as in qemu-io
            }
        }
        if ((patternOffsetArg != null || patternCountArg != null) && pattern < 0
                || args.operands().size() != 2) {
            throw new CommandFailed(usage());
        }
        long offset = s.number(args.operands().get(0));
        long count = s.length(args.operands().get(1));
        long patternOffset = patternOffsetArg == null ? 0 : s.number(patternOffsetArg);
        long patternCount = patternCountArg == null ? count - patternOffset : s.number(patternCountArg);
        if (patternOffset + patternCount > count || patternCount < 0) {
            throw new CommandFailed("pattern verification range exceeds end of read data");
        }
        ByteBuffer buf = s.buffers(new long[] {count}, IoSession.READ_FILL)[0];
        long start = System.nanoTime();
        try {
            s.checkBounds(offset, count);
            s.node().read(offset, IoVector.of(buf), 0);
        } catch (BlockException | RuntimeException e) {
            throw new CommandFailed("read failed: " + IoSession.describe(e));
        }
        long nanos = System.nanoTime() - start;
        ReadCheck check = new ReadCheck(pattern, patternOffset, patternCount, quiet, verbose, machine);
        if (!check.finish(s, offset, IoVector.of(buf).toByteArray(), nanos)) {
            throw CommandFailed.silent();
        }
    }
}
