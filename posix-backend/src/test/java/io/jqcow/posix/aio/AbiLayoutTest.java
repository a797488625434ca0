package io.jqcow.posix.aio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AbiLayoutTest {

    // Measured with gcc on x86_64 Linux: offsetof(struct iocb, ...) and offsetof(struct io_event, ...)
    // from <linux/aio_abi.h>; sizeof(struct iocb) == 64, sizeof(struct io_event) == 32.
    private static final int C_IOCB_SIZE = 64;
    private static final int C_AIO_DATA = 0;
    private static final int C_AIO_KEY = 8;
    private static final int C_AIO_RW_FLAGS = 12;
    private static final int C_AIO_LIO_OPCODE = 16;
    private static final int C_AIO_REQPRIO = 18;
    private static final int C_AIO_FILDES = 20;
    private static final int C_AIO_BUF = 24;
    private static final int C_AIO_NBYTES = 32;
    private static final int C_AIO_OFFSET = 40;
    private static final int C_AIO_RESERVED2 = 48;
    private static final int C_AIO_FLAGS = 56;
    private static final int C_AIO_RESFD = 60;
    private static final int C_EVENT_SIZE = 32;
    private static final int C_EV_DATA = 0;
    private static final int C_EV_OBJ = 8;
    private static final int C_EV_RES = 16;
    private static final int C_EV_RES2 = 24;

    @Test
    void iocbEncodesEveryFieldAtTheMeasuredOffsetLittleEndian() {
        ByteBuffer b = filled(C_IOCB_SIZE + 16, (byte) 0x5A);
        Iocb iocb = new Iocb(0x1122334455667788L, 0x0BADBEEF, AioAbi.IOCB_CMD_PWRITEV, 0x01020304,
                0x7F00DEADBEEF0000L, 3, 0x0000123456789000L);
        iocb.encode(b, 8, ByteOrder.LITTLE_ENDIAN);
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int at = 8;
        assertEquals(0x1122334455667788L, le.getLong(at + C_AIO_DATA));
        assertEquals(0, le.getInt(at + C_AIO_KEY));
        assertEquals(0x0BADBEEF, le.getInt(at + C_AIO_RW_FLAGS));
        assertEquals(8, le.getShort(at + C_AIO_LIO_OPCODE));
        assertEquals(0, le.getShort(at + C_AIO_REQPRIO));
        assertEquals(0x01020304, le.getInt(at + C_AIO_FILDES));
        assertEquals(0x7F00DEADBEEF0000L, le.getLong(at + C_AIO_BUF));
        assertEquals(3, le.getLong(at + C_AIO_NBYTES));
        assertEquals(0x0000123456789000L, le.getLong(at + C_AIO_OFFSET));
        assertEquals(0, le.getLong(at + C_AIO_RESERVED2));
        assertEquals(0, le.getInt(at + C_AIO_FLAGS));
        assertEquals(0, le.getInt(at + C_AIO_RESFD));
        // Bytes around the 64-byte struct are untouched.
        for (int i = 0; i < 8; i++) {
            assertEquals((byte) 0x5A, b.get(i));
            assertEquals((byte) 0x5A, b.get(8 + C_IOCB_SIZE + i));
        }
    }

    @Test
    void bigEndianSwapsKeyAndRwFlags() {
        ByteBuffer b = filled(C_IOCB_SIZE, (byte) 0x77);
        new Iocb(1, 0x11223344, AioAbi.IOCB_CMD_PREADV, 5, 6, 7, 8).encode(b, 0, ByteOrder.BIG_ENDIAN);
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        assertEquals(0x11223344, be.getInt(C_AIO_KEY));
        assertEquals(0, be.getInt(C_AIO_RW_FLAGS));
        assertEquals(7, be.getShort(C_AIO_LIO_OPCODE));
        assertEquals(5, be.getInt(C_AIO_FILDES));
    }

    @Test
    void ioEventDecodesTheMeasuredOffsets() {
        ByteBuffer b = ByteBuffer.allocate(3 * C_EVENT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int at = 2 * C_EVENT_SIZE;
        b.putLong(at + C_EV_DATA, 42);
        b.putLong(at + C_EV_OBJ, 0xABCDEF00L);
        b.putLong(at + C_EV_RES, -28);
        b.putLong(at + C_EV_RES2, 9);
        assertEquals(new IoEvent(42, 0xABCDEF00L, -28, 9), IoEvent.decode(b, 2, ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void mainConstantsMatchTheMeasurement() {
        assertEquals(C_IOCB_SIZE, Iocb.SIZE);
        assertEquals(C_EVENT_SIZE, IoEvent.SIZE);
        assertEquals(C_AIO_RESFD, Iocb.RESFD);
        assertEquals(C_EV_RES, IoEvent.RES);
    }

    @Test
    void syscallNumbersPerArchitecture() throws BlockException {
        assertEquals(new AioAbi(206, 207, 208, 209), AioAbi.forArch("amd64"));
        assertEquals(new AioAbi(0, 1, 4, 2), AioAbi.forArch("aarch64"));
        BlockException e = assertThrows(BlockException.class, () -> AioAbi.forArch("s390x"));
        assertEquals(Errno.ENOTSUP, e.errno());
    }

    /** Re-measures with the C compiler when one is present, so a header change cannot slip by. */
    @Test
    void gccAgreesWithTheEncoder(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/include/linux/aio_abi.h")),
                "skipped: no linux/aio_abi.h");
        Map<String, Long> c;
        try {
            c = measureWithGcc(dir);
        } catch (IOException e) {
            System.out.println("skipped: gcc unavailable: " + e.getMessage());
            Assumptions.abort("gcc unavailable");
            return;
        }
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        assertEquals(Iocb.SIZE, c.get("iocb"));
        assertEquals(Iocb.DATA, c.get("aio_data"));
        assertEquals(little ? Iocb.KEY_LE : Iocb.RW_FLAGS_LE, c.get("aio_key"));
        assertEquals(little ? Iocb.RW_FLAGS_LE : Iocb.KEY_LE, c.get("aio_rw_flags"));
        assertEquals(Iocb.OPCODE, c.get("aio_lio_opcode"));
        assertEquals(Iocb.FILDES, c.get("aio_fildes"));
        assertEquals(Iocb.BUF, c.get("aio_buf"));
        assertEquals(Iocb.NBYTES, c.get("aio_nbytes"));
        assertEquals(Iocb.OFFSET, c.get("aio_offset"));
        assertEquals(Iocb.FLAGS, c.get("aio_flags"));
        assertEquals(Iocb.RESFD, c.get("aio_resfd"));
        assertEquals(IoEvent.SIZE, c.get("io_event"));
        assertEquals(IoEvent.RES, c.get("res"));
        assertEquals(AioAbi.IOCB_CMD_PREADV, c.get("preadv"));
        assertEquals(AioAbi.IOCB_CMD_PWRITEV, c.get("pwritev"));
    }

    private static Map<String, Long> measureWithGcc(Path dir) throws IOException, InterruptedException {
        String src = String.join("\n",
                "#include <stdio.h>", "#include <stddef.h>", "#include <linux/aio_abi.h>",
                "#define O(f) printf(#f \" %zu\\n\", offsetof(struct iocb, f))",
                "int main(void){",
                "printf(\"iocb %zu\\nio_event %zu\\n\", sizeof(struct iocb), sizeof(struct io_event));",
                "O(aio_data);O(aio_key);O(aio_rw_flags);O(aio_lio_opcode);O(aio_fildes);O(aio_buf);",
                "O(aio_nbytes);O(aio_offset);O(aio_flags);O(aio_resfd);",
                "printf(\"res %zu\\n\", offsetof(struct io_event, res));",
                "printf(\"preadv %d\\npwritev %d\\n\", IOCB_CMD_PREADV, IOCB_CMD_PWRITEV);",
                "return 0;}", "");
        Path c = dir.resolve("layout.c");
        Files.writeString(c, src);
        Path exe = dir.resolve("layout");
        run(dir, "gcc", "-o", exe.toString(), c.toString());
        String out = run(dir, exe.toString());
        Map<String, Long> m = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] kv = line.trim().split(" ");
            if (kv.length == 2) {
                m.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return m;
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private static ByteBuffer filled(int size, byte v) {
        ByteBuffer b = ByteBuffer.allocate(size);
        for (int i = 0; i < size; i++) {
            b.put(i, v);
        }
        return b;
    }
}
