package io.jqcow.tools.convert;

/** A read or write of the copy failed; the message is qemu-img's "error while reading at byte N: ...". */
final class ConvertFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConvertFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
