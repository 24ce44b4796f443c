package dev.donjon.wasi.host;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.donjon.wasi.linux.Beneath;
import dev.donjon.wasi.linux.Linux;
import dev.donjon.wasi.linux.LinuxException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fd_* calls on files and directories, and the path_* calls, confined to the preopened directories.
 *
 * <p>Confinement never depends on a path string: a {@link Descriptor.Dir} is the host's descriptor of the directory,
 * and a guest path is resolved relative to it by {@link Beneath} (the kernel's openat2 with RESOLVE_BENEATH, or a
 * walk from held descriptors), which cannot leave it. A call that must not follow its last component (unlink,
 * rename, symlink, readlink, lstat, utimes without follow, link) resolves the path's directory part that way and
 * hands the last component, a single name, to the {@code *at} call on that directory's descriptor. A file's data and
 * metadata then go through the descriptor opened beneath the directory, never through a path again.
 */
final class FileOps {
    private static final int FILE_MODE = 0666;
    private static final int DIR_MODE = 0777;
    /** Blocking reads and writes on a FIFO or device wait in slices this long, to notice a stopped guest. */
    private static final int POLL_SLICE_MILLIS = 100;

    private final FdTable fds;
    private final Linux sys;
    private final Beneath beneath;

    /** {@code sys} is null when the guest has no preopened directory (then no file or directory descriptor exists). */
    FileOps(FdTable fds, Linux sys) {
        this.fds = fds;
        this.sys = sys;
        this.beneath = sys == null ? null : Beneath.choose(sys);
    }

    private Descriptor.File file(int fd) {
        Descriptor d = fds.get(fd);
        if (d instanceof Descriptor.File f) return f;
        if (d instanceof Descriptor.Dir) throw Errno.fail(Errno.ISDIR);
        throw Errno.fail(Errno.SPIPE);
    }

    private Descriptor.Dir dir(int fd) {
        return fds.get(fd, Descriptor.Dir.class, Errno.NOTDIR);
    }

    private static void require(Descriptor d, long right) {
        if ((d.rightsBase & right) == 0) throw Errno.fail(Errno.NOTCAPABLE);
    }

    // ---- data ----

    long read(GuestMemory m, Descriptor.File f, int iovs, int iovsLen) {
        require(f, Wasi.RIGHT_FD_READ);
        return scatter(m, f, iovs, iovsLen, AT_POSITION);
    }

    /** With APPEND, the host's descriptor has O_APPEND: the kernel appends atomically, as for any other writer. */
    long write(GuestMemory m, Descriptor.File f, int iovs, int iovsLen) {
        require(f, Wasi.RIGHT_FD_WRITE);
        return gather(m, f, iovs, iovsLen, AT_POSITION);
    }

    int pread(GuestMemory m, int fd, int iovs, int iovsLen, long offset, int nreadPtr) {
        Descriptor.File f = file(fd);
        require(f, Wasi.RIGHT_FD_READ | Wasi.RIGHT_FD_SEEK);
        if (offset < 0) throw Errno.fail(Errno.INVAL);
        m.writeI32(nreadPtr, (int) scatter(m, f, iovs, iovsLen, offset));
        return Errno.SUCCESS;
    }

    int pwrite(GuestMemory m, int fd, int iovs, int iovsLen, long offset, int nwrittenPtr) {
        Descriptor.File f = file(fd);
        require(f, Wasi.RIGHT_FD_WRITE | Wasi.RIGHT_FD_SEEK);
        if (offset < 0) throw Errno.fail(Errno.INVAL);
        m.writeI32(nwrittenPtr, (int) gather(m, f, iovs, iovsLen, offset));
        return Errno.SUCCESS;
    }

    /** Offset meaning "the descriptor's own position, which the transfer advances" (fd_read/fd_write). */
    private static final long AT_POSITION = -1;

    private static void inGuest(GuestMemory m, int addr, int len) {
        if (Integer.toUnsignedLong(addr) + Integer.toUnsignedLong(len) > m.size()) {
            throw new GuestMemory.Fault("guest buffer out of bounds");
        }
    }

    /** Reads into the guest's iovecs until one is left short (end of file or a partial read). */
    private long scatter(GuestMemory m, Descriptor.File f, int iovs, int iovsLen, long offset) {
        MemorySegment io = sys.io();
        long total = 0;
        for (int i = 0; i < iovsLen; i++) {
            int buf = m.readI32(iovs + 8 * i);
            int len = m.readI32(iovs + 8 * i + 4);
            if (len == 0) continue;
            inGuest(m, buf, len);
            long want = Integer.toUnsignedLong(len);
            for (long done = 0; done < want; ) {
                int chunk = (int) Math.min(want - done, io.byteSize());
                int n = offset == AT_POSITION ? readSome(f, io, chunk) : sys.pread(f.fd, io, chunk, offset + total);
                if (n <= 0) return total;
                m.copyFrom(io, buf + (int) done, n);
                done += n;
                total += n;
                if (n < chunk) return total;
            }
        }
        return total;
    }

