package io.jqcow.image;

import io.jqcow.block.BlockDriver;
import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.block.PreallocateAheadNode;
import io.jqcow.posix.FileOptions;
import io.jqcow.qcow2.ChildOpener;
import io.jqcow.qcow2.Qcow2Driver;
import io.jqcow.qcow2.Qcow2Header;
import io.jqcow.qcow2.Qcow2Options;
import io.jqcow.raw.RawDriver;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Opens an image: the protocol node, the format (explicit or probed), and for qcow2 its data file
 * and backing chain. How protocol nodes are opened and how drivers become nodes is plugged in, so
 * the same logic runs over file-posix + request layer or over test nodes.
 */
public final class ImageOpener {
    /** Opens a protocol (file) node. */
    @FunctionalInterface
    public interface ProtocolOpener {
        BlockNode open(FileOptions options) throws BlockException;
    }

    /** Turns a format driver into a node (normally by putting the request layer in front of it). */
    @FunctionalInterface
    public interface NodeWrapper {
        BlockNode wrap(BlockDriver driver) throws BlockException;
    }

    /**
     * Adjusts a file node's image locks once its format is known, before the format driver touches
     * it: QEMU shares everything on raw files, while a qcow2 node refuses other writers.
     */
    @FunctionalInterface
    public interface FormatLocks {
        void apply(BlockNode file, String format, OpenOptions options) throws BlockException;
    }

    static final int MAX_CHAIN = 64;

    private final ProtocolOpener protocol;
    private final NodeWrapper wrapper;
    private final Consumer<String> warnings;
    private final FormatLocks formatLocks;

    public ImageOpener(ProtocolOpener protocol, NodeWrapper wrapper, Consumer<String> warnings) {
        this(protocol, wrapper, warnings, (file, format, options) -> { });
    }

    public ImageOpener(ProtocolOpener protocol, NodeWrapper wrapper, Consumer<String> warnings,
                       FormatLocks formatLocks) {
        this.protocol = protocol;
        this.wrapper = wrapper;
        this.warnings = warnings;
        this.formatLocks = formatLocks;
    }

    public BlockNode open(Path path, OpenOptions options) throws BlockException {
        return open(path, options, new HashSet<>(), 0);
    }

    private BlockNode open(Path path, OpenOptions o, Set<Path> chain, int depth) throws BlockException {
        Path real = path.toAbsolutePath().normalize();
        if (!chain.add(real) || depth > MAX_CHAIN) {
            throw new BlockException(Errno.EINVAL, "Backing chain loop or too deep at '" + path + "'");
        }
        BlockNode file = protocol.open(fileOptions(path, o, o.readOnly()));
        try {
            String format = o.format();
            boolean probed = format == null;
            if (probed) {
                format = probe(file);
            }
            formatLocks.apply(file, format, o);
            BlockDriver driver;
            switch (format) {
                case "raw" -> {
                    if (o.extra().containsKey("snapshot.id") || o.extra().containsKey("snapshot.name")) {
                        throw new io.jqcow.qcow2.SnapshotLoadException(Errno.ENOTSUP, "Block format 'raw' used by "
                                + "device '' does not support temporarily loading internal snapshots");
                    }
                    boolean guard = probed && !o.readOnly();
                    if (guard) {
                        warnings.accept(probedRawWarning(path.toString()));
                    }
                    long off = o.extra().containsKey("offset") ? Qcow2Options.parseSize("offset", o.extra().get("offset")) : 0;
                    long size = o.extra().containsKey("size") ? Qcow2Options.parseSize("size", o.extra().get("size")) : -1;
                    driver = new RawDriver(file, off, size, guard);
                }
                case "qcow2" -> {
                    file = preallocateAhead(file, o);
                    driver = Qcow2Driver.open(file, o.readOnly(), o.backing(), o.extra(),
                            children(path, o, chain, depth));
                }
                default -> throw new BlockException(Errno.EINVAL, "Unknown driver '" + format + "'");
            }
            return wrapper.wrap(driver);
        } catch (BlockException | RuntimeException e) {
            try {
                file.close();
            } catch (BlockException ignored) {
                // the open failure is what matters
            }
            throw e;
        }
    }

