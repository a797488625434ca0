package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.block.RequestLayer;
import io.jqcow.block.RequestThreads;
import io.jqcow.posix.FileNodeOpener;
import io.jqcow.posix.LockRequest;
import io.jqcow.block.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** Creates the target of qemu-img convert (raw or qcow2) over file-posix, before it is opened. */
public final class ConvertTargets {
    private ConvertTargets() {
    }

    /**
     * @param size    virtual size in bytes
     * @param options the target's -o options (backing_file/backing_fmt included)
     */
    public static void create(Path path, String format, long size, Map<String, String> options)
            throws BlockException {
        try (RequestThreads threads = new RequestThreads("jqcow-create", 4)) {
            FileNodeOpener files = new FileNodeOpener(FileNodeOpener.environmentPolicy(), threads, null);
            ImageOpener.ProtocolOpener protocol = fo -> files.open(fo, LockRequest.sharingAll(fo.readOnly()));
            ImageOpener opener = new ImageOpener(protocol, driver -> new RequestLayer(driver, threads, false),
                    warning -> { });
            new ImageCreator(protocol, opener).create(path, format, size, options, true);
        }
        if (format.equals("raw") && size > 0) {
            allocateFirstBlock(path, (int) Math.min(size, FIRST_BLOCK));
        }
    }

    private static final int FIRST_BLOCK = 4096;

    /**
     * QEMU writes the first block of a new raw file so that later alignment probing finds allocated
     * data; qemu-img map shows it as a 4K data extent, and so should our output.
     */
    private static void allocateFirstBlock(Path path, int bytes) throws BlockException {
        try (FileChannel c = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ByteBuffer zero = ByteBuffer.allocate(bytes);
            while (zero.hasRemaining()) {
                c.write(zero, zero.position());
            }
        } catch (IOException e) {
            throw new BlockException(Errno.EIO, 0, "Could not write the first block of '" + path + "': "
                    + e.getMessage(), e);
        }
    }
}
