package dev.donjon.wasi;

import dev.donjon.wasi.linux.Linux;
import dev.donjon.wasi.linux.LinuxException;

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

    /** What file descriptor {@code fd} of this process is; {@link #STREAM} when that cannot be found out. */
    public static StreamKind ofProcessFd(int fd) {
        if (!Linux.SUPPORTED) return STREAM;
        try (Linux sys = new Linux()) {
            return switch (sys.fstat(fd).type()) {
                case Linux.S_IFCHR -> sys.isatty(fd) ? TERMINAL : CHARACTER_DEVICE;
                case Linux.S_IFREG -> REGULAR_FILE;
                case Linux.S_IFIFO -> PIPE;
                case Linux.S_IFSOCK -> SOCKET;
                default -> STREAM;
            };
        } catch (LinuxException | UnsupportedOperationException | IllegalStateException e) {
            return STREAM; // closed, or no native access: report no file rather than a guess
        }
    }
}
