package io.jqcow.posix.aio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The kernel cannot be made to return EAGAIN or partial counts on demand, so a fake submits here. */
class SubmissionQueueTest {

    private static final int EAGAIN = 11;
    private static final int EBADF = 9;

    private static SubmissionQueue<Integer> queueOf(int maxBatch, int count) {
        SubmissionQueue<Integer> q = new SubmissionQueue<>(maxBatch);
        for (int i = 0; i < count; i++) {
            q.add(i);
        }
        return q;
    }

    @Test
    @SuppressWarnings("unchecked")
    void eagainPutsTheWholeBatchBackAndTheRetrySubmitsItInOrder() {
        SubmissionQueue<Integer> q = queueOf(4, 6);
        SubmissionQueue.BatchSubmitter<Integer> kernel = mock(SubmissionQueue.BatchSubmitter.class);
        List<List<Integer>> seen = new ArrayList<>();
        when(kernel.submit(anyList())).thenAnswer(inv -> {
            seen.add(List.copyOf(inv.getArgument(0)));
            return seen.size() == 1 ? -EAGAIN : (long) ((List<Integer>) inv.getArgument(0)).size();
        });
        SubmissionQueue.Round first = q.submitOnce(kernel, (r, e) -> { }, 100);
        assertEquals(SubmissionQueue.Outcome.BUSY, first.outcome());
        assertEquals(0, first.submitted());
        assertEquals(6, q.size());
        assertEquals(new SubmissionQueue.Round(SubmissionQueue.Outcome.SUBMITTED, 4), q.submitOnce(kernel, (r, e) -> { }, 100));
        assertEquals(new SubmissionQueue.Round(SubmissionQueue.Outcome.SUBMITTED, 2), q.submitOnce(kernel, (r, e) -> { }, 100));
        assertEquals(SubmissionQueue.Outcome.EMPTY, q.submitOnce(kernel, (r, e) -> { }, 100).outcome());
        assertEquals(List.of(List.of(0, 1, 2, 3), List.of(0, 1, 2, 3), List.of(4, 5)), seen);
        verify(kernel, times(3)).submit(anyList());
    }

    @Test
    void partialSubmitResubmitsTheRestFirst() {
        SubmissionQueue<Integer> q = queueOf(8, 10);
        List<List<Integer>> seen = new ArrayList<>();
        SubmissionQueue.BatchSubmitter<Integer> takesThree = b -> {
            seen.add(List.copyOf(b));
            return Math.min(3, b.size());
        };
        int total = 0;
        while (!q.isEmpty()) {
            total += q.submitOnce(takesThree, (r, e) -> { }, 100).submitted();
        }
        assertEquals(10, total);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), seen.get(0));
        assertEquals(List.of(3, 4, 5, 6, 7, 8, 9), seen.get(1));
        assertEquals(List.of(6, 7, 8, 9), seen.get(2));
        assertEquals(List.of(9), seen.get(3));
    }

    @Test
    void anErrorRejectsOnlyTheFirstRequest() {
        SubmissionQueue<Integer> q = queueOf(4, 3);
        Map<Integer, Integer> rejected = new HashMap<>();
        SubmissionQueue.Round r = q.submitOnce(b -> b.get(0) == 0 ? -EBADF : b.size(), rejected::put, 100);
        assertEquals(SubmissionQueue.Outcome.SUBMITTED, r.outcome());
        assertEquals(Map.of(0, EBADF), rejected);
        assertEquals(2, q.size());
        assertEquals(2, q.submitOnce(b -> b.size(), rejected::put, 100).submitted());
    }

    @Test
    void batchIsLimitedByRoomAndBatchSize() {
        SubmissionQueue<Integer> q = queueOf(5, 20);
        List<Integer> sizes = new ArrayList<>();
        SubmissionQueue.BatchSubmitter<Integer> all = b -> {
            sizes.add(b.size());
            return b.size();
        };
        q.submitOnce(all, (r, e) -> { }, 100);
        q.submitOnce(all, (r, e) -> { }, 2);
        assertEquals(List.of(5, 2), sizes);
        assertEquals(SubmissionQueue.Outcome.EMPTY, q.submitOnce(all, (r, e) -> { }, 0).outcome());
        assertEquals(13, q.size());
    }

    /** Whatever mix of EAGAIN and partial counts the kernel returns, every request goes in exactly once, in order. */
    @Property(tries = 200)
    void nothingIsDroppedOrReordered(@ForAll @IntRange(min = 1, max = 40) int maxBatch,
                                     @ForAll @IntRange(min = 0, max = 200) int count,
                                     @ForAll("responses") List<Integer> script) {
        SubmissionQueue<Integer> q = queueOf(maxBatch, count);
        List<Integer> accepted = new ArrayList<>();
        int[] step = {0};
        SubmissionQueue.BatchSubmitter<Integer> fake = b -> {
            int s = script.isEmpty() ? -1 : script.get(step[0] % script.size());
            step[0]++;
            long n = s < 0 ? -EAGAIN : Math.min(b.size(), Math.max(1, s));
            if (step[0] > 10 * (count + 1)) {
                n = b.size(); // the script may be all EAGAIN; the kernel eventually makes progress
            }
            for (int i = 0; i < n; i++) {
                accepted.add(b.get(i));
            }
            return n;
        };
        int rounds = 0;
        while (!q.isEmpty()) {
            q.submitOnce(fake, (r, e) -> { throw new AssertionError("no rejects expected"); }, 1000);
            assertTrue(++rounds < 100_000);
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(i);
        }
        assertEquals(expected, accepted);
    }

    @Provide
    Arbitrary<List<Integer>> responses() {
        return Arbitraries.integers().between(-1, 50).list().ofMaxSize(20);
    }
}
