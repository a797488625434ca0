package io.jqcow.tools.io;

import io.jqcow.block.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** write -s: a file whose bytes, repeated, fill the write buffer. */
final class SourceFile {
    private SourceFile() {
    }

    /** Fills buf with the file's first bytes, repeated; complaints go to stderr as qemu-io words them. */
    static void fill(IoSession s, String name, ByteBuffer buf) throws CommandFailed {
        Path path = Path.of(name);
        byte[] head;
        try {
            if (Files.isDirectory(path)) {
                throw complain(s, name, Errno.EISDIR.description());
            }
            try (InputStream in = Files.newInputStream(path)) {
                head = in.readNBytes(Math.max(1, buf.remaining()));
            }
        } catch (NoSuchFileException e) {
            throw complain(s, name, Errno.ENOENT.description());
        } catch (AccessDeniedException e) {
            throw complain(s, name, Errno.EACCES.description());
        } catch (IOException e) {
            throw complain(s, name, Errno.EIO.description());
        }
        if (head.length == 0) {
            throw complain(s, name, "file is empty");
        }
        for (int i = 0; i < buf.remaining(); i++) {
            buf.put(buf.position() + i, head[i % head.length]);
        }
    }

    private static CommandFailed complain(IoSession s, String name, String why) {
        s.errorLine(name + ": " + why);
        return CommandFailed.silent();
    }
}
