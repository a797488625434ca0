package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 * Random concurrent requests through a RequestLayer whose driver checks, on every call, that no
 * conflicting tracked request is inside the driver at the same time. The driver widens its
 * write-zeroes to the end and serialises them half the time (as file-posix does past EOF on XFS).
 */
class RequestLayerConflictPropertyTest {
    private static RequestThreads threads;

    @BeforeContainer
    static void start() {
        threads = new RequestThreads("conflict-property", 8);
    }

    @AfterContainer
    static void stop() {
        threads.close();
    }

    enum Kind { READ, SERIALISING_READ, WRITE, ZEROES, DISCARD, TRUNCATE, FLUSH }

    record Op(Kind kind, int offset, int length) {
    }

    @Provide
    Arbitrary<Op> ops() {
        return Combinators.combine(Arbitraries.of(Kind.class),
                Arbitraries.integers().between(0, 20_000),
                Arbitraries.integers().between(1, 9_000)).as(Op::new);
    }

    /** A checked MemoryDriver whose write-zeroes on even 4K blocks widen to the end and serialise. */
    static final class CheckingDriver extends CheckedDriver {
        CheckingDriver(BlockDriver inner) {
            super(inner);
        }

        @Override
        public void writeZeroes(RequestContext ctx, long offset, long bytes, int flags) throws BlockException {
            if ((offset / 4096) % 2 == 0) {
                ctx.widenTo(Long.MAX_VALUE);
                ctx.serialise();
                ctx.waitForConflicts();
            }
            super.writeZeroes(ctx, offset, bytes, flags);
        }
    }

    @Property(tries = 100)
    void conflictingRequestsNeverMeetInTheDriver(@ForAll @Size(min = 2, max = 10) List<@From("ops") Op> ops)
            throws Exception {
        CheckingDriver driver = new CheckingDriver(new MemoryDriver(16384, new Limits(4096, 1, 1, 8192, 0, 0)));
        try (RequestLayer node = new RequestLayer(driver, threads)) {
            List<CompletableFuture<?>> futures = new ArrayList<>();
            for (Op op : ops) {
                futures.add(submit(node, op));
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            assertEquals(List.of(), driver.checker.violations());
            assertEquals(0, node.trackedRequests().inFlightCount());
        }
    }

    private static CompletableFuture<?> submit(RequestLayer node, Op op) {
        return switch (op.kind()) {
            case READ -> node.readAsync(op.offset(), IoVector.wrap(new byte[op.length()]), 0);
            case SERIALISING_READ -> node.readAsync(op.offset(), IoVector.wrap(new byte[op.length()]),
                    RequestFlags.SERIALISING);
            case WRITE -> node.writeAsync(op.offset(), IoVector.wrap(new byte[op.length()]), 0);
            case ZEROES -> node.writeZeroesAsync(op.offset(), op.length(), 0);
            case DISCARD -> node.discardAsync(op.offset(), op.length());
            case FLUSH -> node.flushAsync();
            case TRUNCATE -> threads.submit(() -> {
                node.truncate(op.offset(), true, PreallocMode.OFF);
                return null;
            });
        };
    }
}
