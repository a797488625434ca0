package io.jqcow.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jqcow.block.BlockException;
import io.jqcow.block.Errno;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FilesystemPolicyTest {
    private static final FilesystemType XFS = FilesystemType.fromMagic(0x58465342L);
    private static final FilesystemType EXT4 = FilesystemType.fromMagic(0xEF53);
    private static final FilesystemType TMPFS = FilesystemType.fromMagic(0x01021994);
    private static final FilesystemType NFS = FilesystemType.fromMagic(0x6969);
    private static final FilesystemType FUSE = FilesystemType.fromMagic(0x65735546);
    private static final FilesystemType ALIEN = FilesystemType.fromMagic(0x0ddba11L);

    private static final FilesystemPolicy DEFAULTS = new FilesystemPolicy(PolicyTable.empty(), null);

    private static PolicyDecision auto(FilesystemPolicy p, FilesystemType fs, AioMode aio) throws BlockException {
        return p.decide(fs, aio, "auto", "auto");
    }

    @Test
    void xfsDefaultIsAsyncOnlyActiveOnlyForKernelAsyncEngines() throws BlockException {
        PolicyDecision threads = auto(DEFAULTS, XFS, AioMode.THREADS);
        assertEquals(PostEofSerialise.ASYNC_ONLY, threads.postEof());
        assertFalse(threads.serialisePostEofWrites());
        assertEquals("default for xfs", threads.postEofRule());
        assertTrue(auto(DEFAULTS, XFS, AioMode.NATIVE).serialisePostEofWrites());
        assertTrue(auto(DEFAULTS, XFS, AioMode.IO_URING).serialisePostEofWrites());
    }

    @Test
    void xfsRuleMentionsTheKernel() throws BlockException {
        FilesystemPolicy fixed = new FilesystemPolicy(PolicyTable.empty(), KernelVersion.parse("6.18.44-fc-v769"));
        assertEquals("default for xfs (kernel 6.18.44-fc-v769 has the 5.5 fallocate fix)",
                auto(fixed, XFS, AioMode.NATIVE).postEofRule());
        FilesystemPolicy old = new FilesystemPolicy(PolicyTable.empty(), KernelVersion.parse("5.4.10"));
        PolicyDecision d = auto(old, XFS, AioMode.NATIVE);
        assertEquals("default for xfs (kernel 5.4.10 may lack the 5.5 fallocate fix)", d.postEofRule());
        assertEquals(PostEofSerialise.ASYNC_ONLY, d.postEof());
    }

    @ParameterizedTest
    @EnumSource(AioMode.class)
    void classDefaults(AioMode aio) throws BlockException {
        PolicyDecision local = auto(DEFAULTS, EXT4, aio);
        assertEquals(PostEofSerialise.OFF, local.postEof());
        assertFalse(local.serialisePostEofWrites());
        assertEquals("default for local filesystems (ext4)", local.postEofRule());
        assertEquals(PostEofSerialise.OFF, auto(DEFAULTS, TMPFS, aio).postEof());

        PolicyDecision remote = auto(DEFAULTS, NFS, aio);
        assertEquals(PostEofSerialise.ALWAYS, remote.postEof());
        assertTrue(remote.serialisePostEofWrites());
        assertEquals("default for remote filesystems (nfs)", remote.postEofRule());

        PolicyDecision fuse = auto(DEFAULTS, FUSE, aio);
        assertEquals(PostEofSerialise.ALWAYS, fuse.postEof());
        assertEquals("default for fuse filesystems (fuse)", fuse.postEofRule());

        PolicyDecision unknown = auto(DEFAULTS, ALIEN, aio);
        assertEquals(PostEofSerialise.ALWAYS, unknown.postEof());
        assertTrue(unknown.serialisePostEofWrites());
        assertEquals("default for unknown filesystems (f_type 0x00ddba11)", unknown.postEofRule());

        for (FilesystemType fs : new FilesystemType[] {XFS, EXT4, TMPFS, NFS, FUSE, ALIEN}) {
            PolicyDecision d = auto(DEFAULTS, fs, aio);
            assertTrue(d.allocZeroWrites(), fs.name());
            assertEquals("default, as QEMU", d.allocZeroRule());
        }
    }

    @Test
    void everyKnownTypeGetsItsClassDefault() throws BlockException {
        for (FilesystemType fs : FilesystemType.known()) {
            PostEofSerialise want = fs.name().equals("xfs") ? PostEofSerialise.ASYNC_ONLY
                    : fs.fsClass() == FilesystemType.FsClass.LOCAL ? PostEofSerialise.OFF : PostEofSerialise.ALWAYS;
            assertEquals(want, auto(DEFAULTS, fs, AioMode.NATIVE).postEof(), fs.toString());
        }
    }

    @Test
    void precedenceIsPerOpenThenNameThenClassThenDefault() throws BlockException {
        PolicyTable table = PolicyTable.parse("@local=always,ext4=async-only,@remote=off,"
                + "@local.alloc-zero-writes=off,tmpfs.alloc-zero-writes=on", PolicyTable.ENV);
        FilesystemPolicy p = new FilesystemPolicy(table, null);

        // Per-open beats everything.
        PolicyDecision open = p.decide(EXT4, AioMode.THREADS, "off", "on");
        assertEquals(PostEofSerialise.OFF, open.postEof());
        assertEquals("per-open option post-eof-serialise=off", open.postEofRule());
        assertTrue(open.allocZeroWrites());
        assertEquals("per-open option alloc-zero-writes=on", open.allocZeroRule());

        // Name entry beats class entry.
        PolicyDecision ext4 = auto(p, EXT4, AioMode.NATIVE);
        assertEquals(PostEofSerialise.ASYNC_ONLY, ext4.postEof());
        assertTrue(ext4.serialisePostEofWrites());
        assertEquals("JQCOW_FS_POLICY entry ext4=async-only", ext4.postEofRule());
        assertFalse(ext4.allocZeroWrites());
        assertEquals("JQCOW_FS_POLICY entry @local.alloc-zero-writes=off", ext4.allocZeroRule());

        PolicyDecision tmpfs = auto(p, TMPFS, AioMode.THREADS);
        assertEquals(PostEofSerialise.ALWAYS, tmpfs.postEof());
        assertEquals("JQCOW_FS_POLICY entry @local=always", tmpfs.postEofRule());
        assertTrue(tmpfs.allocZeroWrites());
        assertEquals("JQCOW_FS_POLICY entry tmpfs.alloc-zero-writes=on", tmpfs.allocZeroRule());

        // Class entry beats the default.
        PolicyDecision nfs = auto(p, NFS, AioMode.NATIVE);
        assertEquals(PostEofSerialise.OFF, nfs.postEof());
        assertFalse(nfs.serialisePostEofWrites());

        // No entry: default.
        PolicyDecision fuse = auto(p, FUSE, AioMode.THREADS);
        assertEquals(PostEofSerialise.ALWAYS, fuse.postEof());
        assertEquals("default for fuse filesystems (fuse)", fuse.postEofRule());
    }

    @Test
    void decideFromFileOptionsUsesItsEngineAndOverrides() throws BlockException {
        FileOptions o = FileOptions.defaults(Path.of("/x"), false).withAio(AioMode.NATIVE);
        assertTrue(DEFAULTS.decide(XFS, o).serialisePostEofWrites());
        assertFalse(DEFAULTS.decide(XFS, o.withAio(AioMode.THREADS)).serialisePostEofWrites());
        PolicyDecision d = DEFAULTS.decide(EXT4, o.withPolicy("always", "off"));
        assertTrue(d.serialisePostEofWrites());
        assertFalse(d.allocZeroWrites());
        assertEquals("per-open option alloc-zero-writes=off", d.allocZeroRule());
        assertEquals(PostEofSerialise.OFF, DEFAULTS.decide(EXT4, o.withPolicy(null, null)).postEof());
    }

    @Test
    void badPerOpenValuesAreEinval() {
        BlockException a = assertThrows(BlockException.class,
                () -> DEFAULTS.decide(XFS, AioMode.NATIVE, "sometimes", "auto"));
        assertEquals(Errno.EINVAL, a.errno());
        assertTrue(a.getMessage().contains("'sometimes'"), a.getMessage());
        BlockException b = assertThrows(BlockException.class,
                () -> DEFAULTS.decide(XFS, AioMode.NATIVE, "auto", "always"));
        assertEquals(Errno.EINVAL, b.errno());
        assertTrue(b.getMessage().contains("alloc-zero-writes"), b.getMessage());
    }

    @Test
    void probeLinesShowValueStateAndRule() throws BlockException {
        PolicyDecision d = auto(DEFAULTS, XFS, AioMode.NATIVE);
        assertEquals("post-eof-serialise: async-only (active with aio=native) [default for xfs]", d.postEofLine());
        assertEquals("alloc-zero-writes: on [default, as QEMU]", d.allocZeroLine());
        assertEquals("post-eof-serialise: async-only (inactive with aio=threads) [default for xfs]",
                auto(DEFAULTS, XFS, AioMode.THREADS).postEofLine());
    }

    @Test
    void postEofEnumSpellingsRoundTrip() throws BlockException {
        for (PostEofSerialise p : PostEofSerialise.values()) {
            assertEquals(p, PostEofSerialise.parse(p.optionName(), "test"));
        }
        assertEquals("async-only", PostEofSerialise.ASYNC_ONLY.optionName());
        assertThrows(BlockException.class, () -> PostEofSerialise.parse("auto", "test"));
    }
}
