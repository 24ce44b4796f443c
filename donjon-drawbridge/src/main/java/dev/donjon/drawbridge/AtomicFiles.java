package dev.donjon.drawbridge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes that are all-or-nothing: the bytes go to a temporary file beside nothing visible, are forced to
 * disk, and only then appear under their name (by rename, or by hard link when the name must be new).
 * A crash at any point leaves either the old state or the complete new file, never a partial one.
 */
final class AtomicFiles {
    private AtomicFiles() {}

    /** Creates {@code target} with {@code bytes}; throws FileAlreadyExistsException if it exists (atomically). */
    static void createNew(Path tmpDir, Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(tmpDir, "new-", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            Files.createDirectories(target.getParent());
            Files.createLink(target, tmp); // fails if target exists: first writer wins
            syncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Moves a complete, already forced temporary file to {@code target}, replacing it (same content by construction). */
    static void publish(Path tmp, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.getParent());
    }

    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems refuse to open directories; the rename itself is still atomic there
        }
    }

    static boolean isAlreadyExists(IOException e) {
        return e instanceof FileAlreadyExistsException;
    }
}
