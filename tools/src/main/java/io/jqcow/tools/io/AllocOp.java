package io.jqcow.tools.io;

import io.jqcow.block.BlockException;
import io.jqcow.tools.cli.HumanSize;

/** alloc offset [count]: how many bytes of the range this layer has allocated (default count 512). */
final class AllocOp implements IoOperation {

    @Override
    public String name() {
        return "alloc";
    }

    @Override
    public String usage() {
        return "alloc offset [count] -- checks if offset is allocated in the file";
    }

    @Override
    public int minArgs() {
        return 1;
    }

    @Override
    public int maxArgs() {
        return 2;
    }

    @Override
    public void run(IoSession s, Getopt.Parsed args) throws CommandFailed {
        if (args.operands().isEmpty()) {
            throw new CommandFailed(usage());
        }
        long offset = s.number(args.operands().get(0));
        long count = args.operands().size() > 1 ? s.number(args.operands().get(1)) : 512;
        long allocated = 0;
        try {
            // Like qemu-io, the range is clipped to the end of the device.
            count = Math.max(0, Math.min(count, s.node().length() - offset));
            for (long at = offset; at < offset + count; ) {
                Allocation.Run run = Allocation.runAt(s.node(), at, offset + count - at);
                if (run.allocated()) {
                    allocated += run.length();
                }
                at += run.length();
            }
        } catch (BlockException | RuntimeException e) {
            throw new CommandFailed("is_allocated failed: " + IoSession.describe(e));
        }
        s.println(allocated + "/" + count + " bytes allocated at offset " + HumanSize.of(offset));
    }
}
