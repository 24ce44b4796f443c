package dev.donjon.wasi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a guest's stdin, stdout or stderr really is, so that {@code fd_fdstat_get} (and so {@code isatty}) tells the
 * guest the truth: a program fed a script through a pipe must not think it talks to a terminal. The WASI file type
 * each reports is the one wasmtime reports (its preview 1 has no code for a pipe: "unknown").
 */
public enum StreamKind {
    /** A terminal: a character device, not seekable, so wasi-libc's {@code isatty} says yes. */
    TERMINAL,
    /** A character device that is not a terminal ({@code /dev/null}): seekable (to 0), so {@code isatty} says no. */
    CHARACTER_DEVICE,
    /** A regular file (the guest still reads or writes it as a stream). */
    REGULAR_FILE,
    PIPE,
    SOCKET,
    /** A stream inside the host (a test's buffer, a Keep's output relayed to its owner): no file at all. */
    STREAM;

    /** Linux's major number of the memory devices: /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom. */
    private static final long MEMORY_DEVICES = 1;

    /**
     * What file descriptor {@code fd} of this process is, from the file it refers to ({@code /proc/self/fd/N}, or
     * {@code /dev/fd/N} where there is no /proc); {@link #STREAM} when that cannot be found out. A character device is
     * a terminal unless it is one of the memory devices (/dev/null, /dev/zero...): those are what stdio is otherwise
     * given. No native call: this runs at every start of {@code donjon run}, where linking one would cost more.
     */
    public static StreamKind ofProcessFd(int fd) {
        Path link = Path.of(
                Files.isDirectory(Path.of("/proc/self/fd")) ? "/proc/self/fd" : "/dev/fd", Integer.toString(fd));
        try {
            Map<String, Object> a = Files.readAttributes(link, "unix:mode,rdev");
            int type = (Integer) a.get("mode") & 0170000;
            long rdev = (Long) a.get("rdev");
            return switch (type) {
                case 0020000 -> major(rdev) == MEMORY_DEVICES ? CHARACTER_DEVICE : TERMINAL;
                case 0100000 -> REGULAR_FILE;
                case 0010000 -> PIPE;
                case 0140000 -> SOCKET;
                default -> STREAM;
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return STREAM; // closed, or no such view of the process's descriptors: report no file rather than a guess
        }
    }

    /** The major number of a Linux dev_t as glibc encodes it. */
    private static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    }
}
