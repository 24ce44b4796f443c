package dev.donjon.wasi;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A read-only directory the guest sees under {@code guestPath} whose files live only in this process's memory, never
 * on the host's disk (a Keep's secrets). Flat: file names, no sub-directories. The guest can open, read, seek, stat
 * and list; every change (create, write, rename, unlink, mkdir) fails with EROFS. {@link #wipe()} overwrites the
 * contents with zeros once the guest is done (best effort: the JVM may have copied them before).
 */
public final class MemoryDirectory {

    public static final int MAX_FILES = 256;
    public static final int MAX_FILE_BYTES = 1 << 20;

    private final String guestPath;
    private final Map<String, byte[]> files;

    public MemoryDirectory(String guestPath, Map<String, byte[]> files) {
        Objects.requireNonNull(guestPath, "guestPath");
        if (guestPath.isEmpty() || guestPath.indexOf('\0') >= 0)
            throw new IllegalArgumentException("a directory's guest path must be a non-empty path");
        if (files.size() > MAX_FILES)
            throw new IllegalArgumentException("an in-memory directory holds at most " + MAX_FILES + " files");
        Map<String, byte[]> copy = new TreeMap<>();
        files.forEach((name, bytes) -> {
            checkName(name);
            if (bytes.length > MAX_FILE_BYTES)
                throw new IllegalArgumentException("file " + name + " is larger than " + MAX_FILE_BYTES + " bytes");
            copy.put(name, bytes.clone());
        });
        this.guestPath = guestPath;
        this.files = Collections.unmodifiableMap(copy);
    }

    /** A plain file name: 1-255 bytes of UTF-8, no '/', no NUL, not "." or "..". */
    public static void checkName(String name) {
        if (name.isEmpty()
                || name.equals(".")
                || name.equals("..")
                || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0
                || name.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException(
                    "'" + name + "' is not a plain file name (no '/', not . or .., 1-255 bytes)");
        }
    }

    public String guestPath() {
        return guestPath;
    }

    /** The file names, sorted. */
    public java.util.Set<String> names() {
        return files.keySet();
    }

    /** The bytes of one file (the live array: the WASI host reads it in place; callers must not change it). */
    public byte[] contents(String name) {
        return files.get(name);
    }

    /** Overwrites every file with zeros. */
    public void wipe() {
        files.values().forEach(b -> Arrays.fill(b, (byte) 0));
    }

    /** Names and sizes only: the contents are secrets. */
    @Override
    public String toString() {
        return "MemoryDirectory[" + guestPath + ", " + files.size() + " files]";
    }
}
