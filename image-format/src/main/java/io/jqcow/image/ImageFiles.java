package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.block.RequestLayer;
import io.jqcow.block.RequestThreads;
import io.jqcow.posix.FileNodeOpener;
import io.jqcow.posix.LockRequest;
import java.nio.file.Path;
import java.util.Map;

/** Creates images over file-posix and the request layer (qemu-img create's real target). */
public final class ImageFiles {
    private ImageFiles() {
    }

    /** See {@link ImageCreator#create}; the request threads live only as long as the creation. */
    public static void create(Path path, String format, long size, Map<String, String> options, boolean openBacking)
            throws BlockException {
        try (RequestThreads threads = new RequestThreads()) {
            FileNodeOpener files = new FileNodeOpener(FileNodeOpener.environmentPolicy(), threads, null);
            ImageOpener.ProtocolOpener protocol = fo -> files.open(fo, LockRequest.sharingAll(fo.readOnly()));
            ImageOpener opener = new ImageOpener(protocol, driver -> new RequestLayer(driver, threads, false),
                    w -> { });
            new ImageCreator(files::open, opener).create(path, format, size, options, openBacking);
        }
    }
}
