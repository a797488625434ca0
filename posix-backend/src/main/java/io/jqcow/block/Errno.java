package io.jqcow.block;

/** Linux errno values that jqcow reports; the numeric value is the x86-64/aarch64 Linux one. */
public enum Errno {
    EPERM(1), ENOENT(2), EINTR(4), EIO(5), EBADF(9), EAGAIN(11), ENOMEM(12), EACCES(13),
    EFAULT(14), EBUSY(16), EEXIST(17), ENODEV(19), ENOTDIR(20), EISDIR(21), EINVAL(22),
    ENOTTY(25), EFBIG(27), ENOSPC(28), ESPIPE(29), EROFS(30), ERANGE(34), ENOSYS(38),
    ENOTSUP(95), EOPNOTSUPP(95), EOVERFLOW(75), ECANCELED(125), EUNKNOWN(-1);

    public final int code;

    Errno(int code) {
        this.code = code;
    }

    /** Maps a raw errno to its kind; EOPNOTSUPP and ENOTSUP share 95 and come back as ENOTSUP. */
    public static Errno of(int code) {
        for (Errno e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return EUNKNOWN;
    }

    /** The strerror-like text qemu prints, e.g. "Input/output error". */
    public String description() {
        return switch (this) {
            case EPERM -> "Operation not permitted";
            case ENOENT -> "No such file or directory";
            case EINTR -> "Interrupted system call";
            case EIO -> "Input/output error";
            case EBADF -> "Bad file descriptor";
            case EAGAIN -> "Resource temporarily unavailable";
            case ENOMEM -> "Cannot allocate memory";
            case EACCES -> "Permission denied";
            case EFAULT -> "Bad address";
            case EBUSY -> "Device or resource busy";
            case EEXIST -> "File exists";
            case ENODEV -> "No such device";
            case ENOTDIR -> "Not a directory";
            case EISDIR -> "Is a directory";
            case EINVAL -> "Invalid argument";
            case ENOTTY -> "Inappropriate ioctl for device";
            case EFBIG -> "File too large";
            case ENOSPC -> "No space left on device";
            case ESPIPE -> "Illegal seek";
            case EROFS -> "Read-only file system";
            case ERANGE -> "Numerical result out of range";
            case ENOSYS -> "Function not implemented";
            case ENOTSUP, EOPNOTSUPP -> "Operation not supported";
            case EOVERFLOW -> "Value too large for defined data type";
            case ECANCELED -> "Operation canceled";
            case EUNKNOWN -> "Unknown error";
        };
    }
}
