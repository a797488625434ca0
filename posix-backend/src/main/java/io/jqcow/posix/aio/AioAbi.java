package io.jqcow.posix.aio;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;

/**
 * The linux-aio kernel ABI: syscall numbers per architecture and the opcodes we use. The numbers
 * are those of asm/unistd.h (x86_64: io_setup 206, io_destroy 207, io_getevents 208, io_submit 209;
 * the generic table aarch64 uses: 0, 1, 4, 2).
 *
 * @param ioSetup     io_setup(2)
 * @param ioDestroy   io_destroy(2)
 * @param ioGetevents io_getevents(2)
 * @param ioSubmit    io_submit(2)
 */
public record AioAbi(long ioSetup, long ioDestroy, long ioGetevents, long ioSubmit) {

    /** linux/aio_abi.h IOCB_CMD_PREADV and IOCB_CMD_PWRITEV. */
    public static final int IOCB_CMD_PREADV = 7;
    public static final int IOCB_CMD_PWRITEV = 8;

    public static final AioAbi X86_64 = new AioAbi(206, 207, 208, 209);
    public static final AioAbi AARCH64 = new AioAbi(0, 1, 4, 2);

    /** The ABI for a Java os.arch value; ENOTSUP for architectures we have no numbers for. */
    public static AioAbi forArch(String osArch) throws BlockException {
        return switch (osArch) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> throw new BlockException(Errno.ENOTSUP, "linux-aio is not supported on " + osArch);
        };
    }
}
