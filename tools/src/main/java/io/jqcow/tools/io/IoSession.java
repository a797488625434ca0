package io.jqcow.tools.io;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.tools.ToolEnv;
import io.jqcow.tools.cli.Buffers;
import io.jqcow.tools.cli.RequestBounds;
import io.jqcow.tools.cli.SizeParser;
import io.jqcow.tools.cli.SizeParser.SizeFormatException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The state one qemu-io script runs against: the open node, the output streams and the aio requests
 * still in flight. Output goes through here under one lock so aio completions that print from the
 * node's threads never interleave with other lines.
 */
final class IoSession {
    /** The least buffer alignment (qemu-io's qemu_blockalign never goes below a 512-byte sector). */
    static final int BUFFER_ALIGNMENT = 512;
    /** Read buffers start out filled with this, so short reads are visible. */
    static final byte READ_FILL = (byte) 0xab;
    /** The default write pattern. */
    static final int WRITE_PATTERN = 0xcd;

    private final BlockNode node;
    private final ToolEnv env;
    private final Object printLock = new Object();
    private final List<CompletableFuture<Void>> inFlight = new ArrayList<>();

    IoSession(BlockNode node, ToolEnv env) {
        this.node = node;
        this.env = env;
    }

    BlockNode node() {
        return node;
    }

    /** Prints text (one or more whole lines, each ending in \n) without interleaving. */
    void print(String text) {
        synchronized (printLock) {
            env.out().print(text);
            env.out().flush();
        }
    }

    void println(String line) {
        print(line + "\n");
    }

    /** Prints "jqcow: message" on stderr (qemu-io's error_report lines). */
    void error(String message) {
        synchronized (printLock) {
            env.error(message);
        }
    }

    /** Prints a bare line on stderr (getopt's and the dispatcher's complaints carry no prefix). */
    void errorLine(String line) {
        synchronized (printLock) {
            env.err().println(line);
            env.err().flush();
        }
    }

    /** A size or offset operand ("512", "1k", "0x200"). */
    long number(String s) throws CommandFailed {
        try {
            return SizeParser.parse(s, w -> error("warning: " + w));
        } catch (SizeFormatException e) {
            String why = e.failure() == SizeParser.Failure.TOO_LARGE ? "argument too large"
                    : "non-numeric argument, or extraneous/unrecognized suffix";
            throw new CommandFailed("Parsing error: " + why + " -- " + s);
        }
    }

    /** A request length, which the block layer caps at {@link RequestBounds#MAX_REQUEST}. */
    long length(String s) throws CommandFailed {
        long n = number(s);
        if (n > RequestBounds.MAX_REQUEST) {
            throw new CommandFailed("length cannot exceed " + RequestBounds.MAX_REQUEST + ", given " + s);
        }
        return n;
    }

    /** The lengths of a vectored request, each its own buffer. */
    long[] lengths(List<String> operands) throws CommandFailed {
        long[] out = new long[operands.size()];
        long total = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = number(operands.get(i));
            if (out[i] > RequestBounds.MAX_REQUEST) {
                throw new CommandFailed("Argument '" + operands.get(i) + "' exceeds maximum size "
                        + RequestBounds.MAX_REQUEST);
            }
            total += out[i];
            if (total > RequestBounds.MAX_REQUEST) {
                throw new CommandFailed("The total number of bytes exceed the maximum size "
                        + RequestBounds.MAX_REQUEST);
            }
        }
        return out;
    }

    /** A pattern byte like strtol(s, 0): decimal, 0x hex or 0 octal, 0..255. */
    int pattern(String s) throws CommandFailed {
        Integer value = PatternByte.parse(s);
        if (value == null) {
            throw new CommandFailed(s + " is not a valid pattern byte");
        }
        return value;
    }

    /**
     * One buffer per length, filled with fill, aligned for the node's fastest I/O (so O_DIRECT
     * nodes get 4 KiB-aligned buffers) and never less than 512.
     */
    ByteBuffer[] buffers(long[] lengths, byte fill) {
        int alignment = Math.max(BUFFER_ALIGNMENT, node.limits().optMemAlignment());
        ByteBuffer[] out = new ByteBuffer[lengths.length];
        for (int i = 0; i < lengths.length; i++) {
            out[i] = Buffers.aligned((int) lengths[i], alignment, fill);
        }
        return out;
    }

    /** Fails like qemu-io's BlockBackend for requests outside the device. */
    void checkBounds(long offset, long bytes) throws BlockException {
        RequestBounds.check(node, offset, bytes);
    }

    /** strerror-style text for a failed request. */
    static String describe(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof BlockException be) {
            return be.errno() == Errno.EUNKNOWN ? be.getMessage() : be.errno().description();
        }
        if (c instanceof OutOfMemoryError) {
            return Errno.ENOMEM.description();
        }
        return Errno.EIO.description();
    }

    /** Registers an async request so aio_flush and the end of the script wait for it. */
    void track(CompletableFuture<Void> done) {
        synchronized (inFlight) {
            inFlight.add(done);
        }
    }

    /** Waits until every tracked request has completed (their callbacks included). */
    void drain() {
        while (true) {
            List<CompletableFuture<Void>> pending;
            synchronized (inFlight) {
                pending = new ArrayList<>(inFlight);
                inFlight.clear();
            }
            if (pending.isEmpty()) {
                return;
            }
            for (CompletableFuture<Void> f : pending) {
                try {
                    f.join();
                } catch (CompletionException | java.util.concurrent.CancellationException e) {
                    // The completion callback has already reported it.
                }
            }
        }
    }
}