    /** Writes every byte of the guest's iovecs (a guest's non-blocking FIFO may take fewer: the count says how many). */
    private long gather(GuestMemory m, Descriptor.File f, int iovs, int iovsLen, long offset) {
        MemorySegment io = sys.io();
        long total = 0;
        for (int i = 0; i < iovsLen; i++) {
            int buf = m.readI32(iovs + 8 * i);
            int len = m.readI32(iovs + 8 * i + 4);
            if (len == 0) continue;
            inGuest(m, buf, len);
            long want = Integer.toUnsignedLong(len);
            for (long done = 0; done < want; ) {
                int chunk = (int) Math.min(want - done, io.byteSize());
                m.copyTo(buf + (int) done, io, chunk);
                for (int written = 0; written < chunk; ) {
                    MemorySegment from = io.asSlice(written);
                    int n = offset == AT_POSITION
                            ? writeSome(f, from, chunk - written)
                            : sys.pwrite(f.fd, from, chunk - written, offset + total);
                    if (n == 0) {
                        if (total == 0) throw Errno.fail(Errno.AGAIN);
                        return total;
                    }
                    written += n;
                    total += n;
                }
                done += chunk;
            }
        }
        return total;
    }

    /**
     * read(2) at the descriptor's position. Non-regular files are opened O_NONBLOCK on the host (a FIFO with no
     * writer must not hold the guest's thread in a native call that nothing can interrupt): a guest that did not ask
     * for non-blocking I/O waits here in short polls, and is stopped like any other blocked guest.
     */
    private int readSome(Descriptor.File f, MemorySegment io, int len) {
        // a FIFO no writer has opened yet reads as end of file when non-blocking: wait for data or a hang-up first
        if (!f.regular && !f.nonBlocking()) awaitReady(f.fd, Linux.POLLIN);
        while (true) {
            try {
                return sys.read(f.fd, io, len);
            } catch (LinuxException e) {
                if (e.errno == Linux.EINTR) continue;
                if (e.errno != Linux.EAGAIN || f.nonBlocking()) throw e;
                awaitReady(f.fd, Linux.POLLIN);
            }
        }
    }

    /** write(2) at the position; 0 when a non-blocking guest's FIFO is full. */
    private int writeSome(Descriptor.File f, MemorySegment from, int len) {
        while (true) {
            try {
                return sys.write(f.fd, from, len);
            } catch (LinuxException e) {
                if (e.errno == Linux.EINTR) continue;
                if (e.errno != Linux.EAGAIN) throw e;
                if (f.nonBlocking()) return 0;
                awaitReady(f.fd, Linux.POLLOUT);
            }
        }
    }

    private void awaitReady(int fd, short events) {
        while (sys.poll(fd, events, POLL_SLICE_MILLIS) == 0) {
            if (Thread.currentThread().isInterrupted()) throw new Readiness.GuestStopped();
        }
    }

    int seek(GuestMemory m, int fd, long offset, int whence, int resultPtr) {
        if (seekableStream(fds.get(fd))) return atZero(m, fd, resultPtr);
        Descriptor.File f = file(fd);
        require(
                f,
                offset == 0 && whence == Wasi.WHENCE_CUR
                        ? Wasi.RIGHT_FD_TELL | Wasi.RIGHT_FD_SEEK
                        : Wasi.RIGHT_FD_SEEK);
        if (whence != Wasi.WHENCE_SET && whence != Wasi.WHENCE_CUR && whence != Wasi.WHENCE_END)
            throw Errno.fail(Errno.INVAL);
        m.writeI64(resultPtr, sys.lseek(f.fd, offset, whence)); // WASI's whence values are Linux's
        return Errno.SUCCESS;
    }

    int tell(GuestMemory m, int fd, int resultPtr) {
        if (seekableStream(fds.get(fd))) return atZero(m, fd, resultPtr);
        Descriptor.File f = file(fd);
        require(f, Wasi.RIGHT_FD_TELL);
        m.writeI64(resultPtr, sys.lseek(f.fd, 0, Linux.SEEK_CUR));
        return Errno.SUCCESS;
    }

