package io.jqcow.tools.convert;

import io.jqcow.block.AlignedBuffers;
import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.IoVector;
import io.jqcow.block.RequestFlags;
import io.jqcow.image.ConvertSourceChain.Kind;
import com.google.common.util.concurrent.RateLimiter;
import io.jqcow.qcow2.Qcow2Driver;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
    private final ReadRecovery recovery;
    private final BlockNode target;
    private final Qcow2Driver compressor;
    private final CopyOptions options;
    private final ChunkAnalyzer analyzer;
    private final LongConsumer dataDone;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** One chunk's buffer, reused for the whole run. */
    private static final class Slot {
        final ByteBuffer data = AlignedBuffers.allocate(ChunkPlanner.CHUNK_SIZE, 4096);
    }

    /**
     * @param targetBacking the target's backing node (its length decides where zeroes are written), or null
     * @param compressor    the qcow2 target driver for -c, else null
     * @param dataDone      told the size of every finished data chunk (progress)
     */
    CopyPipeline(SourceSet sources, BlockNode target, BlockNode targetBacking, Qcow2Driver compressor,
                 CopyOptions options, LongConsumer dataDone) throws BlockException {
        this(sources, ReadRecovery.strict(sources), target, targetBacking, compressor, options, dataDone);
    }

    /** @param recovery what a failed source read turns into (--salvage or the error) */
    CopyPipeline(SourceSet sources, ReadRecovery recovery, BlockNode target, BlockNode targetBacking,
                 Qcow2Driver compressor, CopyOptions options, LongConsumer dataDone) throws BlockException {
        this.sources = sources;
        this.recovery = recovery;
        this.target = target;
        this.compressor = compressor;
        this.options = options;
        this.analyzer = new ChunkAnalyzer(options, targetBacking == null ? -1 : targetBacking.length(),
                compressor == null ? null
                : new CompressionProbe(compressor.header().compressionType(), options.clusterSize()));
        this.dataDone = dataDone;
    }

    /** Copies every chunk; the first failure stops the loop and is thrown once in-flight work ends. */
    void run(ChunkPlanner planner) throws BlockException, InterruptedException {
        run(planner, 0);
    }

    /**
     * As {@link #run(ChunkPlanner)}, at most {@code bytesPerSecond} of the image per second (-r; 0 =
     * unlimited). The planning loop waits for its permits, so no request thread ever sleeps.
     */
    @SuppressWarnings("UnstableApiUsage")
    void run(ChunkPlanner planner, long bytesPerSecond) throws BlockException, InterruptedException {
        RateLimiter limiter = bytesPerSecond > 0 ? RateLimiter.create(bytesPerSecond) : null;
        BlockingQueue<Slot> free = new ArrayBlockingQueue<>(options.workers());
        for (int i = 0; i < options.workers(); i++) {
            free.add(new Slot());
        }
        WriteSequencer sequencer = new WriteSequencer(options.workers());
        Chunk chunk;
        while (failure.get() == null && (chunk = nextOrNull(planner)) != null) {
            if (limiter != null) {
                limiter.acquire(Math.max(1, chunk.length()));
            }
            Slot slot = free.take();
            Chunk c = chunk;
            prepare(c, slot).whenComplete((runs, e) -> {
                if (e != null) {
                    fail(e);
                }
                Runnable write = () -> {
                    if (runs != null && failure.get() == null) {
                        write(c, slot, runs);
                    }
                    if (failure.get() == null) {
                        dataDone.accept(c.dataBytes());
                    }
                    free.add(slot);
                };
                if (options.inOrder()) {
                    sequencer.submit(c.seq(), write);
                } else {
                    write.run();
                }
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

    private void fail(Throwable e) {
        failure.compareAndSet(null, unwrap(e));
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
        List<CompletableFuture<Void>> reads = new ArrayList<>(c.pieces().size() + 1);
        ByteBuffer data = slot.data.duplicate().clear().limit(c.length());
        for (int[] span : ReadSpans.of(c)) {
            reads.add(recovery.read(c, span[0], span[1], data));
        }
        CompletableFuture<Void> all = reads.size() == 1 ? reads.get(0)
                : CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new));
        return all.thenApply(v -> analyzer.plan(c, data));
    }

    /**
     * Issues the runs of one chunk one after another, on the calling thread: the thread that
     * finished the read (or the previous write) goes straight on, which is what keeps in-order
     * writes from paying a thread hand-off each.
     */
    private void write(Chunk c, Slot slot, List<WriteRun> runs) {
        for (WriteRun r : runs) {
            long off = c.offset() + r.at();
            try {
                switch (r.type()) {
                    case WRITE -> target.write(off, IoVector.of(slot.data.slice(r.at(), r.length())), 0);
                    case ZERO -> target.writeZeroes(off, r.length(), RequestFlags.MAY_UNMAP);
                    case COMPRESS -> compressor.writeCompressed(off, IoVector.of(slot.data.slice(r.at(), r.length())));
                }
            } catch (BlockException | RuntimeException e) {
                String why = e instanceof BlockException be ? be.errno().description() : String.valueOf(e);
                fail(new ConvertFailure("error while writing at byte " + off + ": " + why, e));
                return;
            }
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
        // nothing of its own to release: buffers are garbage once the slots are
    }
}
