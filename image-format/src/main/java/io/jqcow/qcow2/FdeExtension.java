package io.jqcow.qcow2;

import java.nio.ByteBuffer;

/** The full-disk-encryption header pointer: where the LUKS header area is and its length. */
public record FdeExtension(long offset, long length) {
    static FdeExtension parse(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        return new FdeExtension(b.getLong(0), b.getLong(8));
    }
}
