package io.jqcow.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jqcow.block.BlockException;
import io.jqcow.block.IoVector;
import io.jqcow.block.RequestContext;
import io.jqcow.block.RequestFlags;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What reaches the kernel, and in which order, seen through the decorator seam on real files. */
class DriverCallOrderTest {
    @TempDir
    Path dir;

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    private FilePosixDriver open(Path p, CacheMode cache, boolean serialise) throws BlockException {
        return FilePosix.openDriver(FileOptions.defaults(p, false).withCache(cache),
                real -> new RecordingHostFile(real, log), serialise, true);
    }

    @Test
    void fuaAndFlushFollowTheCacheMode() throws Exception {
        Path p = TestSupport.newFile(dir, "a.img", new byte[65536]);
        IoVector data = IoVector.of(TestSupport.direct(TestSupport.pattern(4096, 1), 4096));
        String[][] expected = {
            // cache mode: write+FUA, then flush
            {"none", "pwritev,sync(true),sync(true)"},
            {"writeback", "pwritev,sync(true),sync(true)"},
            {"writethrough", "pwritev,sync(true)"}, // O_DSYNC already made the write durable
            {"directsync", "pwritev,sync(true)"},
            {"unsafe", "pwritev"},
        };
        for (String[] e : expected) {
            log.clear();
            FilePosixDriver d = open(p, CacheMode.parse(e[0]), false);
            try {
                d.write(RequestContext.NONE, 0, data, RequestFlags.FUA);
                d.flush();
            } finally {
                d.close();
            }
            assertEquals(e[1], String.join(",", log), e[0]);
        }
    }

    @Test
    void serialisingHappensBeforeTheFallocate() throws Exception {
        Path p = TestSupport.newFile(dir, "b.img", new byte[65536]);
        RequestContext ctx = new RequestContext() {
            @Override public long offset() { return 61440; }
            @Override public long bytes() { return 8192; }
            @Override public void widenTo(long end) { log.add("widenTo(" + end + ")"); }
            @Override public void serialise() { log.add("serialise"); }
            @Override public void waitForConflicts() { log.add("wait"); }
        };
        FilePosixDriver d = open(p, CacheMode.WRITEBACK, true);
        try {
            d.writeZeroes(ctx, 61440, 8192, 0);
        } finally {
            d.close();
        }
        assertEquals("widenTo(" + Long.MAX_VALUE + "),serialise,wait,fallocate(0x10)", String.join(",", log));
    }

    @Test
    void fullPreallocationWritesThenSyncs() throws Exception {
        Path p = TestSupport.newFile(dir, "c.img", new byte[4096]);
        FilePosixDriver d = open(p, CacheMode.WRITEBACK, false);
        try {
            d.truncate(RequestContext.NONE, 4096 + (3 << 20) / 2, true, io.jqcow.block.PreallocMode.FULL);
        } finally {
            d.close();
        }
        assertEquals("ftruncate,pwritev,pwritev,sync(true)", String.join(",", log), "1.5 MiB in 1 MiB chunks");
    }
}
