package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random concurrent requests, many of them aligned so they take the async fast path, through a
 * driver whose async engine completes on its own thread: no two conflicting requests may ever be in
 * the driver at once, whichever path each one took, and every request must end.
 */
class DirectAsyncConflictPropertyTest {
    private static final int BLOCK = 4096;
    private static RequestThreads threads;
    private static final AtomicInteger fastPathCalls = new AtomicInteger();

    @BeforeContainer
    static void start() {
        threads = new RequestThreads("direct-property", 8);
    }

    @AfterContainer
    static void stop() {
        threads.close();
        // The property has teeth only if the fast path was really exercised.
        if (fastPathCalls.get() == 0) {
            throw new AssertionError("no request took the async fast path");
        }
    }

    enum Kind { READ, SERIALISING_READ, WRITE, UNALIGNED_WRITE, ZEROES, TRUNCATE }

    record Op(Kind kind, int block, int blocks) {
    }

    @Provide
    Arbitrary<Op> ops() {
        return Combinators.combine(Arbitraries.of(Kind.class),
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(1, 3)).as(Op::new);
    }

    @Property(tries = 100)
    void conflictingRequestsNeverMeetWhicheverPathTheyTake(
            @ForAll @Size(min = 2, max = 12) List<@From("ops") Op> ops) throws Exception {
        AsyncRecordingDriver driver = new AsyncRecordingDriver(
                new MemoryDriver("m", 6L * BLOCK, new Limits(BLOCK, 1, 1, 8 * BLOCK, 0, 0), true, false));
        try (RequestLayer node = new RequestLayer(driver, threads)) {
            List<CompletableFuture<?>> futures = new ArrayList<>();
            for (Op op : ops) {
                futures.add(submit(node, op));
            }
            for (CompletableFuture<?> f : futures) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException ignored) {
                    // a read past a racing truncate may fail; only conflicts and hangs matter here
                }
            }
            assertEquals(List.of(), driver.checker.violations());
            assertEquals(0, node.trackedRequests().inFlightCount());
            fastPathCalls.addAndGet(driver.asyncReads.get() + driver.asyncWrites.get());
        }
    }

    private static CompletableFuture<?> submit(RequestLayer node, Op op) {
        long offset = (long) op.block() * BLOCK;
        int len = op.blocks() * BLOCK;
        return switch (op.kind()) {
            case READ -> node.readAsync(offset, IoVector.wrap(new byte[len]), 0);
            case SERIALISING_READ -> node.readAsync(offset, IoVector.wrap(new byte[len]), RequestFlags.SERIALISING);
            case WRITE -> node.writeAsync(offset, IoVector.wrap(new byte[len]), 0);
            case UNALIGNED_WRITE -> node.writeAsync(offset + 100, IoVector.wrap(new byte[len - 200]), 0);
            case ZEROES -> node.writeZeroesAsync(offset, len, RequestFlags.SERIALISING);
            case TRUNCATE -> threads.submit(() -> {
                node.truncate(offset + len, true, PreallocMode.OFF);
                return null;
            });
        };
    }
}
