package io.jqcow.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The classic 512-on-4K problem: sixteen concurrent 512-byte writes into blocks larger than a
 * sector all survive. The driver pauses in reads so an unserialised read-modify-write would lose
 * writes almost every run.
 */
class SectorWritesTest {
    private final RequestThreads threads = new RequestThreads("sector-test", 16);

    @AfterEach
    void stop() {
        threads.close();
    }

    /** 8192: all sixteen sectors share one block; 4096: eight per block. */
    @ParameterizedTest
    @ValueSource(ints = {4096, 8192, 4096, 8192, 4096})
    void sixteenConcurrentSectorWritesAllSurvive(int blockSize) throws Exception {
        Limits limits = new Limits(blockSize, 1, 1, 0, 0, 0);
        RecordingDriver rec = new RecordingDriver(new MemoryDriver(8192, limits)).pauseInReads();
        try (RequestLayer node = new RequestLayer(rec, threads)) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                byte[] sector = new byte[512];
                Arrays.fill(sector, (byte) (i + 1));
                writes.add(node.writeAsync(i * 512L, IoVector.wrap(sector), 0));
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            byte[] back = new byte[8192];
            node.read(0, back, 0, back.length);
            for (int i = 0; i < 16; i++) {
                byte[] expected = new byte[512];
                Arrays.fill(expected, (byte) (i + 1));
                assertArrayEquals(expected, Arrays.copyOfRange(back, i * 512, i * 512 + 512), "sector " + i);
            }
            assertEquals(0, node.trackedRequests().inFlightCount());
        }
    }
}
