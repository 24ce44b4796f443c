package dev.donjon.wasi.linux;

/** A failed Linux system call: its {@code errno}. Cheap (no stack trace): WASI calls fail this way routinely. */
public final class LinuxException extends RuntimeException {
    public final int errno;

    public LinuxException(int errno, String call) {
        super(call + ": errno " + errno, null, false, false);
        this.errno = errno;
    }
}
