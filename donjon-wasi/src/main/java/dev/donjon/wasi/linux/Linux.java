package dev.donjon.wasi.linux;

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
 * The Linux system calls behind the guest's files and directories, made through libc's {@code syscall(2)} with the
 * Foreign Function &amp; Memory API (no native library of Donjon's own). Every call works on file descriptors: the WASI
 * host resolves guest paths only relative to directory descriptors it holds, with the kernel keeping resolution
 * beneath them ({@link Beneath}).
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
            && (System.getProperty("os.arch", "").equals("amd64")
                    || System.getProperty("os.arch", "").equals("aarch64"));
    private static final boolean ARM64 = System.getProperty("os.arch", "").equals("aarch64");

    public static final int O_RDONLY = 0,
            O_WRONLY = 1,
            O_RDWR = 2,
            O_ACCMODE = 3,
            O_CREAT = 0100,
            O_EXCL = 0200,
            O_NOCTTY = 0400,
            O_TRUNC = 01000,
            O_APPEND = 02000,
            O_NONBLOCK = 04000,
            O_DSYNC = 010000,
            O_SYNC = 04010000,
            O_CLOEXEC = 02000000,
            O_PATH = 010000000;
    public static final int O_DIRECTORY = ARM64 ? 040000 : 0200000, O_NOFOLLOW = ARM64 ? 0100000 : 0400000;
    public static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    public static final long RESOLVE_NO_XDEV = 1, RESOLVE_NO_MAGICLINKS = 2, RESOLVE_BENEATH = 8;
    public static final int F_GETFL = 3, F_SETFL = 4;
    public static final int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
    public static final short POLLIN = 1, POLLOUT = 4;
    public static final long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;
    public static final int S_IFMT = 0170000,
            S_IFSOCK = 0140000,
            S_IFLNK = 0120000,
            S_IFREG = 0100000,
            S_IFBLK = 0060000,
            S_IFDIR = 0040000,
            S_IFCHR = 0020000,
            S_IFIFO = 0010000;
    public static final int EPERM = 1,
            ENOENT = 2,
            EINTR = 4,
            EIO = 5,
            ENXIO = 6,
            E2BIG = 7,
            EBADF = 9,
            EAGAIN = 11,
            ENOMEM = 12,
            EACCES = 13,
            EBUSY = 16,
            EEXIST = 17,
            EXDEV = 18,
            ENOTDIR = 20,
            EISDIR = 21,
            EINVAL = 22,
            ENFILE = 23,
            EMFILE = 24,
            ENOTTY = 25,
            EFBIG = 27,
            ENOSPC = 28,
            ESPIPE = 29,
            EROFS = 30,
            EMLINK = 31,
            EPIPE = 32,
            ENAMETOOLONG = 36,
            ENOSYS = 38,
            ENOTEMPTY = 39,
            ELOOP = 40,
            EOVERFLOW = 75,
            ENOTSUP = 95;

    /** Longest path (with its NUL) the kernel takes. */
    private static final int PATH_MAX = 4096;

    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int IO_BUFFER = 1 << 20;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /**
     * Every call goes through libc's {@code syscall(2)} with one downcall handle: linking a handle costs tens of
     * milliseconds the first time (a second JVM start-up cost per distinct signature), so one signature serves all.
     * Linked on first use, so that a JVM that never preopens a directory never needs native access.
     */
    private static final class H {
        static final MethodHandle SYSCALL;

        static {
            Linker l = Linker.nativeLinker();
            MemorySegment symbol = l.defaultLookup()
                    .find("syscall")
                    .orElseThrow(() -> new UnsupportedOperationException("libc has no syscall()"));
            SYSCALL = l.downcallHandle(
                    symbol,
                    FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                    Linker.Option.captureCallState("errno"),
                    Linker.Option.firstVariadicArg(1));
        }
    }

    /** System call numbers: x86-64's, or arm64's (the generic table). */
    private static final long NR_READ = ARM64 ? 63 : 0,
            NR_WRITE = ARM64 ? 64 : 1,
            NR_PREAD = ARM64 ? 67 : 17,
            NR_PWRITE = ARM64 ? 68 : 18,
            NR_LSEEK = ARM64 ? 62 : 8,
            NR_CLOSE = ARM64 ? 57 : 3,
            NR_OPENAT = ARM64 ? 56 : 257,
            NR_OPENAT2 = 437,
            NR_STATX = ARM64 ? 291 : 332,
            NR_MKDIRAT = ARM64 ? 34 : 258,
            NR_UNLINKAT = ARM64 ? 35 : 263,
            NR_RENAMEAT2 = ARM64 ? 276 : 316,
            NR_LINKAT = ARM64 ? 37 : 265,
            NR_SYMLINKAT = ARM64 ? 36 : 266,
            NR_READLINKAT = ARM64 ? 78 : 267,
            NR_UTIMENSAT = ARM64 ? 88 : 280,
            NR_FSYNC = ARM64 ? 82 : 74,
            NR_FDATASYNC = ARM64 ? 83 : 75,
            NR_FTRUNCATE = ARM64 ? 46 : 77,
            NR_FCNTL = ARM64 ? 25 : 72,
            NR_PPOLL = ARM64 ? 73 : 271,
            NR_GETDENTS64 = ARM64 ? 61 : 217;

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
    public void close() {
        arena.close();
    }

    /** The I/O buffer reads and writes go through; {@link #IO_BUFFER} bytes, allocated on first use. */
    public MemorySegment io() {
        if (io == null) io = arena.allocate(IO_BUFFER, 4096);
        return io;
    }

    private int errno() {
        return (int) ERRNO.get(state, 0L);
    }

    /** syscall(2); a failure throws with the errno the call captured. */
    private long call(long nr, long a, long b, long c, long d, long e, String name) {
        long rc;
        try {
            rc = (long) H.SYSCALL.invokeExact(state, nr, a, b, c, d, e);
        } catch (RuntimeException | Error t) {
            throw t;
        } catch (Throwable t) {
            throw new IllegalStateException("native call failed: " + t, t);
        }
        if (rc < 0) throw new LinuxException(errno(), name);
        return rc;
    }

    private static long cString(MemorySegment into, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length >= PATH_MAX) throw new LinuxException(ENAMETOOLONG, "path");
        MemorySegment.copy(b, 0, into, JAVA_BYTE, 0, b.length);
        into.set(JAVA_BYTE, b.length, (byte) 0);
        return into.address();
    }

    // ---- opening and closing ----

    public int openat(int dirfd, String path, int flags, int mode) {
        return (int) call(NR_OPENAT, dirfd, cString(path1, path), flags, mode, 0, "openat");
    }

    /** openat2(2) with {@code resolve} flags; ENOSYS where the kernel (or a seccomp filter) does not have it. */
    public int openat2(int dirfd, String path, int flags, int mode, long resolve) {
        how.set(JAVA_LONG, 0, Integer.toUnsignedLong(flags));
        how.set(JAVA_LONG, 8, mode);
        how.set(JAVA_LONG, 16, resolve);
        return (int) call(NR_OPENAT2, dirfd, cString(path1, path), how.address(), 24, 0, "openat2");
    }

    public void close(int fd) {
        try {
            call(NR_CLOSE, fd, 0, 0, 0, 0, "close");
        } catch (LinuxException e) {
            // Linux frees the descriptor even when close reports an error (EINTR, EIO of a delayed write)
        }
    }

    // ---- data ----

    public int read(int fd, MemorySegment buf, long len) {
        return (int) call(NR_READ, fd, buf.address(), Math.min(len, buf.byteSize()), 0, 0, "read");
    }

    public int write(int fd, MemorySegment buf, long len) {
        return (int) call(NR_WRITE, fd, buf.address(), Math.min(len, buf.byteSize()), 0, 0, "write");
    }

    public int pread(int fd, MemorySegment buf, long len, long offset) {
        return (int) call(NR_PREAD, fd, buf.address(), Math.min(len, buf.byteSize()), offset, 0, "pread");
    }

    public int pwrite(int fd, MemorySegment buf, long len, long offset) {
        return (int) call(NR_PWRITE, fd, buf.address(), Math.min(len, buf.byteSize()), offset, 0, "pwrite");
    }

    public long lseek(int fd, long offset, int whence) {
        return call(NR_LSEEK, fd, offset, whence, 0, 0, "lseek");
    }

    public void fsync(int fd, boolean metadata) {
        call(metadata ? NR_FSYNC : NR_FDATASYNC, fd, 0, 0, 0, 0, "fsync");
    }

    public void ftruncate(int fd, long size) {
        call(NR_FTRUNCATE, fd, size, 0, 0, 0, "ftruncate");
    }

    public int getfl(int fd) {
        return (int) call(NR_FCNTL, fd, F_GETFL, 0, 0, 0, "fcntl");
    }

    public void setfl(int fd, int flags) {
        call(NR_FCNTL, fd, F_SETFL, flags, 0, 0, "fcntl");
    }

    /** poll on one descriptor (ppoll(2), which every architecture has): the events that are ready, 0 on timeout. */
    public int poll(int fd, short events, int timeoutMillis) {
        pollfd.set(JAVA_INT, 0, fd);
        pollfd.set(JAVA_SHORT, 4, events);
        pollfd.set(JAVA_SHORT, 6, (short) 0);
        times.set(JAVA_LONG, 0, timeoutMillis / 1000);
        times.set(JAVA_LONG, 8, (timeoutMillis % 1000) * 1_000_000L);
        try {
            long n = call(NR_PPOLL, pollfd.address(), 1, times.address(), 0, 8, "ppoll");
            return n == 0 ? 0 : pollfd.get(JAVA_SHORT, 6);
        } catch (LinuxException e) {
            if (e.errno == EINTR) return 0;
            throw e;
        }
    }

    // ---- metadata ----

    /** What statx(2) says of a file; times in nanoseconds since the epoch, {@code dev} encoded as st_dev is. */
    public record Stat(long dev, long ino, int mode, long nlink, long size, long atim, long mtim, long ctim) {
        public int type() {
            return mode & S_IFMT;
        }

        public boolean isDirectory() {
            return type() == S_IFDIR;
        }

        public boolean isSymlink() {
            return type() == S_IFLNK;
        }

        public boolean isRegular() {
            return type() == S_IFREG;
        }

        public boolean sameFile(Stat other) {
            return dev == other.dev && ino == other.ino;
        }
    }

    /** The file {@code fd} refers to (an O_PATH descriptor of a symlink gives the symlink). */
    public Stat fstat(int fd) {
        return statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
    }

    /** {@code name} in the directory {@code dirfd}, not following a final symlink. Only for a single plain name. */
    public Stat lstatat(int dirfd, String name) {
        return statx(dirfd, name, AT_SYMLINK_NOFOLLOW);
    }

    private Stat statx(int dirfd, String path, int flags) {
        call(NR_STATX, dirfd, cString(path1, path), flags, STATX_BASIC_STATS, statx.address(), "statx");
        int major = statx.get(JAVA_INT, 136), minor = statx.get(JAVA_INT, 140);
        long dev = ((major & 0xfffff000L) << 32)
                | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12)
                | (minor & 0xffL);
        return new Stat(
                dev,
                statx.get(JAVA_LONG, 32),
                Short.toUnsignedInt(statx.get(JAVA_SHORT, 28)),
                Integer.toUnsignedLong(statx.get(JAVA_INT, 16)),
                statx.get(JAVA_LONG, 40),
                nanos(64),
                nanos(112),
                nanos(96));
    }

    private long nanos(long offset) {
        return statx.get(JAVA_LONG, offset) * 1_000_000_000L + Integer.toUnsignedLong(statx.get(JAVA_INT, offset + 8));
    }

    /** Sets the times of {@code fd} itself; {@link #UTIME_NOW} and {@link #UTIME_OMIT} as in utimensat(2). */
    public void futimens(int fd, long atimNanos, long mtimNanos) {
        setTimes(atimNanos, mtimNanos);
        call(NR_UTIMENSAT, fd, 0, times.address(), 0, 0, "futimens"); // a null path: the descriptor itself
    }

    /** Sets the times of {@code name} in {@code dirfd}, never following a final symlink. Only for a single plain name. */
    public void utimensatNofollow(int dirfd, String name, long atimNanos, long mtimNanos) {
        setTimes(atimNanos, mtimNanos);
        call(NR_UTIMENSAT, dirfd, cString(path1, name), times.address(), AT_SYMLINK_NOFOLLOW, 0, "utimensat");
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
        call(NR_MKDIRAT, dirfd, cString(path1, name), mode, 0, 0, "mkdirat");
    }

    public void unlinkat(int dirfd, String name, int flags) {
        call(NR_UNLINKAT, dirfd, cString(path1, name), flags, 0, 0, "unlinkat");
    }

    public void renameat(int fromDir, String from, int toDir, String to) {
        call(NR_RENAMEAT2, fromDir, cString(path1, from), toDir, cString(path2, to), 0, "renameat");
    }

    /** A hard link; never follows a symlink named by {@code from}. */
    public void linkat(int fromDir, String from, int toDir, String to) {
        call(NR_LINKAT, fromDir, cString(path1, from), toDir, cString(path2, to), 0, "linkat");
    }

    public void symlinkat(String target, int dirfd, String name) {
        call(NR_SYMLINKAT, cString(path1, target), dirfd, cString(path2, name), 0, 0, "symlinkat");
    }

    /** The target of the symlink {@code name} in {@code dirfd} (or of {@code dirfd} itself, an O_PATH symlink, for ""). */
    public byte[] readlinkat(int dirfd, String name) {
        long n = call(NR_READLINKAT, dirfd, cString(path1, name), path2.address(), PATH_MAX, 0, "readlinkat");
        return path2.asSlice(0, n).toArray(JAVA_BYTE);
    }

    /** One batch of linux_dirent64 records from a directory opened for reading into {@code buf}: bytes used, 0 at the end. */
    public int getdents(int fd, MemorySegment buf) {
        return (int) call(NR_GETDENTS64, fd, buf.address(), buf.byteSize(), 0, 0, "getdents64");
    }
}