    /**
     * The "preallocate-ahead" option (a size, or "off"): a writable qcow2 file gets space allocated
     * that far ahead of writes that extend it, and the unused tail back when closed. Only qcow2:
     * its header, not the file length, says where the image ends, so the longer file in between is
     * harmless. convert sets it on its target.
     */
    static BlockNode preallocateAhead(BlockNode file, OpenOptions o) throws BlockException {
        String v = o.extra().getOrDefault(PREALLOCATE_AHEAD, "off");
        if (o.readOnly() || v.equals("off")) {
            return file;
        }
        long step = Qcow2Options.parseSize(PREALLOCATE_AHEAD, v);
        return step > 0 ? new PreallocateAheadNode(file, step) : file;
    }

    /** The open option naming the preallocation step (see {@link #preallocateAhead}). */
    public static final String PREALLOCATE_AHEAD = "preallocate-ahead";

    /** qcow2 magic means qcow2; everything else is raw. */
    static String probe(BlockNode file) throws BlockException {
        if (file.length() >= 4) {
            ByteBuffer b = ByteBuffer.allocate(4);
            file.read(0, b.duplicate());
            if (b.getInt(0) == Qcow2Header.MAGIC) {
                return "qcow2";
            }
        }
        return "raw";
    }

    private ChildOpener children(Path image, OpenOptions o, Set<Path> chain, int depth) {
        // Relative names resolve against the image's directory as given (qemu's full backing name:
        // 'mb.qcow2' -> 'base.qcow2', 'img/mb.qcow2' -> 'img/base.qcow2'), which is also what messages show.
        Path dir = image.getParent();
        return new ChildOpener() {
            @Override
            public BlockNode openBacking(String name, String format) throws BlockException {
                Path p = resolve(dir, name);
                Map<String, String> extra = new HashMap<>();
                // qemu-img commit writes into the backing file: "backing.read-only=off" opens it writable.
                boolean writable = !o.readOnly() && "off".equals(o.extra().get("backing.read-only"));
                OpenOptions bo = new OpenOptions(format, !writable, o.cache(), o.aio(), o.locking(), o.forceShare(),
                        true, extra);
                try {
                    return open(p, bo, chain, depth + 1);
                } catch (BlockException e) {
                    String inner = e.getMessage().startsWith("Could not open '") ? e.getMessage()
                            : "Could not open '" + p + "': " + e.getMessage();
                    throw new BlockException(e.errno(), e.offset(), "Could not open backing file: " + inner, e);
                }
            }

            @Override
            public BlockNode openDataFile(String name, boolean readOnly) throws BlockException {
                return protocol.open(fileOptions(resolve(dir, name), o, readOnly));
            }
        };
    }

    static Path resolve(Path dir, String name) {
        Path p = Path.of(name);
        return p.isAbsolute() || dir == null ? p : dir.resolve(p);
    }

    private static FileOptions fileOptions(Path path, OpenOptions o, boolean readOnly) {
        return FileOptions.defaults(path, readOnly).withCache(o.cache()).withAio(o.aio()).withLocking(o.locking())
                .withForceShare(o.forceShare())
                .withPolicy(o.extra().getOrDefault("post-eof-serialise", "auto"),
                        o.extra().getOrDefault("alloc-zero-writes", "auto"));
    }

    /** qemu-img's warning (three lines) for a writable open of a raw image whose format was guessed. */
    public static String probedRawWarning(String name) {
        return "WARNING: Image format was not specified for '" + name + "' and probing guessed raw.\n"
                + "         Automatically detecting the format is dangerous for raw images, write operations on "
                + "block 0 will be restricted.\n"
                + "         Specify the 'raw' format explicitly to remove the restrictions.";
    }
}
