package io.jqcow.posix;

import io.jqcow.block.BlockException;
import java.nio.ByteBuffer;
import java.util.List;

/** A pass-through decorator that appends each call it sees to a shared log (e.g. "sync(true)"). */
final class RecordingHostFile extends FilePosixOpenTest.CountingHostFile {
    private final List<String> log;

    RecordingHostFile(HostFile inner, List<String> log) {
        super(inner, new java.util.concurrent.atomic.AtomicInteger());
        this.log = log;
    }

    @Override
    public long pwritev(ByteBuffer[] b, long o) throws BlockException {
        log.add("pwritev");
        return super.pwritev(b, o);
    }

    @Override
    public void fallocate(int m, long o, long l) throws BlockException {
        log.add("fallocate(0x" + Integer.toHexString(m) + ")");
        super.fallocate(m, o, l);
    }

    @Override
    public void ftruncate(long l) throws BlockException {
        log.add("ftruncate");
        super.ftruncate(l);
    }

    @Override
    public void sync(boolean d) throws BlockException {
        log.add("sync(" + d + ")");
        super.sync(d);
    }
}
