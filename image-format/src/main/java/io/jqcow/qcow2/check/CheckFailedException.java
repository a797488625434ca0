package io.jqcow.qcow2.check;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;

/** The check could not finish (qemu-img: "Check failed: ..."); no result is reported. */
public final class CheckFailedException extends BlockException {
    private static final long serialVersionUID = 1L;

    public CheckFailedException(Errno errno, String message) {
        super(errno, 0, message);
    }
}
