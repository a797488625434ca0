package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import io.jqcow.block.PreallocMode;
import io.jqcow.posix.FileOptions;
import io.jqcow.posix.FilePosix;
import io.jqcow.qcow2.Qcow2Create;
import io.jqcow.qcow2.Qcow2CreateOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** qemu-img create: makes the file(s) and writes a fresh raw or qcow2 image through protocol nodes. */
public final class ImageCreator {
    private final ImageOpener.ProtocolOpener protocol;
    private final ImageOpener opener;

    public ImageCreator(ImageOpener.ProtocolOpener protocol, ImageOpener opener) {
        this.protocol = protocol;
        this.opener = opener;
    }

    /**
     * @param size virtual size, or -1 to take it from the backing file (qcow2 only)
     * @param options -o options (qcow2: compat, cluster_size, ...; raw: preallocation)
     * @param openBacking false for -u: do not open the backing file (then size is required)
     */
    public void create(Path path, String format, long size, Map<String, String> options, boolean openBacking)
            throws BlockException {
        switch (format) {
            case "raw" -> createRaw(path, size, options);
            case "qcow2" -> createQcow2(path, size, options, openBacking);
            default -> throw new BlockException(Errno.EINVAL, "Unknown file format '" + format + "'");
        }
    }

    private void createRaw(Path path, long size, Map<String, String> options) throws BlockException {
        if (size < 0) {
            throw new BlockException(Errno.EINVAL, "Image creation needs a size parameter");
        }
        for (String k : options.keySet()) {
            if (!k.equals("preallocation") && !k.equals("size")) {
                throw new BlockException(Errno.EINVAL, "Invalid parameter '" + k + "'");
            }
        }
        PreallocMode mode = PreallocMode.parse(options.getOrDefault("preallocation", "off"));
        makeEmpty(path);
        try (BlockNode file = protocol.open(FileOptions.defaults(path, false))) {
            file.truncate(size, true, mode);
            file.flush();
        }
    }

    private void createQcow2(Path path, long size, Map<String, String> options, boolean openBacking)
            throws BlockException {
        Qcow2CreateOptions o = Qcow2CreateOptions.parse(withoutSize(options), size);
        long backingSize = -1;
        if (o.backingFile() != null && openBacking) {
            Path b = ImageOpener.resolve(path.toAbsolutePath().getParent(), o.backingFile());
            try (BlockNode backing = opener.open(b, OpenOptions.readOnly(o.backingFormat()).withBacking(false))) {
                backingSize = backing.length();
            } catch (BlockException e) {
                throw new BlockException(e.errno(), e.offset(), "Could not open backing image: " + e.getMessage(), e);
            }
        }
        if (o.size() < 0 && backingSize < 0) {
            throw new BlockException(Errno.EINVAL, "Image creation needs a size parameter");
        }
        makeEmpty(path);
        BlockNode data = null;
        try (BlockNode file = protocol.open(FileOptions.defaults(path, false))) {
            if (o.dataFile() != null) {
                Path d = Path.of(o.dataFile());
                makeEmpty(d);
                data = protocol.open(FileOptions.defaults(d, false));
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

    private static Map<String, String> withoutSize(Map<String, String> options) {
        Map<String, String> m = new HashMap<>(options);
        m.remove("size");
        return m;
    }

    /** Creates the file, or truncates an existing one to zero (as qemu-img create does). */
    private static void makeEmpty(Path path) throws BlockException {
        if (Files.isRegularFile(path) || !Files.exists(path)) {
            FilePosix.createEmpty(path, true);
        }
    }
}
