package io.jqcow.tools.img;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * convert -l and measure -l on a twin image whose snapshot differs from the active layer (other
 * data, smaller size): same messages, exit status and numbers as qemu-img, and the same output
 * image (byte for byte when raw, by qemu-img compare when qcow2).
 */
class SnapshotLoadInteropTest {
    @TempDir
    static Path dir;
    private static Twin twin;

    @BeforeAll
    static void images() throws Exception {
        Twin.assumeQemuImg("SnapshotLoadInteropTest");
        twin = new Twin(dir);
        twin.must("qemu-img", "create -q -f qcow2 @S 4M");
        twin.qemuIo("S", "write -P 1 0 1M");
        twin.must("qemu-img", "snapshot -c s1 @S");
        twin.must("qemu-img", "resize -q @S 8M");
        twin.qemuIo("S", "write -P 2 0 64k");
        twin.qemuIo("S", "write -P 3 6M 64k");
        twin.must("qemu-img", "create -q -f raw @R 1M");
    }

    @ParameterizedTest(name = "convert {0}")
    @ValueSource(strings = {"-l s1 -O raw @S @OUT", "-l 1 -O raw @S @OUT", "-l snapshot.id=1 -O raw @S @OUT",
        "-l snapshot.name=s1 -O raw @S @OUT", "-l snapshot.name=s1,snapshot.id=1 -O qcow2 @S @OUT",
        "-l snapshot.name=s1,snapshot.id=2 -O raw @S @OUT", "-l snapshot.bogus=1 -O raw @S @OUT",
        "-l nope -O raw @S @OUT", "-l s1 -f raw -O raw @R @OUT", "-l s1 -O raw @R @OUT"})
    void convertMatches(String args) throws Exception {
        Files.deleteIfExists(dir.resolve("OUT"));
        Twin.Run q = twin.img("convert " + args);
        boolean made = Files.exists(dir.resolve("OUT"));
        if (made) {
            Files.move(dir.resolve("OUT"), dir.resolve("QOUT"), StandardCopyOption.REPLACE_EXISTING);
        }
        Twin.Run j = twin.jqcow("convert " + args);
        assertEquals(q.exit(), j.exit(), "exit; ours: " + j.err());
        assertEquals(q.out(), j.out(), "stdout");
        assertEquals(q.err(), j.err(), "stderr");
        assertEquals(made, Files.exists(dir.resolve("OUT")), "output created");
        if (made && args.contains("-O raw")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("QOUT")), Files.readAllBytes(dir.resolve("OUT")));
        } else if (made) {
            Twin.Run same = twin.img("compare @QOUT @OUT");
            assertEquals(0, same.exit(), same.out() + same.err());
            assertEquals(0, twin.img("check @OUT").exit());
        }
    }

    @ParameterizedTest(name = "measure {0}")
    @ValueSource(strings = {"-l s1 -O qcow2 @S", "-l 1 --output=json -O raw @S", "-l nope -O qcow2 @S",
        "-O qcow2 @S", "-l s1 -O qcow2 -f raw @R"})
    void measureMatches(String args) throws Exception {
        Twin.Run q = twin.img("measure " + args);
        Twin.Run j = twin.jqcow("measure " + args);
        assertEquals(q.exit(), j.exit(), "exit; ours: " + j.err());
        assertEquals(q.out(), j.out(), "stdout");
        assertEquals(q.err(), j.err(), "stderr");
    }
}
