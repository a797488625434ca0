package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.block.PreallocMode;
import io.jqcow.block.RequestLayer;
import io.jqcow.block.RequestThreads;
import io.jqcow.posix.CacheMode;
import io.jqcow.posix.FileNodeOpener;
import io.jqcow.posix.FileOptions;
import io.jqcow.posix.FilePosix;
import io.jqcow.posix.LockRequest;
import io.jqcow.qcow2.Qcow2Create;
import io.jqcow.qcow2.Qcow2CreateOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Creates the target of qemu-img convert (raw or qcow2) over file-posix, in the target's cache
 * mode: with convert's default "unsafe" nothing is synced, where {@link ImageCreator} (qemu-img
 * create) syncs every step. An fdatasync right after gigabytes of earlier writes can take a second.
 */
public final class ConvertTargets {
    private static final int FIRST_BLOCK = 4096;

    private ConvertTargets() {
    }

    /**
     * @param size    virtual size in bytes
     * @param options the target's -o options (backing_file/backing_fmt included)
     */
    public static void create(Path path, String format, long size, Map<String, String> options, CacheMode cache)
            throws BlockException {
        try (RequestThreads threads = new RequestThreads("jqcow-create", 4)) {
            FileNodeOpener files = new FileNodeOpener(FileNodeOpener.environmentPolicy(), threads, null);
            ImageOpener.ProtocolOpener protocol = fo -> files.open(fo, LockRequest.sharingAll(fo.readOnly()));
            switch (format) {
                case "raw" -> createRaw(protocol, path, size, options, cache);
                case "qcow2" -> {
                    ImageOpener opener = new ImageOpener(protocol, d -> new RequestLayer(d, threads, false),
                            warning -> { });
                    createQcow2(protocol, opener, path, size, options, cache);
                }
                default -> throw new BlockException(Errno.EINVAL, "Unknown file format '" + format + "'");
            }
        }
    }

    private static void createRaw(ImageOpener.ProtocolOpener protocol, Path path, long size,
                                  Map<String, String> options, CacheMode cache) throws BlockException {
        PreallocMode mode = PreallocMode.parse(options.getOrDefault("preallocation", "off"));
        makeEmpty(path);
        try (BlockNode file = protocol.open(FileOptions.defaults(path, false).withCache(cache))) {
            file.truncate(size, true, mode);
            file.flush();
        }
        if (size > 0 && mode == PreallocMode.OFF) {
            allocateFirstBlock(path, (int) Math.min(size, FIRST_BLOCK));
        }
    }

    private static void createQcow2(ImageOpener.ProtocolOpener protocol, ImageOpener opener, Path path, long size,
                                    Map<String, String> options, CacheMode cache) throws BlockException {
        Map<String, String> opts = new HashMap<>(options);
        opts.remove("size");
        Qcow2CreateOptions o = Qcow2CreateOptions.parse(opts, size);
        long backingSize = -1;
        if (o.backingFile() != null) {
            Path b = ImageOpener.resolve(path.toAbsolutePath().getParent(), o.backingFile());
            try (BlockNode backing = opener.open(b, OpenOptions.readOnly(o.backingFormat()).withBacking(false))) {
                backingSize = backing.length();
            } catch (BlockException e) {
                throw new BlockException(e.errno(), e.offset(), "Could not open backing image: " + e.getMessage(), e);
            }
        }
        makeEmpty(path);
        BlockNode data = null;
        try (BlockNode file = protocol.open(FileOptions.defaults(path, false).withCache(cache))) {
            if (o.dataFile() != null) {
                Path d = Path.of(o.dataFile());
                makeEmpty(d);
                data = protocol.open(FileOptions.defaults(d, false).withCache(cache));
            }
            Qcow2Create.create(file, o, data, backingSize);
            file.flush();
            if (data != null) {
                data.flush();
            }
        } finally {
            if (data != null) {
                data.close();
            }
        }
    }

    /** An empty regular file (devices are left as they are). */
    private static void makeEmpty(Path path) throws BlockException {
        if (Files.isRegularFile(path) || !Files.exists(path)) {
            FilePosix.createEmpty(path, false);
        }
    }

    /**
     * QEMU writes the first block of a new raw file so that later alignment probing finds allocated
     * data; qemu-img map shows it as a 4K data extent, and so should our output.
     */
    private static void allocateFirstBlock(Path path, int bytes) throws BlockException {
        FilePosix.writeZeroPrefix(path, bytes);
    }
}
