package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.RequestLayer;
import io.jqcow.block.RequestThreads;
import io.jqcow.posix.FileNodeOpener;
import io.jqcow.posix.FilePosixDriver;
import io.jqcow.posix.LockRequest;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Opens images over file-posix and the request layer: the file node, format choice (explicit or
 * probed) and the backing chain. The graph logic lives in {@link ImageOpener}.
 */
public final class Images {
    private Images() {
    }

    /**
     * Opens the image at path with its own request-thread pool, shut down when the returned node
     * closes. Warnings (e.g. a probed raw image) go to stderr, as qemu-img prints them.
     */
    public static BlockNode open(Path path, OpenOptions options) throws BlockException {
        return open(path, options, System.err::println);
    }

    /** As {@link #open(Path, OpenOptions)}, with warnings going to {@code warnings} instead of stderr. */
    public static BlockNode open(Path path, OpenOptions options, Consumer<String> warnings) throws BlockException {
        RequestThreads threads = new RequestThreads();
        try {
            return open(path, options, threads, warnings, true);
        } catch (BlockException | RuntimeException e) {
            threads.close();
            throw e;
        }
    }

    /**
     * Opens the image at path on a caller-owned pool (an emulator opening several images).
     *
     * @param ownsThreads whether closing the returned node shuts the pool down
     */
    public static BlockNode open(Path path, OpenOptions options, RequestThreads threads, Consumer<String> warnings,
                                 boolean ownsThreads) throws BlockException {
        FileNodeOpener files = new FileNodeOpener(FileNodeOpener.environmentPolicy(), threads, null);
        ImageOpener opener = new ImageOpener(
                fo -> files.open(fo, LockRequest.sharingAll(fo.readOnly())),
                driver -> new RequestLayer(driver, threads, false),
                warnings,
                Images::applyFormatLocks);
        BlockNode top = opener.open(path, options);
        if (!ownsThreads) {
            return top;
        }
        // Re-wrap the top driver so that closing it also closes the pool.
        return new RequestLayer(top.driver(), threads, true);
    }

    /** QEMU's permissions: raw shares everything; qcow2 refuses other writers (and resizers). */
    private static void applyFormatLocks(BlockNode file, String format, OpenOptions options) throws BlockException {
        if ("qcow2".equals(format) && file.driver() instanceof FilePosixDriver posix) {
            posix.updateLocks(LockRequest.forOpen(options.readOnly(), options.forceShare()));
        }
    }
}
