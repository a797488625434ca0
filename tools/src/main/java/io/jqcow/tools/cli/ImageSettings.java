package io.jqcow.tools.cli;

import io.jqcow.block.BlockException;
import io.jqcow.image.OpenOptions;
import io.jqcow.posix.AioMode;
import io.jqcow.posix.CacheMode;
import io.jqcow.posix.LockMode;
import java.util.Map;

/**
 * The open-time choices the commands share (-f, -t, -i, -U, read-only), checked the way QEMU checks
 * them before any file is touched.
 */
public record ImageSettings(String format, boolean readOnly, CacheMode cache, AioMode aio, boolean forceShare,
                            Map<String, String> extra) {

    public ImageSettings {
        extra = Map.copyOf(extra);
    }

    /** Rules QEMU enforces on the option combination; the message is the one it prints. */
    public void validate() throws BlockException {
        if (forceShare && !readOnly) {
            throw BlockException.einval(-1, "force-share=on can only be used with read-only images");
        }
        if (aio == AioMode.NATIVE && !cache.direct) {
            throw BlockException.einval(-1,
                    "aio=native was specified, but it requires cache.direct=on, which was not specified.");
        }
    }

    public OpenOptions toOpenOptions() {
        return new OpenOptions(format, readOnly, cache, aio, LockMode.AUTO, forceShare, true, extra);
    }
}
