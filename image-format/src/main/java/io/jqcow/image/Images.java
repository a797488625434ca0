package io.jqcow.image;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.block.Errno;
import java.nio.file.Path;

/** Opens images: the file node, format choice (explicit or probed) and the backing chain. */
public final class Images {
    private Images() {
    }

    /**
     * Opens the image at path; the returned node owns (and closes) its children. The logic lives in
     * {@link ImageOpener}; this entry point is wired to file-posix and the request layer by the
     * integration (until then it reports ENOTSUP).
     */
    public static BlockNode open(Path path, OpenOptions options) throws BlockException {
        throw new BlockException(Errno.ENOTSUP, "image opening is not wired yet: use ImageOpener with file-posix "
                + "and the request layer");
    }
}
