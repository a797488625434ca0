package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.block.PreallocMode;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * Creates a qcow2 image on an (empty) file node, laid out like qemu-img: header in cluster 0,
 * refcount table in cluster 1, refcount block 0 in cluster 2, then the L1 table, then (with
 * preallocation) each L2 table followed by the data clusters it maps.
 */
public final class Qcow2Create {
    private Qcow2Create() {
    }

    /**
     * @param dataFile the external data file node (when the options name one), else null
     * @param backingSize size of the backing image, used when options.size() is -1
     */
    public static void create(BlockNode file, Qcow2CreateOptions o, BlockNode dataFile, long backingSize)
            throws BlockException {
        long size = o.size() >= 0 ? o.size() : backingSize;
        if (size < 0) {
            throw new BlockException(Errno.EINVAL, "Image creation needs a size parameter");
        }
        size = (size + 511) & ~511L;
        int cb = Integer.numberOfTrailingZeros(o.clusterSize());
        int cs = o.clusterSize();
        int order = Integer.numberOfTrailingZeros(o.refcountBits());
        long incompat = 0;
        long autoclear = 0;
        if (o.extendedL2()) {
            incompat |= Qcow2Header.INCOMPAT_EXTL2;
        }
        if (o.compression() != 0) {
            incompat |= Qcow2Header.INCOMPAT_COMPRESSION;
        }
        if (o.dataFile() != null) {
            incompat |= Qcow2Header.INCOMPAT_DATA_FILE;
            if (o.dataFileRaw()) {
                autoclear |= Qcow2Header.AUTOCLEAR_DATA_FILE_RAW;
            }
        }
        Qcow2Header h = new Qcow2Header(o.version(), 0, 0, cb, 0, 0, 0, 0, cs, 1, 0, 0, incompat,
                o.lazyRefcounts() ? Qcow2Header.COMPAT_LAZY_REFCOUNTS : 0, autoclear, order,
                o.version() == 2 ? Qcow2Header.V2_LENGTH : Qcow2Header.V3_LENGTH, o.compression(), new byte[0]);
        String backingFormat = o.backingFile() != null ? o.backingFormat() : null;
        HeaderExtensions ext = new HeaderExtensions(backingFormat, o.dataFile(), List.of(), null, null, List.of());
        HeaderCodec.Encoded enc = HeaderCodec.encode(h, ext, o.backingFile());
        file.truncate(0, true, PreallocMode.OFF);
        file.write(0, enc.cluster());
        ByteBuffer table = ByteBuffer.allocate(cs);
        table.putLong(0, 2L * cs);
        file.write(cs, table);
        ByteBuffer block = ByteBuffer.allocate(cs);
        for (int c = 0; c < 3; c++) {
            RefcountEntries.set(block, order, c, 1);
        }
        file.write(2L * cs, block);
        file.flush();
        if (dataFile != null) {
            dataFile.truncate(0, true, PreallocMode.OFF);
        }
        ChildOpener children = new ChildOpener() {
            @Override
            public BlockNode openBacking(String name, String format) throws BlockException {
                throw new IllegalStateException("backing is not opened during create");
            }

            @Override
            public BlockNode openDataFile(String name, boolean readOnly) {
                return dataFile;
            }
        };
        Qcow2State s = Qcow2Opener.open(file, false, false, Qcow2Options.parse(Map.of()), children);
        ClusterMapper mapper = new ClusterMapper(s);
        L2Tables tables = new L2Tables(s);
        s.lock.lock();
        try {
            long need = s.geometry().l1EntriesFor(size);
            if (need > 0) {
                tables.growL1(need);
            }
            s.setSize(size);
            PreallocMode mode = o.dataFileRaw() && o.prealloc() == PreallocMode.OFF ? PreallocMode.METADATA : o.prealloc();
            if ((mode == PreallocMode.FALLOC || mode == PreallocMode.FULL) && dataFile == null) {
                preallocateArea(s, mapper, tables, size, mode);
            } else if (mode != PreallocMode.OFF) {
                Preallocator.mapClusters(s, mapper, tables, 0, size);
                s.flushMetadata();
                if (dataFile != null) {
                    dataFile.truncate(size, true, o.prealloc() == PreallocMode.METADATA ? PreallocMode.OFF : o.prealloc());
                } else {
                    long end = s.geometry().offsetOf(s.allocator().highestEnd());
                    if (end > file.length()) {
                        file.truncate(end, true, mode == PreallocMode.METADATA ? PreallocMode.OFF : mode);
                    }
                }
            } else if (dataFile != null) {
                dataFile.truncate(size, true, PreallocMode.OFF);
            }
            s.flushMetadata();
        } finally {
            s.lock.unlock();
        }
        // Leave the children to the caller: the state does not own them during create.
    }

    /**
     * falloc/full: the data area is reserved in one piece after fresh refcount structures and
     * preallocated in the file; L2 tables then go to the first free clusters.
     */
    private static void preallocateArea(Qcow2State s, ClusterMapper mapper, L2Tables tables, long size,
                                        PreallocMode mode) throws BlockException {
        Geometry g = s.geometry();
        long clusters = (size + g.clusterMask()) >>> g.clusterBits();
        long l2Tables = g.l1EntriesFor(size);
        long first = s.allocator().reserveAreaAtEnd(clusters, clusters + l2Tables);
        s.flushMetadata();
        s.file.truncate(g.offsetOf(first + clusters), true, mode);
        for (long c = 0; c < clusters; c++) {
            long guest = c << g.clusterBits();
            tables.ensureWritable(guest);
            s.l2Cache().dependOn(s.refcounts().cache());
            mapper.setEntry(guest, new L2Entry(g.offsetOf(first + c) | L2Entry.COPIED, 0));
        }
    }

}
