package io.jqcow.qcow2;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** Compressed-cluster codecs: raw deflate (type 0) and zstd (type 1). */
public final class CompressedCodec {
    public static final int DEFLATE = 0;
    public static final int ZSTD = 1;

    private CompressedCodec() {
    }

    /**
     * Decodes one cluster from in[0, length). Input may run past the stream (sector padding or the
     * next compressed cluster); decoding stops once the cluster is full.
     */
    public static byte[] decompress(int type, byte[] in, int length, int clusterSize, long hostOffset)
            throws BlockException {
        byte[] out = new byte[clusterSize];
        int produced = type == ZSTD ? zstd(in, length, out) : inflate(in, length, out);
        if (produced < clusterSize) {
            throw new BlockException(Errno.EIO, hostOffset, "compressed cluster at " + hostOffset
                    + " decodes to " + produced + " bytes, expected " + clusterSize);
        }
        return out;
    }

    private static int inflate(byte[] in, int length, byte[] out) throws BlockException {
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(in, 0, length);
            int n = 0;
            while (n < out.length) {
                int got = inf.inflate(out, n, out.length - n);
                n += got;
                if (got == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
            }
            return n;
        } catch (DataFormatException e) {
            throw new BlockException(Errno.EIO, -1, "corrupt deflate stream: " + e.getMessage(), e);
        } finally {
            inf.end();
        }
    }

    private static int zstd(byte[] in, int length, byte[] out) throws BlockException {
        try (ZstdInputStreamNoFinalizer z = new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(in, 0, length))) {
            z.setContinuous(true);
            int n = 0;
            while (n < out.length) {
                int got = z.read(out, n, out.length - n);
                if (got <= 0) {
                    break;
                }
                n += got;
            }
            return n;
        } catch (IOException e) {
            throw new BlockException(Errno.EIO, -1, "corrupt zstd stream: " + e.getMessage(), e);
        }
    }

    /** Compresses a whole cluster; null when the result would not be smaller than the cluster. */
    public static byte[] compress(int type, byte[] cluster) throws BlockException {
        byte[] out;
        if (type == ZSTD) {
            out = Zstd.compress(cluster, 3);
        } else {
            Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            try {
                d.setInput(cluster);
                d.finish();
                byte[] buf = new byte[cluster.length];
                int n = 0;
                while (!d.finished() && n < buf.length) {
                    n += d.deflate(buf, n, buf.length - n);
                }
                if (!d.finished()) {
                    return null;
                }
                out = java.util.Arrays.copyOf(buf, n);
            } finally {
                d.end();
            }
        }
        return out.length >= cluster.length ? null : out;
    }
}
