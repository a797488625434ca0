package io.jqcow.qcow2;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Builds the whole of cluster 0: header, extensions, end marker, then the backing file name. */
public final class HeaderCodec {
    private HeaderCodec() {
    }

    /**
     * Encodes cluster 0. The returned header has backing_file_offset/size set to where the name went.
     *
     * @param backingName backing file name or null
     */
    public static Encoded encode(Qcow2Header h, HeaderExtensions ext, String backingName) throws BlockException {
        int cs = h.clusterSize();
        ByteBuffer out = ByteBuffer.allocate(cs);
        int pos = h.encodedLength();
        for (HeaderExtension e : ext.inWriteOrder(h)) {
            if (pos + e.encodedLength() + 8 > cs) {
                throw new BlockException(Errno.ENOSPC, 0, "Header extensions do not fit in the first cluster");
            }
            out.putInt(pos, e.type());
            out.putInt(pos + 4, e.data().length);
            out.put(pos + 8, e.data());
            pos += e.encodedLength();
        }
        pos += 8; // end marker: type 0, length 0
        Qcow2Header finalHeader = h.withBacking(0, 0);
        if (backingName != null) {
            byte[] name = backingName.getBytes(StandardCharsets.UTF_8);
            if (name.length > 1023 || pos + name.length > cs) {
                throw new BlockException(Errno.EINVAL, 0, "Backing file name too long: " + backingName);
            }
            out.put(pos, name);
            finalHeader = h.withBacking(pos, name.length);
        }
        finalHeader.encode(out);
        return new Encoded(finalHeader, out);
    }

    /** An encoded first cluster and the header it holds. */
    public record Encoded(Qcow2Header header, ByteBuffer cluster) {
    }
}