    /** A character device given as stdio (or the null device): like /dev/null, every seek lands at 0. */
    private static boolean seekableStream(Descriptor d) {
        return !(d instanceof Descriptor.File)
                && !(d instanceof Descriptor.Dir)
                && (d.rightsBase & Wasi.RIGHT_FD_SEEK) != 0;
    }

    private int atZero(GuestMemory m, int fd, int resultPtr) {
        m.writeI64(resultPtr, 0);
        return Errno.SUCCESS;
    }

    int advise(int fd, long offset, long len, int advice) {
        Descriptor d = fds.get(fd);
        if (d instanceof Descriptor.Dir) throw Errno.fail(Errno.BADF);
        Descriptor.File f = file(fd);
        require(f, Wasi.RIGHT_FD_ADVISE);
        if (advice < 0 || advice > 5 || offset < 0 || len < 0) throw Errno.fail(Errno.INVAL);
        return Errno.SUCCESS; // advice is only a hint
    }

    int allocate(int fd, long offset, long len) {
        Descriptor.File f = file(fd);
        require(f, Wasi.RIGHT_FD_ALLOCATE);
        if (offset < 0 || len <= 0) throw Errno.fail(Errno.INVAL);
        long end = offset + len;
        if (end < 0) throw Errno.fail(Errno.FBIG);
        if (sys.fstat(f.fd).size() < end) sys.ftruncate(f.fd, end);
        return Errno.SUCCESS;
    }

    int sync(int fd, boolean metadata) {
        Descriptor d = fds.get(fd);
        if (d instanceof Descriptor.File f) {
            require(f, metadata ? Wasi.RIGHT_FD_SYNC : Wasi.RIGHT_FD_DATASYNC);
            sys.fsync(f.fd, metadata);
        } else if (d instanceof Descriptor.Dir dir) {
            try {
                sys.fsync(dir.fd, metadata);
            } catch (LinuxException e) {
                if (e.errno != Linux.EBADF) throw e; // a directory the host could only open O_PATH (no read permission)
            }
        } else {
            throw Errno.fail(Errno.INVAL);
        }
        return Errno.SUCCESS;
    }

    int setSize(int fd, long size) {
        Descriptor.File f = fileForMeta(fd);
        require(f, Wasi.RIGHT_FD_FILESTAT_SET_SIZE);
        if (size < 0) throw Errno.fail(Errno.INVAL);
        sys.ftruncate(f.fd, size);
        return Errno.SUCCESS;
    }

    private Descriptor.File fileForMeta(int fd) {
        Descriptor d = fds.get(fd);
        if (d instanceof Descriptor.File f) return f;
        if (d instanceof Descriptor.Dir) throw Errno.fail(Errno.ISDIR);
        throw Errno.fail(Errno.INVAL);
    }

    /** fd_fdstat_set_flags on a file: APPEND lives on the host's descriptor, so the kernel appends atomically. */
    void setAppend(Descriptor.File f, boolean append) {
        int flags = sys.getfl(f.fd);
        int wanted = append ? flags | Linux.O_APPEND : flags & ~Linux.O_APPEND;
        if (wanted != flags) sys.setfl(f.fd, wanted);
    }

    /** Bytes left to read from the position (what poll_oneoff reports for a file), 0 for other kinds. */
    long available(Descriptor.File f) {
        if (!f.regular) return 0;
        try {
            return Math.max(0, sys.fstat(f.fd).size() - sys.lseek(f.fd, 0, Linux.SEEK_CUR));
        } catch (LinuxException e) {
            return 0;
        }
    }

    // ---- metadata ----

    int fdFilestatGet(GuestMemory m, int fd, int ptr) {
        Descriptor d = fds.get(fd);
        switch (d) {
            case Descriptor.File f -> {
                require(f, Wasi.RIGHT_FD_FILESTAT_GET);
                writeFilestat(m, ptr, sys.fstat(f.fd));
            }
            case Descriptor.Dir dir -> writeFilestat(m, ptr, sys.fstat(dir.fd));
            default -> writeFilestat(m, ptr, 0, 0, d.filetype(), 1, 0, 0, 0, 0);
        }
        return Errno.SUCCESS;
    }

