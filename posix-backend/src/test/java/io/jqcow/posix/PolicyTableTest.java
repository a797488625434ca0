package io.jqcow.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import io.jqcow.posix.PolicyTable.Setting;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyTableTest {
    private static final FilesystemType XFS = FilesystemType.fromMagic(0x58465342L);
    private static final FilesystemType EXT4 = FilesystemType.fromMagic(0xEF53);
    private static final FilesystemType NFS = FilesystemType.fromMagic(0x6969);
    private static final FilesystemType TMPFS = FilesystemType.fromMagic(0x01021994);

    @Test
    void parsesNamesSettingsAndClasses() throws BlockException {
        PolicyTable t = PolicyTable.parse(
                " xfs=always , ext4=off,@remote=async-only, tmpfs.alloc-zero-writes=off,"
                        + "nfs.alloc-zero-writes=on",
                PolicyTable.ENV);
        assertEquals(5, t.size());
        assertEquals(PostEofSerialise.ALWAYS, t.lookup(XFS, Setting.POST_EOF_SERIALISE).orElseThrow().postEof());
        assertEquals(PostEofSerialise.OFF, t.lookup(EXT4, Setting.POST_EOF_SERIALISE).orElseThrow().postEof());
        assertEquals("JQCOW_FS_POLICY entry ext4=off", t.lookup(EXT4, Setting.POST_EOF_SERIALISE).orElseThrow().rule());
        PolicyTable.Entry nfs = t.lookup(NFS, Setting.POST_EOF_SERIALISE).orElseThrow();
        assertEquals(PostEofSerialise.ASYNC_ONLY, nfs.postEof());
        assertEquals("@remote", nfs.target());
        assertFalse(t.lookup(TMPFS, Setting.ALLOC_ZERO_WRITES).orElseThrow().allocZeroWrites());
        assertTrue(t.lookup(NFS, Setting.ALLOC_ZERO_WRITES).orElseThrow().allocZeroWrites());
        assertTrue(t.lookup(TMPFS, Setting.POST_EOF_SERIALISE).isEmpty());
        assertTrue(t.lookup(XFS, Setting.ALLOC_ZERO_WRITES).isEmpty());
    }

    @Test
    void nameEntryBeatsClassEntry() throws BlockException {
        PolicyTable t = PolicyTable.parse("@remote=off,nfs=always", PolicyTable.PROPERTY);
        assertEquals(PostEofSerialise.ALWAYS, t.lookup(NFS, Setting.POST_EOF_SERIALISE).orElseThrow().postEof());
        FilesystemType cifs = FilesystemType.fromMagic(0xFF534D42L);
        assertEquals(PostEofSerialise.OFF, t.lookup(cifs, Setting.POST_EOF_SERIALISE).orElseThrow().postEof());
    }

    @Test
    void explicitPostEofSettingEqualsTheShortForm() throws BlockException {
        PolicyTable t = PolicyTable.parse("xfs.post-eof-serialise=off", "test");
        assertEquals(PostEofSerialise.OFF, t.lookup(XFS, Setting.POST_EOF_SERIALISE).orElseThrow().postEof());
    }

    @Test
    void blankAndMissingAreEmpty() throws BlockException {
        assertEquals(0, PolicyTable.parse(null, "x").size());
        assertEquals(0, PolicyTable.parse("   ", "x").size());
        assertEquals(0, PolicyTable.from(Map.of(), new Properties()).size());
    }

    @Test
    void propertyOverridesEnvironmentPerKey() throws BlockException {
        Properties p = new Properties();
        p.setProperty(PolicyTable.PROPERTY, "xfs=off");
        PolicyTable t = PolicyTable.from(Map.of(PolicyTable.ENV, "xfs=always,ext4=always"), p);
        PolicyTable.Entry xfs = t.lookup(XFS, Setting.POST_EOF_SERIALISE).orElseThrow();
        assertEquals(PostEofSerialise.OFF, xfs.postEof());
        assertEquals("jqcow.fs-policy entry xfs=off", xfs.rule());
        PolicyTable.Entry ext4 = t.lookup(EXT4, Setting.POST_EOF_SERIALISE).orElseThrow();
        assertEquals(PostEofSerialise.ALWAYS, ext4.postEof());
        assertEquals("JQCOW_FS_POLICY entry ext4=always", ext4.rule());
    }

    @ParameterizedTest(name = "''{0}'' -> error naming ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "xfs=sometimes|xfs=sometimes",
        "xfs|xfs",
        "xfs=always,,ext4=off|''",
        "xfs=always,|''",
        "zork=off|zork=off",
        "ext3=off|ext3=off",
        "@cloud=off|@cloud=off",
        "xfs.alloc-zero=off|xfs.alloc-zero=off",
        "xfs.alloc-zero-writes=always|xfs.alloc-zero-writes=always",
        "tmpfs=on|tmpfs=on",
        "xfs=off,xfs=always|xfs=always",
        "XFS=off|XFS=off",
    })
    void strictErrorsNameTheToken(String line, String token) {
        BlockException e = assertThrows(BlockException.class, () -> PolicyTable.parse(line, PolicyTable.ENV));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("JQCOW_FS_POLICY entry '" + token + "'"), e.getMessage());
    }

    @Test
    void badPropertyFailsFromToo() {
        Properties p = new Properties();
        p.setProperty(PolicyTable.PROPERTY, "xfs=maybe");
        BlockException e = assertThrows(BlockException.class, () -> PolicyTable.from(Map.of(), p));
        assertTrue(e.getMessage().contains("jqcow.fs-policy entry 'xfs=maybe'"), e.getMessage());
    }
}
