package io.jqcow.tools.convert;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.IoVector;
import io.jqcow.block.RequestFlags;
import io.jqcow.image.ConvertSourceChain.Kind;
import io.jqcow.qcow2.Qcow2Driver;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * The copy loop: chunks from the planner are read with the async API into a fixed set of slots
 * (one 2 MiB buffer each, so memory stays bounded whatever the image size), analysed, and written.
 * Reads of up to {@code workers} chunks overlap; writes follow one another in target order unless
 * -W allows them to overlap too (qemu-img's coroutine scheme expressed as future chains).
 */
final class CopyPipeline implements AutoCloseable {
    private final SourceSet sources;
    private final BlockNode target;
    private final BlockNode targetBacking;
    private final Qcow2Driver compressor;
    private final CopyOptions options;
    private final ChunkAnalyzer analyzer;
    private final ExecutorService cpu;
    private final LongConsumer dataDone;

    /** One chunk's buffers, reused for the whole run. */
    private static final class Slot {
        final ByteBuffer data = AlignedBuffers.allocate(ChunkPlanner.CHUNK_SIZE, 4096);
        ByteBuffer base;
    }

    /**
     * @param targetBacking the target's backing node (equal clusters are skipped), or null
     * @param compressor    the qcow2 target driver for -c, else null
     * @param dataDone      told the size of every finished data chunk (progress)
     */
    CopyPipeline(SourceSet sources, BlockNode target, BlockNode targetBacking, Qcow2Driver compressor,
                 CopyOptions options, LongConsumer dataDone) {
        this.sources = sources;
        this.target = target;
        this.targetBacking = targetBacking;
        this.compressor = compressor;
        this.options = options;
        this.analyzer = new ChunkAnalyzer(options, targetBacking != null);
        AtomicInteger n = new AtomicInteger();
        this.cpu = Executors.newFixedThreadPool(options.workers(), r -> {
            Thread t = new Thread(r, "jqcow-convert-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.dataDone = dataDone;
    }

    /** Copies every chunk; the first failure stops the loop and is thrown once in-flight work ends. */
    void run(ChunkPlanner planner) throws BlockException, InterruptedException {
        BlockingQueue<Slot> free = new ArrayBlockingQueue<>(options.workers());
        for (int i = 0; i < options.workers(); i++) {
            free.add(new Slot());
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CompletableFuture<Void> lastWrite = CompletableFuture.completedFuture(null);
        Chunk chunk;
        while (failure.get() == null && (chunk = nextOrNull(planner)) != null) {
            Slot slot = free.take();
            Chunk c = chunk;
            CompletableFuture<List<WriteRun>> plan = prepare(c, slot);
            CompletableFuture<Void> previous = lastWrite;
            CompletableFuture<Void> written = options.inOrder()
                    ? plan.thenCompose(runs -> previous.thenCompose(v -> write(c, slot, runs, 0)))
                    : plan.thenCompose(runs -> write(c, slot, runs, 0));
            if (options.inOrder()) {
                lastWrite = written;
            }
            written.whenComplete((v, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, unwrap(e));
                } else if (c.kind() == Kind.DATA) {
                    dataDone.accept(c.length());
                }
                free.add(slot);
            });
        }
        for (int i = 0; i < options.workers(); i++) {
            free.take();
        }
        Throwable t = failure.get();
        if (t == null && planError != null) {
            t = planError;
        }
        if (t instanceof ConvertFailure cf) {
            throw cf;
        }
        if (t instanceof BlockException be) {
            throw be;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    private BlockException planError;

    /** Block status failures end the loop like copy failures, after in-flight chunks finish. */
    private Chunk nextOrNull(ChunkPlanner planner) {
        try {
            return planner.next();
        } catch (BlockException e) {
            planError = e;
            return null;
        }
    }

    private CompletableFuture<List<WriteRun>> prepare(Chunk c, Slot slot) {
        if (c.kind() == Kind.BACKING) {
            return CompletableFuture.completedFuture(List.of());
        }
        CompletableFuture<Void> reads = CompletableFuture.completedFuture(null);
        ByteBuffer data = slot.data.duplicate().clear().limit(c.length());
        if (c.kind() == Kind.DATA) {
            reads = tagged(sources.readAsync(c.offset(), data), "reading", c.offset());
        }
        if (targetBacking != null) {
            if (slot.base == null) {
                slot.base = AlignedBuffers.allocate(ChunkPlanner.CHUNK_SIZE, 4096);
            }
            ByteBuffer base = slot.base.duplicate().clear().limit(c.length());
            reads = CompletableFuture.allOf(reads, tagged(readBacking(c.offset(), base), "reading", c.offset()));
        }
        ByteBuffer base = slot.base;
        return reads.thenApplyAsync(v -> analyzer.plan(c, data, base), cpu);
    }

    /** The backing file may be shorter than the target: beyond its end it reads as zeroes. */
    private CompletableFuture<Void> readBacking(long offset, ByteBuffer buf) {
        long len;
        try {
            len = targetBacking.length();
        } catch (BlockException e) {
            return CompletableFuture.failedFuture(e);
        }
        int real = (int) Math.max(0, Math.min(buf.remaining(), len - offset));
        for (int i = real; i < buf.limit(); i++) {
            buf.put(i, (byte) 0);
        }
        if (real == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return targetBacking.readAsync(offset, IoVector.of(buf.duplicate().limit(real)), 0);
    }

    /** Issues the runs of one chunk one after another. */
    private CompletableFuture<Void> write(Chunk c, Slot slot, List<WriteRun> runs, int index) {
        if (index == runs.size()) {
            return CompletableFuture.completedFuture(null);
        }
        WriteRun r = runs.get(index);
        long off = c.offset() + r.at();
        CompletableFuture<Void> f = switch (r.type()) {
            case WRITE -> target.writeAsync(off, IoVector.of(slot.data.slice(r.at(), r.length())), 0);
            case ZERO -> target.writeZeroesAsync(off, r.length(), RequestFlags.MAY_UNMAP);
            case COMPRESS -> CompletableFuture.runAsync(() -> compress(off, slot.data.slice(r.at(), r.length())), cpu);
        };
        return tagged(f, "writing", off).thenCompose(v -> write(c, slot, runs, index + 1));
    }

    private void compress(long offset, ByteBuffer data) {
        try {
            compressor.writeCompressed(offset, IoVector.of(data));
        } catch (BlockException e) {
            throw new CompletionException(e);
        }
    }

    private static CompletableFuture<Void> tagged(CompletableFuture<Void> f, String what, long offset) {
        return f.handle((v, e) -> {
            if (e == null) {
                return null;
            }
            Throwable cause = unwrap(e);
            String why = cause instanceof BlockException be ? be.errno().description() : String.valueOf(cause);
            throw new CompletionException(new ConvertFailure("error while " + what + " at byte " + offset + ": " + why,
                    cause));
        });
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public void close() {
        cpu.shutdown();
    }
}
