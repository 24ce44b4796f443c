package dev.donjon.wasi.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The Linux system calls behind the guest's files and directories, called through the Foreign Function &amp; Memory
 * API (no native library of Donjon's own). Every call works on file descriptors: the WASI host resolves guest paths
 * only relative to directory descriptors it holds, with the kernel keeping resolution beneath them ({@link Beneath}).
 *
 * <p>One instance per guest thread (a WASI preview 1 guest has one): it owns the native scratch memory its calls use
 * (C strings, the errno slot, stat and I/O buffers), so a call allocates nothing. Not thread-safe. {@code errno} is
 * captured by each downcall itself (a later Java call could overwrite it); a failure throws {@link LinuxException}.
 *
 * <p>Flag values are those of x86-64 and arm64 (they differ for {@code O_DIRECTORY} and {@code O_NOFOLLOW});
 * {@link #SUPPORTED} says whether this JVM runs on one of them.
 */
public final class Linux implements AutoCloseable {
    public static final boolean SUPPORTED = System.getProperty("os.name", "").equals("Linux")
            && (System.getProperty("os.arch", "").equals("amd64") || System.getProperty("os.arch", "").equals("aarch64"));
    private static final boolean ARM64 = System.getProperty("os.arch", "").equals("aarch64");

    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3, O_CREAT = 0100, O_EXCL = 0200,
            O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000, O_DSYNC = 010000,
            O_SYNC = 04010000, O_CLOEXEC = 02000000, O_PATH = 010000000;
    public static final int O_DIRECTORY = ARM64 ? 040000 : 0200000, O_NOFOLLOW = ARM64 ? 0100000 : 0400000;
    public static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    public static final long RESOLVE_NO_XDEV = 1, RESOLVE_NO_MAGICLINKS = 2, RESOLVE_BENEATH = 8;
    public static final int F_GETFL = 3, F_SETFL = 4;
    public static final int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
    public static final short POLLIN = 1, POLLOUT = 4;
    public static final long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;
    public static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000,
            S_IFBLK = 0060000, S_IFDIR = 0040000, S_IFCHR = 0020000, S_IFIFO = 0010000;

    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, EBADF = 9, EAGAIN = 11,
            ENOMEM = 12, EACCES = 13, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
            ENFILE = 23, EMFILE = 24, ENOTTY = 25, EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31,
            EPIPE = 32, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, EOVERFLOW = 75, ENOTSUP = 95;

    /** Longest path (with its NUL) the kernel takes. */
    private static final int PATH_MAX = 4096;
    private static final int SYS_OPENAT2 = 437; // the same number on every architecture (added after the unification)
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int IO_BUFFER = 1 << 20;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** Linked on first use, so that a JVM that never preopens a directory never needs native access. */
    private static final class H {
        static final Linker L = Linker.nativeLinker();
        static final MethodHandle OPENAT = h("openat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 3);
        static final MethodHandle SYSCALL4 = h("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG), 1);
        static final MethodHandle CLOSE = h("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
        static final MethodHandle READ = h("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), -1);
        static final MethodHandle WRITE = h("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), -1);
        static final MethodHandle PREAD = h("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), -1);
        static final MethodHandle PWRITE = h("pwrite", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), -1);
        static final MethodHandle LSEEK = h("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), -1);
        static final MethodHandle STATX = h("statx", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), -1);
        static final MethodHandle MKDIRAT = h("mkdirat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), -1);
        static final MethodHandle UNLINKAT = h("unlinkat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), -1);
        static final MethodHandle RENAMEAT = h("renameat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), -1);
        static final MethodHandle LINKAT = h("linkat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT), -1);
        static final MethodHandle SYMLINKAT = h("symlinkat", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), -1);
        static final MethodHandle READLINKAT = h("readlinkat", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), -1);
        static final MethodHandle UTIMENSAT = h("utimensat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), -1);
        static final MethodHandle FUTIMENS = h("futimens", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), -1);
        static final MethodHandle FSYNC = h("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
        static final MethodHandle FDATASYNC = h("fdatasync", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
        static final MethodHandle FTRUNCATE = h("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), -1);
        static final MethodHandle FCNTL = h("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
        static final MethodHandle ISATTY = h("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT), -1);
        static final MethodHandle POLL = h("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), -1);
        static final MethodHandle GETDENTS64 = h("getdents64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), -1);

        private static MethodHandle h(String name, FunctionDescriptor fd, int firstVariadic) {
            MemorySegment symbol = L.defaultLookup().find(name)
                    .orElseThrow(() -> new UnsupportedOperationException("libc has no " + name + "()"));
            Linker.Option capture = Linker.Option.captureCallState("errno");
            return firstVariadic < 0 ? L.downcallHandle(symbol, fd, capture)
                    : L.downcallHandle(symbol, fd, capture, Linker.Option.firstVariadicArg(firstVariadic));
        }
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = arena.allocate(CALL_STATE);
    private final MemorySegment path1 = arena.allocate(PATH_MAX);
    private final MemorySegment path2 = arena.allocate(PATH_MAX);
    private final MemorySegment statx = arena.allocate(256, 8);
    private final MemorySegment how = arena.allocate(24, 8);
    private final MemorySegment times = arena.allocate(32, 8);
    private final MemorySegment pollfd = arena.allocate(8, 4);
    private MemorySegment io;

    public Linux() {
        if (!SUPPORTED) {
            throw new UnsupportedOperationException("preopened directories need Linux on x86-64 or arm64 (this is "
                    + System.getProperty("os.name") + " on " + System.getProperty("os.arch") + ")");
        }
    }

    @Override
    public void close() { arena.close(); }

    /** The I/O buffer reads and writes go through; {@link #IO_BUFFER} bytes, allocated on first use. */
    public MemorySegment io() {
        if (io == null) io = arena.allocate(IO_BUFFER, 4096);
        return io;
    }

    private int errno() { return (int) ERRNO.get(state, 0L); }

    private int check(int rc, String call) {
        if (rc < 0) throw new LinuxException(errno(), call);
        return rc;
    }

    private long check(long rc, String call) {
        if (rc < 0) throw new LinuxException(errno(), call);
        return rc;
    }

    private static MemorySegment cString(MemorySegment into, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length >= PATH_MAX) throw new LinuxException(ENAMETOOLONG, "path");
        MemorySegment.copy(b, 0, into, JAVA_BYTE, 0, b.length);
        into.set(JAVA_BYTE, b.length, (byte) 0);
        return into;
    }

    private static RuntimeException linkage(Throwable t) {
        return t instanceof RuntimeException r ? r : new IllegalStateException("native call failed: " + t, t);
    }

    // ---- opening and closing ----

    public int openat(int dirfd, String path, int flags, int mode) {
        try {
            return check((int) H.OPENAT.invokeExact(state, dirfd, cString(path1, path), flags, mode), "openat");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    /** openat2(2) with {@code resolve} flags; ENOSYS where the kernel (or a seccomp filter) does not have it. */
    public int openat2(int dirfd, String path, int flags, int mode, long resolve) {
        how.set(JAVA_LONG, 0, Integer.toUnsignedLong(flags));
        how.set(JAVA_LONG, 8, mode);
        how.set(JAVA_LONG, 16, resolve);
        try {
            return (int) check((long) H.SYSCALL4.invokeExact(state, (long) SYS_OPENAT2, (long) dirfd, cString(path1, path), how, 24L), "openat2");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    public void close(int fd) {
        try {
            int ignored = (int) H.CLOSE.invokeExact(state, fd); // Linux frees the fd even when close reports an error
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    // ---- data ----

    public int read(int fd, MemorySegment buf, long len) {
        try {
            return (int) check((long) H.READ.invokeExact(state, fd, buf, len), "read");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    public int write(int fd, MemorySegment buf, long len) {
        try {
            return (int) check((long) H.WRITE.invokeExact(state, fd, buf, len), "write");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    public int pread(int fd, MemorySegment buf, long len, long offset) {
        try {
            return (int) check((long) H.PREAD.invokeExact(state, fd, buf, len, offset), "pread");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    public int pwrite(int fd, MemorySegment buf, long len, long offset) {
        try {
            return (int) check((long) H.PWRITE.invokeExact(state, fd, buf, len, offset), "pwrite");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    public long lseek(int fd, long offset, int whence) {
        try {
            return check((long) H.LSEEK.invokeExact(state, fd, offset, whence), "lseek");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    public void fsync(int fd, boolean metadata) {
        try {
            check(metadata ? (int) H.FSYNC.invokeExact(state, fd) : (int) H.FDATASYNC.invokeExact(state, fd), "fsync");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    public void ftruncate(int fd, long size) {
        try {
            check((int) H.FTRUNCATE.invokeExact(state, fd, size), "ftruncate");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    public int getfl(int fd) {
        try {
            return check((int) H.FCNTL.invokeExact(state, fd, F_GETFL, 0), "fcntl");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    public void setfl(int fd, int flags) {
        try {
            check((int) H.FCNTL.invokeExact(state, fd, F_SETFL, flags), "fcntl");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    /** poll(2) on one descriptor: the events that are ready (0 on timeout). */
    public int poll(int fd, short events, int timeoutMillis) {
        pollfd.set(JAVA_INT, 0, fd);
        pollfd.set(JAVA_SHORT, 4, events);
        pollfd.set(JAVA_SHORT, 6, (short) 0);
        try {
            int n = (int) H.POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
            if (n < 0 && errno() == EINTR) return 0;
            check(n, "poll");
            return n == 0 ? 0 : pollfd.get(JAVA_SHORT, 6);
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    public boolean isatty(int fd) {
        try {
            return (int) H.ISATTY.invokeExact(state, fd) == 1;
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    // ---- metadata ----

    /** What statx(2) says of a file; times in nanoseconds since the epoch, {@code dev} encoded as st_dev is. */
    public record Stat(long dev, long ino, int mode, long nlink, long size, long atim, long mtim, long ctim) {
        public int type() { return mode & S_IFMT; }
        public boolean isDirectory() { return type() == S_IFDIR; }
        public boolean isSymlink() { return type() == S_IFLNK; }
        public boolean isRegular() { return type() == S_IFREG; }
        public boolean sameFile(Stat other) { return dev == other.dev && ino == other.ino; }
    }

    /** The file {@code fd} refers to (an O_PATH descriptor of a symlink gives the symlink). */
    public Stat fstat(int fd) { return statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW); }

    /** {@code name} in the directory {@code dirfd}, not following a final symlink. Only for a single plain name. */
    public Stat lstatat(int dirfd, String name) { return statx(dirfd, name, AT_SYMLINK_NOFOLLOW); }

    private Stat statx(int dirfd, String path, int flags) {
        try {
            check((int) H.STATX.invokeExact(state, dirfd, cString(path1, path), flags, STATX_BASIC_STATS, statx), "statx");
        } catch (Throwable t) {
            throw linkage(t);
        }
        int major = statx.get(JAVA_INT, 136), minor = statx.get(JAVA_INT, 140);
        long dev = ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
        return new Stat(dev, statx.get(JAVA_LONG, 32), Short.toUnsignedInt(statx.get(JAVA_SHORT, 28)),
                Integer.toUnsignedLong(statx.get(JAVA_INT, 16)), statx.get(JAVA_LONG, 40),
                nanos(64), nanos(112), nanos(96));
    }

    private long nanos(long offset) {
        return statx.get(JAVA_LONG, offset) * 1_000_000_000L + Integer.toUnsignedLong(statx.get(JAVA_INT, offset + 8));
    }

    /** Sets the times of {@code fd} itself; {@link #UTIME_NOW} and {@link #UTIME_OMIT} as in utimensat(2). */
    public void futimens(int fd, long atimNanos, long mtimNanos) {
        setTimes(atimNanos, mtimNanos);
        try {
            check((int) H.FUTIMENS.invokeExact(state, fd, times), "futimens");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    /** Sets the times of {@code name} in {@code dirfd}, never following a final symlink. Only for a single plain name. */
    public void utimensatNofollow(int dirfd, String name, long atimNanos, long mtimNanos) {
        setTimes(atimNanos, mtimNanos);
        try {
            check((int) H.UTIMENSAT.invokeExact(state, dirfd, cString(path1, name), times, AT_SYMLINK_NOFOLLOW), "utimensat");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    private void setTimes(long atim, long mtim) {
        timespec(0, atim);
        timespec(16, mtim);
    }

    private void timespec(long offset, long nanos) {
        boolean special = nanos == UTIME_NOW || nanos == UTIME_OMIT;
        times.set(JAVA_LONG, offset, special ? 0 : Math.floorDiv(nanos, 1_000_000_000L));
        times.set(JAVA_LONG, offset + 8, special ? nanos : Math.floorMod(nanos, 1_000_000_000L));
    }

    // ---- directory entries (each takes a single name in a directory the caller holds) ----

    public void mkdirat(int dirfd, String name, int mode) {
        try {
            check((int) H.MKDIRAT.invokeExact(state, dirfd, cString(path1, name), mode), "mkdirat");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    public void unlinkat(int dirfd, String name, int flags) {
        try {
            check((int) H.UNLINKAT.invokeExact(state, dirfd, cString(path1, name), flags), "unlinkat");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    public void renameat(int fromDir, String from, int toDir, String to) {
        try {
            check((int) H.RENAMEAT.invokeExact(state, fromDir, cString(path1, from), toDir, cString(path2, to)), "renameat");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    /** A hard link; never follows a symlink named by {@code from}. */
    public void linkat(int fromDir, String from, int toDir, String to) {
        try {
            check((int) H.LINKAT.invokeExact(state, fromDir, cString(path1, from), toDir, cString(path2, to), 0), "linkat");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    public void symlinkat(String target, int dirfd, String name) {
        try {
            check((int) H.SYMLINKAT.invokeExact(state, cString(path1, target), dirfd, cString(path2, name)), "symlinkat");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    /** The target of the symlink {@code name} in {@code dirfd} (or of {@code dirfd} itself, an O_PATH symlink, for ""). */
    public byte[] readlinkat(int dirfd, String name) {
        try {
            long n = check((long) H.READLINKAT.invokeExact(state, dirfd, cString(path1, name), path2, (long) PATH_MAX), "readlinkat");
            return path2.asSlice(0, n).toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw linkage(t);
        }
    }

    /** One batch of linux_dirent64 records from a directory opened for reading into {@code buf}: bytes used, 0 at the end. */
    public int getdents(int fd, MemorySegment buf) {
        try {
            return (int) check((long) H.GETDENTS64.invokeExact(state, fd, buf, buf.byteSize()), "getdents64");
        } catch (Throwable t) {
            throw linkage(t);
        }
    }
}
