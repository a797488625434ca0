package io.jqcow.tools.convert;

import io.jqcow.block.BlockException;
import io.jqcow.image.ConvertSourceChain.Kind;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * A chunk's source reads, and what happens when one fails. qemu-img reads extent by extent, so it
 * names the start of the extent that failed ("error while reading at byte N"); a failed merged
 * read is therefore retried piece by piece to find that extent. With --salvage a failing piece is
 * read again sector by sector: each sector that still fails is warned about ("error while reading
 * offset N") and copied as zeroes, and the conversion goes on, as qemu-img does.
 * The common path is one asynchronous read; only a failed read is retried, on a thread of its own.
 */
final class ReadRecovery {
    static final int SECTOR = 512;

    private final SourceSet sources;
    private final boolean salvage;
    private final Consumer<String> warnings;

    ReadRecovery(SourceSet sources, boolean salvage, Consumer<String> warnings) {
        this.sources = sources;
        this.salvage = salvage;
        this.warnings = warnings;
    }

    /** Without --salvage: the first failure ends the conversion. */
    static ReadRecovery strict(SourceSet sources) {
        return new ReadRecovery(sources, false, w -> { });
    }

    /** Reads [at, at + len) of the chunk into data (the chunk's buffer, indexed from the chunk start). */
    CompletableFuture<Void> read(Chunk c, int at, int len, ByteBuffer data) {
        return sources.readAsync(c.offset() + at, data.slice(at, len))
                .exceptionallyCompose(e -> CompletableFuture.runAsync(() -> recover(c, at, len, data), ReadRecovery::spawn));
    }

    /** Recovery waits on reads, so it runs on a thread of its own, never on a request thread. */
    private static void spawn(Runnable r) {
        Thread t = new Thread(r, "jqcow-read-recovery");
        t.setDaemon(true);
        t.start();
    }

    private void recover(Chunk c, int at, int len, ByteBuffer data) {
        List<Chunk.Piece> pieces = c.pieces().stream()
                .filter(p -> p.kind() == Kind.DATA && p.at() < at + len && p.at() + p.length() > at).toList();
        for (Chunk.Piece p : units(c, pieces)) {
            Throwable e = tryRead(c.offset() + p.at(), data.slice(p.at(), p.length()));
            if (e == null) {
                continue;
            }
            if (!salvage) {
                throw failure("error while reading at byte " + (c.offset() + p.at()), e);
            }
            for (int s = p.at(); s < p.at() + p.length(); s += SECTOR) {
                int n = Math.min(SECTOR, p.at() + p.length() - s);
                Throwable se = tryRead(c.offset() + s, data.slice(s, n));
                if (se != null) {
                    warnings.accept("warning: error while reading offset " + (c.offset() + s) + ": " + why(se));
                    for (int k = s; k < s + n; k++) {
                        data.put(k, (byte) 0);
                    }
                }
            }
        }
    }

    /** The data pieces cut where qemu-img's reads would start (see SourceSet#readUnitAt). */
    private List<Chunk.Piece> units(Chunk c, List<Chunk.Piece> pieces) {
        List<Chunk.Piece> out = new java.util.ArrayList<>();
        for (Chunk.Piece p : pieces) {
            long abs = c.offset() + p.at();
            int unit = sources.readUnitAt(abs);
            if (unit <= 0) {
                out.add(p);
                continue;
            }
            long base = sources.sourceStartAt(abs);
            int at = p.at();
            int end = p.at() + p.length();
            while (at < end) {
                long local = c.offset() + at - base;
                int n = (int) Math.min(end - at, (local / unit + 1) * unit - local);
                out.add(new Chunk.Piece(at, n, p.kind()));
                at += n;
            }
        }
        return out;
    }

    private Throwable tryRead(long offset, ByteBuffer into) {
        try {
            sources.readAsync(offset, into).join();
            return null;
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return e;
        }
    }

    private static ConvertFailure failure(String what, Throwable e) {
        return new ConvertFailure(what + ": " + why(e), cause(e));
    }

    private static String why(Throwable e) {
        Throwable t = cause(e);
        return t instanceof BlockException be ? be.errno().description() : String.valueOf(t);
    }

    private static Throwable cause(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
