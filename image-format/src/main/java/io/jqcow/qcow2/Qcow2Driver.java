package io.jqcow.qcow2;

import io.jqcow.block.BlockDriver;
import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.BlockStatus;
import io.jqcow.block.Errno;
import io.jqcow.block.IoVector;
import io.jqcow.block.Limits;
import io.jqcow.block.PreallocMode;
import io.jqcow.block.RequestContext;
import io.jqcow.block.RequestFlags;
import java.util.Map;

/** The qcow2 format driver: a BlockDriver over a file node (plus optional data file and backing). */
public final class Qcow2Driver implements BlockDriver {
    private final Qcow2State s;
    private final ClusterMapper mapper;
    private final Qcow2Reader reader;
    private final Qcow2Writer writer;
    private boolean closed;

    private Qcow2Driver(Qcow2State s) {
        this.s = s;
        this.mapper = new ClusterMapper(s);
        this.reader = new Qcow2Reader(s, mapper);
        this.writer = new Qcow2Writer(s, mapper, reader);
    }

    /**
     * Opens a qcow2 image on {@code file}. The driver owns the file, data file and backing nodes
     * from then on and closes them.
     */
    public static Qcow2Driver open(BlockNode file, boolean readOnly, boolean openBacking, Map<String, String> extra,
                                   ChildOpener children) throws BlockException {
        return new Qcow2Driver(Qcow2Opener.open(file, readOnly, openBacking, Qcow2Options.parse(extra), children));
    }

    public Qcow2Header header() {
        return s.header();
    }

    public HeaderExtensions extensions() {
        return s.extensions();
    }

    public String backingFileName() {
        return s.backingName();
    }

    public BlockNode backingNode() {
        return s.backing;
    }

    public BlockNode fileNode() {
        return s.file;
    }

    public BlockNode dataFileNode() {
        return s.dataFile;
    }

    public SnapshotTable snapshots() {
        return s.snapshots();
    }

    /** qemu-img snapshot -c: a disk-only internal snapshot of the current state. */
    public void createSnapshot(String name) throws BlockException {
        checkWritable(0);
        new Qcow2Snapshots(s).create(name, System.currentTimeMillis());
    }

    /** Deletes a snapshot by id or, failing that, by name. */
    public void deleteSnapshot(String idOrName) throws BlockException {
        checkWritable(0);
        new Qcow2Snapshots(s).delete(idOrName);
    }

    /** qemu-img snapshot -d: the first snapshot with this name (ids are not looked at). */
    public void deleteSnapshotNamed(String name) throws BlockException {
        checkWritable(0);
        new Qcow2Snapshots(s).deleteNamed(name);
    }

    /** qemu-img snapshot -a (by id or name). */
    public void applySnapshot(String idOrName) throws BlockException {
        checkWritable(0);
        new Qcow2Snapshots(s).apply(idOrName);
    }

    /**
     * Rewrites the backing file name and format in the header (qemu-img rebase -u); null removes
     * the backing file. The open backing node is not changed.
     */
    public void changeBackingFile(String name, String format) throws BlockException {
        checkWritable(0);
        s.lock.lock();
        try {
            s.flushMetadata();
            s.changeBackingFile(name, format);
        } finally {
            s.lock.unlock();
        }
    }

    /** qemu-img amend for compat and lazy_refcounts. */
    public void amend(Map<String, String> options) throws BlockException {
        checkWritable(0);
        new Qcow2Amend(s).amend(options);
    }

    /** The format-specific facts qemu-img info prints. */
    public Qcow2Info info() {
        return Qcow2Info.of(s.header(), s.extensions(), s.backingName(), s.snapshots());
    }

    @Override
    public String name() {
        return s.file.name();
    }

    @Override
    public String formatName() {
        return "qcow2";
    }

    @Override
    public Limits limits() {
        Limits f = s.file.limits();
        return new Limits(1, f.memAlignment(), f.optMemAlignment(), 0, s.geometry().clusterSize(),
                s.geometry().clusterSize());
    }

    @Override
    public long length() {
        return s.header().size();
    }

    @Override
    public boolean isReadOnly() {
        return s.readOnly();
    }

    @Override
    public void read(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
        reader.read(offset, qiov);
    }

    @Override
    public void write(RequestContext ctx, long offset, IoVector qiov, int flags) throws BlockException {
        checkWritable(offset);
        writer.write(offset, qiov);
        if (RequestFlags.has(flags, RequestFlags.FUA)) {
            flush();
        }
    }

    /** Writes whole clusters compressed (qemu-img convert -c); unaligned tails are zero-padded. */
    public void writeCompressed(long offset, IoVector qiov) throws BlockException {
        checkWritable(offset);
        writer.writeCompressed(offset, qiov);
    }

    @Override
    public void writeZeroes(RequestContext ctx, long offset, long bytes, int flags) throws BlockException {
        checkWritable(offset);
        writer.writeZeroes(offset, bytes, flags);
    }

    @Override
    public void discard(RequestContext ctx, long offset, long bytes) throws BlockException {
        checkWritable(offset);
        if (s.options.discardUnmap()) {
            writer.discard(offset, bytes);
        }
    }

    @Override
    public void flush() throws BlockException {
        if (s.readOnly()) {
            return;
        }
        s.checkUsable();
        s.lock.lock();
        try {
            s.flushMetadata();
        } finally {
            s.lock.unlock();
        }
        if (s.dataFile != null) {
            s.dataFile.flush();
        }
    }

    @Override
    public void truncate(RequestContext ctx, long length, boolean exact, PreallocMode prealloc) throws BlockException {
        checkWritable(length);
        writer.truncate(length, prealloc);
    }

    @Override
    public BlockStatus blockStatus(long offset, long bytes) throws BlockException {
        s.checkUsable();
        ClusterMapper.Extent e;
        s.lock.lock();
        try {
            e = mapper.map(offset, Math.min(bytes, s.header().size() - offset));
        } finally {
            s.lock.unlock();
        }
        BlockNode host = s.dataNode();
        return switch (e.type()) {
            case NORMAL -> BlockStatus.data(offset, e.bytes(), e.host(), host);
            case COMPRESSED -> new BlockStatus(offset, e.bytes(), true, false, true, -1, null);
            case ZERO_ALLOC -> new BlockStatus(offset, e.bytes(), false, true, true, e.host(), host);
            case ZERO_PLAIN -> BlockStatus.zero(offset, e.bytes(), true);
            default -> BlockStatus.unallocated(offset, e.bytes());
        };
    }

    @Override
    public boolean allocZeroWritesAllowed() {
        return switch (s.options.allocZeroWrites()) {
            case "on" -> true;
            case "off" -> false;
            default -> s.file.driver() == null || s.file.driver().allocZeroWritesAllowed();
        };
    }

    @Override
    public void close() throws BlockException {
        if (closed) {
            return;
        }
        closed = true;
        BlockException first = null;
        try {
            if (!s.readOnly() && s.checkUsableQuietly()) {
                flush();
                s.lock.lock();
                try {
                    s.markClean();
                } finally {
                    s.lock.unlock();
                }
            }
        } catch (BlockException e) {
            first = e;
        }
        for (BlockNode n : new BlockNode[] {s.backing, s.dataFile, s.file}) {
            if (n != null) {
                try {
                    n.close();
                } catch (BlockException e) {
                    first = first == null ? e : first;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void checkWritable(long offset) throws BlockException {
        if (s.readOnly()) {
            throw new BlockException(Errno.EROFS, offset, "image is opened read-only");
        }
        s.checkUsable();
    }
}
