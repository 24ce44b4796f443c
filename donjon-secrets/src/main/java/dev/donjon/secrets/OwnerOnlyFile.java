package dev.donjon.secrets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/** Reads a credential file (master key, operator token) only if nobody but its owner, the user running us, can use it. */
final class OwnerOnlyFile {

    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private OwnerOnlyFile() {}

    /**
     * @param what names the file in messages, e.g. {@code master key}
     * @param howToMake how to make one, for a missing file
     * @throws BrokerException missing, not a regular file, readable or writable by group or others, or someone else's
     */
    static byte[] read(Path file, String what, String howToMake) throws BrokerException {
        try {
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class);
            if (!a.isRegularFile()) throw new BrokerException(what + " " + file + " is not a regular file");
            Set<PosixFilePermission> extra = EnumSet.noneOf(PosixFilePermission.class);
            extra.addAll(a.permissions());
            extra.retainAll(NOT_OWNER);
            if (!extra.isEmpty()) {
                throw new BrokerException(what + " " + file + " is accessible to others (" + PosixFilePermissions.toString(a.permissions()) + "): chmod 600 " + file);
            }
            UserPrincipal me = file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
            if (!a.owner().equals(me)) throw new BrokerException(what + " " + file + " belongs to " + a.owner().getName() + ", not to " + me.getName());
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BrokerException(what + " " + file + ": no such file (" + howToMake + ")");
        } catch (UnsupportedOperationException e) {
            throw new BrokerException(what + " " + file + ": the file system has no POSIX permissions to check");
        } catch (IOException e) {
            throw new BrokerException(what + " " + file + ": " + e.getMessage());
        }
    }

    /** Creates {@code file} owner-only (0600) with {@code bytes}; never replaces an existing file. */
    static void create(Path file, byte[] bytes, String what) throws BrokerException {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".new-", "", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, file); // no REPLACE_EXISTING: fails rather than replace one that appeared meanwhile
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new BrokerException(file + " exists: a " + what + " is never overwritten");
        } catch (IOException e) {
            throw new BrokerException("cannot write the " + what + " " + file + ": " + e.getMessage());
        }
    }
}
