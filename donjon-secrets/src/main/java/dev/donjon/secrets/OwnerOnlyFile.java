package dev.donjon.secrets;

import dev.donjon.common.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The broker's credential files (master key, operator token) through donjon-common's {@link OwnerOnlyFiles}, with its messages. */
final class OwnerOnlyFile {

    private OwnerOnlyFile() {}

    /**
     * @param what      names the file in messages, e.g. {@code master key}
     * @param howToMake how to make one, for a missing file
     * @throws BrokerException missing, not a regular file, readable or writable by group or others, or someone else's
     */
    static byte[] read(Path file, String what, String howToMake) throws BrokerException {
        try {
            return OwnerOnlyFiles.readPrivate(file, what);
        } catch (NoSuchFileException e) {
            throw new BrokerException(what + " " + file + ": no such file (" + howToMake + ")");
        } catch (OwnerOnlyFiles.RefusedFile e) {
            throw new BrokerException(e.getMessage());
        } catch (IOException e) {
            throw new BrokerException(what + " " + file + ": " + e.getMessage());
        }
    }

    /** Creates {@code file} owner-only (0600) with {@code bytes}; never replaces an existing file. */
    static void create(Path file, byte[] bytes, String what) throws BrokerException {
        try {
            OwnerOnlyFiles.createNew(file, bytes);
        } catch (FileAlreadyExistsException e) {
            throw new BrokerException(file + " exists: a " + what + " is never overwritten");
        } catch (IOException e) {
            throw new BrokerException("cannot write the " + what + " " + file + ": " + e.getMessage());
        }
    }
}
