package dev.donjon.common;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/**
 * Files readable by their owner only (0600 in a 0700 directory): private keys must never be created world-readable,
 * not even for the instant between creation and chmod, so permissions are set at creation time. Credentials an operator
 * hands over (a master key, a token) are read only when nobody but their owner, the user running us, can use them.
 */
public final class OwnerOnlyFiles {

    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    private OwnerOnlyFiles() {}

    /** A credential file that may not be used: its message names the file and the problem (and the fix). */
    public static final class RefusedFile extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedFile(String message) {
            super(message);
        }
    }

    /**
     * The bytes of a credential file, read only if it is a regular file, nobody but its owner may read, write or execute
     * it, and its owner is the user running us.
     *
     * @param what names the file in messages, e.g. {@code master key}
     * @throws java.nio.file.NoSuchFileException it does not exist (the caller says how to make one)
     * @throws RefusedFile                       not a regular file, open to group or others, someone else's, or no POSIX
     *                                           permissions to check
     */
    public static byte[] readPrivate(Path file, String what) throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(file, PosixFileAttributes.class);
        } catch (UnsupportedOperationException e) {
            throw new RefusedFile(what + " " + file + ": the file system has no POSIX permissions to check");
        }
        if (!a.isRegularFile()) throw new RefusedFile(what + " " + file + " is not a regular file");
        Set<PosixFilePermission> extra = EnumSet.noneOf(PosixFilePermission.class);
        extra.addAll(a.permissions());
        extra.retainAll(NOT_OWNER);
        if (!extra.isEmpty()) {
            throw new RefusedFile(what + " " + file + " is accessible to others ("
                    + PosixFilePermissions.toString(a.permissions()) + "): chmod 600 " + file);
        }
        UserPrincipal me = file.getFileSystem()
                .getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
        if (!a.owner().equals(me))
            throw new RefusedFile(
                    what + " " + file + " belongs to " + a.owner().getName() + ", not to " + me.getName());
        return Files.readAllBytes(file);
    }

    /**
     * Creates {@code file} (and its directory) owner-only with {@code bytes}; never replaces an existing file.
     *
     * @throws FileAlreadyExistsException {@code file} exists
     */
    public static void createNew(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = posix(dir)
                ? Files.createTempFile(
                        dir,
                        ".new-",
                        "",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".new-", "");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file); // no REPLACE_EXISTING: fails rather than replace one that appeared meanwhile
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try {
            if (posix(parent)) {
                Files.createDirectory(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException raced) {
            // another process made it first: fine
        }
    }

    /** Writes {@code bytes} to a fresh 0600 file beside {@code target}, then renames it over {@code target} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = posix(dir)
                ? Files.createTempFile(
                        dir,
                        ".tmp-",
                        "",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, ".tmp-", "");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean posix(Path dir) {
        return dir != null
                && Files.getFileAttributeView(dir, java.nio.file.attribute.PosixFileAttributeView.class) != null;
    }
}
