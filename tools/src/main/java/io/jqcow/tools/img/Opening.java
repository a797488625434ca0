package io.jqcow.tools.img;

import io.jqcow.block.BlockException;
import io.jqcow.block.BlockNode;
import io.jqcow.image.OpenOptions;
import io.jqcow.posix.AioMode;
import io.jqcow.posix.CacheMode;
import io.jqcow.posix.LockMode;
import io.jqcow.tools.ToolEnv;
import io.jqcow.tools.ToolException;
import java.nio.file.Path;
import java.util.Map;

/** How the image commands open their images, and qemu-img's "Could not open" message on failure. */
final class Opening {
    private Opening() {
    }

    static OpenOptions options(String format, boolean readOnly, boolean forceShare, boolean backing, CacheMode cache) {
        return new OpenOptions(format, readOnly, cache, AioMode.THREADS, LockMode.AUTO, forceShare, backing, Map.of());
    }

    static BlockNode open(ToolEnv env, String name, OpenOptions options) throws ToolException {
        return open(env, name, options, 1);
    }

    /** Opens name; a failure becomes "Could not open 'name': why" with the given exit code. */
    static BlockNode open(ToolEnv env, String name, OpenOptions options, int exitCode) throws ToolException {
        if (options.forceShare() && !options.readOnly()) {
            throw new ToolException(java.util.List.of("force-share=on can only be used with read-only images"),
                    exitCode);
        }
        try {
            return env.opener().open(Path.of(name), options);
        } catch (BlockException e) {
            throw new ToolException(java.util.List.of(couldNotOpen(name, e)), exitCode);
        }
    }

    static String couldNotOpen(String name, BlockException e) {
        // QEMU's generic layer always adds its own prefix, also in front of the file driver's
        return "Could not open '" + name + "': " + e.getMessage();
    }

}
