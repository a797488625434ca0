package io.jqcow.posix.aio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The real kernel, reached through libc's syscall(2) (no libaio needed). JNA direct mapping with a
 * fixed six-long signature: syscall() is variadic, but on x86_64 and aarch64 Linux integer
 * variadic arguments travel in the same registers as fixed ones, and glibc's syscall() only moves
 * registers around.
 */
public final class LibcAioKernel implements AioKernel {

    private final AioAbi abi;

    public LibcAioKernel(AioAbi abi) {
        this.abi = abi;
    }

    /** Direct-mapped libc; registered once when first used (registration is immutable binding). */
    private static final class Libc {
        static {
            Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME)); // explicit class: see Syscalls
        }

        static native long syscall(long number, long a1, long a2, long a3, long a4, long a5)
                throws LastErrorException;
    }

    private static long call(long nr, long a1, long a2, long a3, long a4, long a5) {
        try {
            return Libc.syscall(nr, a1, a2, a3, a4, a5);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    public long setup(int nrEvents, long ctxpAddress) {
        return call(abi.ioSetup(), nrEvents, ctxpAddress, 0, 0, 0);
    }

    @Override
    public long destroy(long ctx) {
        return call(abi.ioDestroy(), ctx, 0, 0, 0, 0);
    }

    @Override
    public long submit(long ctx, int n, long iocbppAddress) {
        return call(abi.ioSubmit(), ctx, n, iocbppAddress, 0, 0);
    }

    @Override
    public long getEvents(long ctx, int minNr, int maxNr, long eventsAddress, long timespecAddress) {
        return call(abi.ioGetevents(), ctx, minNr, maxNr, eventsAddress, timespecAddress);
    }
}