    int pathFilestatGet(GuestMemory m, int fd, int flags, String path, int ptr) {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_FILESTAT_GET);
        boolean follow = (flags & Wasi.LOOKUP_SYMLINK_FOLLOW) != 0;
        // O_PATH|O_NOFOLLOW opens a final symlink itself, so lstat and stat are one open each
        int o = openBeneath(dir, path, Linux.O_PATH | (follow ? 0 : Linux.O_NOFOLLOW));
        try {
            writeFilestat(m, ptr, sys.fstat(o));
        } finally {
            sys.close(o);
        }
        return Errno.SUCCESS;
    }

    private static void writeFilestat(GuestMemory m, int ptr, Linux.Stat s) {
        writeFilestat(
                m, ptr, s.dev(), s.ino(), filetypeOfMode(s.mode()), s.nlink(), s.size(), s.atim(), s.mtim(), s.ctim());
    }

    private static void writeFilestat(
            GuestMemory m,
            int ptr,
            long dev,
            long ino,
            int type,
            long nlink,
            long size,
            long atim,
            long mtim,
            long ctim) {
        m.writeI64(ptr, dev);
        m.writeI64(ptr + 8, ino);
        m.writeU8(ptr + 16, type);
        for (int i = 17; i < 24; i++) m.writeU8(ptr + i, 0);
        m.writeI64(ptr + 24, nlink);
        m.writeI64(ptr + 32, size);
        m.writeI64(ptr + 40, atim);
        m.writeI64(ptr + 48, mtim);
        m.writeI64(ptr + 56, ctim);
    }

    static int filetypeOfMode(int mode) {
        return switch (mode & Linux.S_IFMT) {
            case Linux.S_IFSOCK -> Wasi.FILETYPE_SOCKET_STREAM;
            case Linux.S_IFLNK -> Wasi.FILETYPE_SYMBOLIC_LINK;
            case Linux.S_IFREG -> Wasi.FILETYPE_REGULAR_FILE;
            case Linux.S_IFBLK -> Wasi.FILETYPE_BLOCK_DEVICE;
            case Linux.S_IFDIR -> Wasi.FILETYPE_DIRECTORY;
            case Linux.S_IFCHR -> Wasi.FILETYPE_CHARACTER_DEVICE;
            default -> Wasi.FILETYPE_UNKNOWN; // a FIFO: preview 1 has no code for it
        };
    }

    int fdSetTimes(int fd, long atim, long mtim, int fst) {
        Descriptor d = fds.get(fd);
        int osFd = switch (d) {
            case Descriptor.File f -> f.fd;
            case Descriptor.Dir dir -> dir.fd;
            default -> throw Errno.fail(Errno.BADF);
        };
        require(d, Wasi.RIGHT_FD_FILESTAT_SET_TIMES);
        long[] times = times(atim, mtim, fst);
        if (times != null) sys.futimens(osFd, times[0], times[1]);
        return Errno.SUCCESS;
    }

    int pathSetTimes(int fd, int flags, String path, long atim, long mtim, int fst) {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_FILESTAT_SET_TIMES);
        try (Entry e = target(dir, path, (flags & Wasi.LOOKUP_SYMLINK_FOLLOW) != 0)) {
            long[] times = times(atim, mtim, fst);
            if (e.itself) {
                if (times != null) sys.futimens(e.fd, times[0], times[1]);
            } else if (times == null) {
                sys.lstatat(e.fd, e.name); // nothing to change, but a missing file is still ENOENT
            } else {
                sys.utimensatNofollow(e.fd, e.name, times[0], times[1]);
            }
        }
        return Errno.SUCCESS;
    }

    /** {atime, mtime} for utimensat (UTIME_NOW/UTIME_OMIT where asked), or null when neither is to change. */
    private static long[] times(long atim, long mtim, int fst) {
        if ((fst & ~0xf) != 0) throw Errno.fail(Errno.INVAL);
        if ((fst & Wasi.FST_ATIM) != 0 && (fst & Wasi.FST_ATIM_NOW) != 0) throw Errno.fail(Errno.INVAL);
        if ((fst & Wasi.FST_MTIM) != 0 && (fst & Wasi.FST_MTIM_NOW) != 0) throw Errno.fail(Errno.INVAL);
        long a =
                (fst & Wasi.FST_ATIM) != 0 ? atim : (fst & Wasi.FST_ATIM_NOW) != 0 ? Linux.UTIME_NOW : Linux.UTIME_OMIT;
        long mt =
                (fst & Wasi.FST_MTIM) != 0 ? mtim : (fst & Wasi.FST_MTIM_NOW) != 0 ? Linux.UTIME_NOW : Linux.UTIME_OMIT;
        return a == Linux.UTIME_OMIT && mt == Linux.UTIME_OMIT ? null : new long[] {a, mt};
    }

    // ---- directories ----

    private record Dirent(byte[] name, long ino, int type) {}

    int readdir(GuestMemory m, int fd, int buf, int bufLen, long cookie, int bufUsedPtr) {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_FD_READDIR);
        List<Dirent> entries = list(dir);
        int used = 0;
        for (long i = cookie; i < entries.size() && used < bufLen; i++) {
            Dirent d = entries.get((int) i);
            ByteBuffer entry = ByteBuffer.allocate(24 + d.name.length).order(ByteOrder.LITTLE_ENDIAN);
            entry.putLong(i + 1)
                    .putLong(d.ino)
                    .putInt(d.name.length)
                    .put((byte) d.type)
                    .put(new byte[3])
                    .put(d.name);
            int n = Math.min(entry.capacity(), bufLen - used);
            m.write(buf + used, entry.array(), 0, n);
            used += n;
        }
        m.writeI32(bufUsedPtr, used);
        return Errno.SUCCESS;
    }

    /**
     * The directory's entries: "." and ".." first, then the rest by name (stable cookies across calls). ".." of a
     * preopened directory is reported as the directory itself: nothing about its host parent reaches the guest.
     */
    private List<Dirent> list(Descriptor.Dir dir) {
        int d = sys.openat(dir.fd, ".", Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_CLOEXEC, 0); // its own offset
        try {
            Linux.Stat self = sys.fstat(d);
            long parentIno = self.ino();
            List<Dirent> names = new ArrayList<>();
            MemorySegment batch = sys.io();
            for (int n; (n = sys.getdents(d, batch)) > 0; ) {
                for (int off = 0; off < n; ) {
                    long ino = batch.get(JAVA_LONG, off);
                    int reclen = Short.toUnsignedInt(batch.get(JAVA_SHORT, off + 16));
                    int dtype = Byte.toUnsignedInt(batch.get(JAVA_BYTE, off + 18));
                    byte[] name = cName(batch, off + 19, reclen - 19);
                    off += reclen;
                    if (Arrays.equals(name, DOT)) continue;
                    if (Arrays.equals(name, DOTDOT)) {
                        if (!dir.root.is(self)) parentIno = ino;
                        continue;
                    }
                    names.add(new Dirent(name, ino, dtype == DT_UNKNOWN ? typeOf(d, name) : filetypeOfDtype(dtype)));
                }
            }
            names.sort((a, b) -> Arrays.compareUnsigned(a.name, b.name));
            List<Dirent> out = new ArrayList<>(names.size() + 2);
            out.add(new Dirent(DOT, self.ino(), Wasi.FILETYPE_DIRECTORY));
            out.add(new Dirent(DOTDOT, parentIno, Wasi.FILETYPE_DIRECTORY));
            out.addAll(names);
            return out;
        } finally {
            sys.close(d);
        }
    }

    private static final byte[] DOT = {'.'};
    private static final byte[] DOTDOT = {'.', '.'};
    private static final int DT_UNKNOWN = 0;

    private static byte[] cName(MemorySegment s, long at, int max) {
        int len = 0;
        while (len < max && s.get(JAVA_BYTE, at + len) != 0) len++;
        return s.asSlice(at, len).toArray(JAVA_BYTE);
    }

    private int typeOf(int dirfd, byte[] name) {
        try {
            return filetypeOfMode(
                    sys.lstatat(dirfd, new String(name, StandardCharsets.UTF_8)).mode());
        } catch (LinuxException e) {
            return Wasi.FILETYPE_UNKNOWN; // removed meanwhile: still listed, with an unknown type
        }
    }

    private static int filetypeOfDtype(int dtype) {
        return switch (dtype) {
            case 2 -> Wasi.FILETYPE_CHARACTER_DEVICE;
            case 4 -> Wasi.FILETYPE_DIRECTORY;
            case 6 -> Wasi.FILETYPE_BLOCK_DEVICE;
            case 8 -> Wasi.FILETYPE_REGULAR_FILE;
            case 10 -> Wasi.FILETYPE_SYMBOLIC_LINK;
            case 12 -> Wasi.FILETYPE_SOCKET_STREAM;
            default -> Wasi.FILETYPE_UNKNOWN;
        };
    }

    int mkdir(int fd, String path) {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_CREATE_DIRECTORY);
        try (Entry e = entry(dir, path)) {
            if (e.itself) throw Errno.fail(Errno.EXIST);
            sys.mkdirat(e.fd, e.name, DIR_MODE);
        }
        return Errno.SUCCESS;
    }

    int rmdir(int fd, String path) {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_REMOVE_DIRECTORY);
        try (Entry e = entry(dir, path)) {
            if (e.itself) throw Errno.fail(e.name.equals(".") ? Errno.INVAL : Errno.NOTEMPTY); // as Linux's rmdir
            sys.unlinkat(e.fd, e.name, Linux.AT_REMOVEDIR);
        }
        return Errno.SUCCESS;
    }

    int unlink(int fd, String path) {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_UNLINK_FILE);
        try (Entry e = entry(dir, path)) {
            if (e.itself) throw Errno.fail(Errno.ISDIR);
            sys.unlinkat(e.fd, e.withSlash(), 0);
        }
        return Errno.SUCCESS;
    }

    int rename(int fd, String from, int newFd, String to) {
        Descriptor.Dir src = dir(fd);
        Descriptor.Dir dst = dir(newFd);
        require(src, Wasi.RIGHT_PATH_RENAME_SOURCE);
        require(dst, Wasi.RIGHT_PATH_RENAME_TARGET);
        try (Entry a = entry(src, from);
                Entry b = entry(dst, to)) {
            if (a.itself || b.itself) throw Errno.fail(Errno.BUSY);
            sys.renameat(a.fd, a.withSlash(), b.fd, b.withSlash());
        }
        return Errno.SUCCESS;
    }

    /**
     * path_symlink. The symlink rule: a target must be relative, and must not climb above the preopened directory
     * from where the link is made (read without following anything: {@code a/../..} climbs one level). wasmtime
     * refuses absolute targets; Donjon also refuses targets that leave the preopen, so the guest cannot leave the
     * host a planted link that points outside. The guarantee does not rest on this rule: following any symlink,
     * however it got there, never leaves the directory (the kernel refuses).
     */
    int symlink(String target, int fd, String path) {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_SYMLINK);
        if (target.isEmpty()) throw Errno.fail(Errno.NOENT);
        if (target.indexOf('\0') >= 0) throw Errno.fail(Errno.ILSEQ);
        if (target.startsWith("/")) throw Errno.fail(Errno.PERM);
        try (Entry e = entry(dir, path)) {
            if (e.itself) throw Errno.fail(Errno.EXIST);
            int depth = depthBelow(dir.root, e.fd);
            for (String c : target.split("/")) {
                if (c.isEmpty() || c.equals(".")) continue;
                depth += c.equals("..") ? -1 : 1;
                if (depth < 0) throw Errno.fail(Errno.PERM);
            }
            sys.symlinkat(target, e.fd, e.withSlash());
        }
        return Errno.SUCCESS;
    }

    /** How many levels {@code dirfd} lies below the preopened directory {@code root}; -1 if not below it at all. */
    private int depthBelow(Descriptor.Root root, int dirfd) {
        int cur = dirfd;
        try {
            for (int depth = 0; depth < 4096; depth++) {
                Linux.Stat st = sys.fstat(cur);
                if (root.is(st)) return depth;
                // only to learn identities: nothing is read or changed through these descriptors
                int up = sys.openat(cur, "..", Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC, 0);
                if (cur != dirfd) sys.close(cur);
                cur = up;
                if (sys.fstat(up).sameFile(st)) return -1; // reached "/": the directory was moved out
            }
            return -1;
        } finally {
            if (cur != dirfd) sys.close(cur);
        }
    }

    int readlink(GuestMemory m, int fd, String path, int buf, int bufLen, int usedPtr) {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_READLINK);
        byte[] target;
        try (Entry e = entry(dir, path)) {
            if (e.itself) throw Errno.fail(Errno.INVAL);
            if (e.trailingSlash) {
                // "link/" names what the link leads to, never a link: find the error the kernel gives, else EINVAL
                sys.close(openBeneath(dir, path, Linux.O_PATH));
                throw Errno.fail(Errno.INVAL);
            }
            target = sys.readlinkat(e.fd, e.name);
        }
        int n = Math.min(target.length, bufLen);
        m.write(buf, target, 0, n);
        m.writeI32(usedPtr, n);
        return Errno.SUCCESS;
    }

    int link(int oldFd, int oldFlags, String oldPath, int newFd, String newPath) {
        Descriptor.Dir src = dir(oldFd);
        Descriptor.Dir dst = dir(newFd);
        require(src, Wasi.RIGHT_PATH_LINK_SOURCE);
        require(dst, Wasi.RIGHT_PATH_LINK_TARGET);
        try (Entry a = target(src, oldPath, (oldFlags & Wasi.LOOKUP_SYMLINK_FOLLOW) != 0);
                Entry b = entry(dst, newPath)) {
            if (a.itself) throw Errno.fail(Errno.PERM); // a directory
            if (b.itself) throw Errno.fail(Errno.EXIST);
            sys.linkat(a.fd, a.name, b.fd, b.withSlash());
        }
        return Errno.SUCCESS;
    }

    // ---- path_open ----

    int open(
            GuestMemory m,
            int fd,
            int dirflags,
            String path,
            int oflags,
            long rightsBase,
            long rightsInheriting,
            int fdflags,
            int resultPtr) {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_OPEN);
        boolean creat = (oflags & Wasi.OFLAG_CREAT) != 0;
        boolean excl = (oflags & Wasi.OFLAG_EXCL) != 0;
        boolean trunc = (oflags & Wasi.OFLAG_TRUNC) != 0;
        boolean wantDir = (oflags & Wasi.OFLAG_DIRECTORY) != 0;
        if (creat) require(dir, Wasi.RIGHT_PATH_CREATE_FILE);
        if (trunc) require(dir, Wasi.RIGHT_PATH_FILESTAT_SET_SIZE);
        boolean follow = (dirflags & Wasi.LOOKUP_SYMLINK_FOLLOW) != 0;
        checkPath(path);
        if (fds.full()) throw Errno.fail(Errno.MFILE);
        boolean read = (rightsBase & (Wasi.RIGHT_FD_READ | Wasi.RIGHT_FD_READDIR)) != 0;
        boolean write =
                (rightsBase & (Wasi.RIGHT_FD_WRITE | Wasi.RIGHT_FD_ALLOCATE | Wasi.RIGHT_FD_FILESTAT_SET_SIZE)) != 0
                        || (fdflags & Wasi.FDFLAG_APPEND) != 0;
        int flags = (write ? (read ? Linux.O_RDWR : Linux.O_WRONLY) : Linux.O_RDONLY)
                | Linux.O_NONBLOCK
                | Linux.O_NOCTTY
                | (creat ? Linux.O_CREAT : 0)
                | (excl ? Linux.O_EXCL : 0)
                | (trunc ? Linux.O_TRUNC : 0)
                | (wantDir ? Linux.O_DIRECTORY : 0)
                | (follow ? 0 : Linux.O_NOFOLLOW)
                | ((fdflags & Wasi.FDFLAG_APPEND) != 0 ? Linux.O_APPEND : 0)
                | ((fdflags & Wasi.FDFLAG_DSYNC) != 0 ? Linux.O_DSYNC : 0)
                | ((fdflags & (Wasi.FDFLAG_SYNC | Wasi.FDFLAG_RSYNC)) != 0 ? Linux.O_SYNC : 0);
        int osFd;
        try {
            osFd = openWaitingForReader(dir, path, flags, (fdflags & Wasi.FDFLAG_NONBLOCK) == 0);
        } catch (LinuxException e) {
            if (e.errno != Linux.EACCES || write || creat || trunc) throw e;
            // a directory the guest may search but not list: held without read access
            try {
                osFd = beneath.open(
                        sys, dir.fd, path, Linux.O_PATH | Linux.O_DIRECTORY | (follow ? 0 : Linux.O_NOFOLLOW), 0);
            } catch (LinuxException again) {
                throw e;
            }
        }
        Descriptor opened;
        try {
            Linux.Stat st = sys.fstat(osFd);
            long inheritable = dir.rightsInheriting;
            if (st.isDirectory()) {
                opened = new Descriptor.Dir(
                        sys,
                        osFd,
                        dir.root,
                        null,
                        rightsBase & Wasi.RIGHTS_DIR & inheritable,
                        rightsInheriting & inheritable);
                opened.fdflags = fdflags;
            } else {
                opened = new Descriptor.File(
                        sys,
                        osFd,
                        filetypeOfMode(st.mode()),
                        rightsBase & Wasi.RIGHTS_FILE & inheritable,
                        rightsInheriting & inheritable);
                opened.fdflags = fdflags
                        & (Wasi.FDFLAG_APPEND
                                | Wasi.FDFLAG_NONBLOCK
                                | Wasi.FDFLAG_DSYNC
                                | Wasi.FDFLAG_SYNC
                                | Wasi.FDFLAG_RSYNC);
            }
        } catch (RuntimeException e) {
            sys.close(osFd);
            throw e;
        }
        try {
            m.writeI32(resultPtr, fds.add(opened));
        } catch (RuntimeException e) {
            sys.close(osFd);
            throw e;
        }
        return Errno.SUCCESS;
    }

    /**
     * Opens with O_NONBLOCK (see {@link #readSome}); a FIFO opened for writing then fails with ENXIO while no reader
     * has it open, where a blocking open waits: a guest that did not ask for non-blocking I/O waits here.
     */
    private int openWaitingForReader(Descriptor.Dir dir, String path, int flags, boolean blocking) {
        while (true) {
            try {
                return beneath.open(sys, dir.fd, path, flags, FILE_MODE);
            } catch (LinuxException e) {
                if (e.errno != Linux.ENXIO || !blocking) throw e;
            }
            try {
                Thread.sleep(POLL_SLICE_MILLIS / 4);
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
                throw new Readiness.GuestStopped();
            }
        }
    }

    // ---- resolution ----

    private static void checkPath(String path) {
        if (path.isEmpty()) throw Errno.fail(Errno.NOENT);
        if (path.indexOf('\0') >= 0) throw Errno.fail(Errno.ILSEQ);
        if (path.startsWith("/")) throw Errno.fail(Errno.PERM);
    }

    private int openBeneath(Descriptor.Dir dir, String path, int flags) {
        checkPath(path);
        return beneath.open(sys, dir.fd, path, flags, 0);
    }

    /**
     * The entry a guest path names: the descriptor of the directory that holds it (resolved beneath {@code dir}) and
     * its last component, a single name. For a path ending in "." or "..", {@code itself} is set and {@code fd} is
     * the directory the path names.
     */
    private final class Entry implements AutoCloseable {
        final int fd;
        final boolean owned;
        final String name;
        /** The path up to the last component ("" when there is none): a symlink's target is resolved from here. */
        final String parent;

        final boolean trailingSlash;
        final boolean itself;

        Entry(int fd, boolean owned, String name, String parent, boolean trailingSlash, boolean itself) {
            this.fd = fd;
            this.owned = owned;
            this.name = name;
            this.parent = parent;
            this.trailingSlash = trailingSlash;
            this.itself = itself;
        }

        /**
         * The name with the guest's trailing slash, for the calls whose last component the kernel never follows
         * (mkdirat, unlinkat, renameat, symlinkat, linkat's new name): they apply the slash's rules to the entry
         * itself. Never for lookups (stat, utimes, readlink, open), where a trailing slash follows a symlink.
         */
        String withSlash() {
            return trailingSlash ? name + "/" : name;
        }

        @Override
        public void close() {
            if (owned) sys.close(fd);
        }
    }

    private Entry entry(Descriptor.Dir dir, String path) {
        checkPath(path);
        int end = path.length();
        while (path.charAt(end - 1) == '/') end--; // end > 0: absolute paths are refused above
        boolean trailing = end < path.length();
        int slash = path.lastIndexOf('/', end - 1);
        String name = path.substring(slash + 1, end);
        String parent = slash < 0 ? "" : path.substring(0, slash);
        if (name.equals(".") || name.equals("..")) {
            int fd;
            try {
                fd = beneath.open(sys, dir.fd, path, Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
            } catch (LinuxException e) {
                if (e.errno != Linux.EACCES) throw e;
                fd = beneath.open(sys, dir.fd, path, Linux.O_PATH | Linux.O_DIRECTORY, 0);
            }
            return new Entry(fd, true, name, parent, trailing, true);
        }
        if (parent.isEmpty()) return new Entry(dir.fd, false, name, parent, trailing, false);
        int fd = beneath.open(sys, dir.fd, parent, Linux.O_PATH | Linux.O_DIRECTORY, 0);
        return new Entry(fd, true, name, parent, trailing, false);
    }

    /**
     * As {@link #entry}, but following a final symlink when {@code follow} is set or the path ends in '/': its target
     * is resolved again from the link's directory, beneath {@code dir}. A missing final entry is returned as is (the
     * call on it reports ENOENT).
     */
    private Entry target(Descriptor.Dir dir, String path, boolean follow) {
        String p = path;
        for (int links = 0; ; ) {
            Entry e = entry(dir, p);
            if (e.itself || (!follow && !e.trailingSlash)) return e;
            Linux.Stat st;
            byte[] target;
            try {
                try {
                    st = sys.lstatat(e.fd, e.name);
                } catch (LinuxException x) {
                    if (x.errno == Linux.ENOENT) return e;
                    throw x;
                }
                if (!st.isSymlink()) {
                    if (e.trailingSlash && !st.isDirectory()) throw Errno.fail(Errno.NOTDIR);
                    return e;
                }
                target = sys.readlinkat(e.fd, e.name);
            } catch (RuntimeException x) {
                e.close();
                throw x;
            }
            e.close();
            if (++links > 40) throw Errno.fail(Errno.LOOP);
            String t = new String(target, StandardCharsets.UTF_8);
            if (t.isEmpty()) throw Errno.fail(Errno.NOENT);
            if (t.startsWith("/")) throw Errno.fail(Errno.PERM);
            p = (e.parent.isEmpty() ? "" : e.parent + "/") + t + (e.trailingSlash ? "/" : "");
        }
    }
}
