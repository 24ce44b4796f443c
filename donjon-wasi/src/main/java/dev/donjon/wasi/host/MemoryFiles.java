package dev.donjon.wasi.host;

import dev.donjon.wasi.MemoryDirectory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The WASI calls on in-memory directories and their files ({@link Descriptor.MemoryDir}, {@link Descriptor.MemoryFile}):
 * read-only, flat, never touching the host's file system. They sit on top of the import table ({@link #overlay}): a
 * call whose descriptor argument is an in-memory one is answered here, any other goes to the host file system code
 * unchanged. That code never sees these descriptors, so nothing here depends on how it confines paths.
 */
public final class MemoryFiles {

    static final long FILE_RIGHTS = Wasi.RIGHT_FD_READ
            | Wasi.RIGHT_FD_SEEK
            | Wasi.RIGHT_FD_TELL
            | Wasi.RIGHT_FD_FILESTAT_GET
            | Wasi.RIGHT_FD_ADVISE
            | Wasi.RIGHT_FD_FDSTAT_SET_FLAGS
            | Wasi.RIGHT_POLL_FD_READWRITE;
    static final long DIR_RIGHTS = Wasi.RIGHT_PATH_OPEN
            | Wasi.RIGHT_FD_READDIR
            | Wasi.RIGHT_PATH_FILESTAT_GET
            | Wasi.RIGHT_FD_FILESTAT_GET
            | Wasi.RIGHT_FD_FDSTAT_SET_FLAGS;
    /** Every right that changes something: an in-memory directory has none of them. */
    private static final long WRITE_RIGHTS = Wasi.RIGHT_FD_WRITE
            | Wasi.RIGHT_FD_ALLOCATE
            | Wasi.RIGHT_FD_FILESTAT_SET_SIZE
            | Wasi.RIGHT_FD_FILESTAT_SET_TIMES
            | Wasi.RIGHT_FD_DATASYNC
            | Wasi.RIGHT_FD_SYNC;
    /** st_dev of in-memory files: not a host device number (the guest must not learn those from here). */
    private static final long DEVICE = 0x4D454D;

    private MemoryFiles() {}

    /** The descriptor the guest finds as a preopen. */
    public static Descriptor preopen(MemoryDirectory dir) {
        return new Descriptor.MemoryDir(dir, dir.guestPath(), DIR_RIGHTS, FILE_RIGHTS | DIR_RIGHTS);
    }

    @FunctionalInterface
    private interface Call {
        int call(GuestMemory m, long[] a);
    }

    /**
     * Replaces each function of {@code table} that takes a descriptor with one that answers for in-memory descriptors
     * and delegates every other call to the original.
     */
    static void overlay(List<HostFunction> table, FdTable fds) {
        Map<String, Call> calls = new HashMap<>();
        Map<String, int[]> fdArgs = new HashMap<>();
        on(calls, fdArgs, "fd_prestat_get", (m, a) -> prestatGet(m, dir(fds, a[0], Errno.BADF), i(a[1])), 0);
        on(
                calls,
                fdArgs,
                "fd_prestat_dir_name",
                (m, a) -> prestatDirName(m, dir(fds, a[0], Errno.BADF), i(a[1]), i(a[2])),
                0);
        on(calls, fdArgs, "path_open", (m, a) -> open(m, fds, a), 0);
        on(
                calls,
                fdArgs,
                "fd_readdir",
                (m, a) -> readdir(m, dir(fds, a[0], Errno.NOTDIR), i(a[1]), i(a[2]), a[3], i(a[4])),
                0);
        on(calls, fdArgs, "fd_filestat_get", (m, a) -> fdFilestat(m, fds.get(i(a[0])), i(a[1])), 0);
        on(
                calls,
                fdArgs,
                "path_filestat_get",
                (m, a) -> pathFilestat(m, dir(fds, a[0], Errno.NOTDIR), WasiPreview1.str(m, a[2], a[3]), i(a[4])),
                0);
        on(calls, fdArgs, "fd_seek", (m, a) -> seek(m, file(fds, a[0]), a[1], i(a[2]), i(a[3])), 0);
        on(calls, fdArgs, "fd_tell", (m, a) -> tell(m, file(fds, a[0]), i(a[1])), 0);
        on(calls, fdArgs, "fd_pread", (m, a) -> pread(m, file(fds, a[0]), i(a[1]), i(a[2]), a[3], i(a[4])), 0);
        on(calls, fdArgs, "fd_advise", (m, a) -> Errno.SUCCESS, 0);
        // the rest only change things: refused, whichever in-memory descriptor they name
        Call readOnly = (m, a) -> Errno.ROFS;
        for (String name : List.of(
                "fd_pwrite",
                "fd_allocate",
                "fd_filestat_set_size",
                "fd_filestat_set_times",
                "fd_sync",
                "fd_datasync")) {
            on(
                    calls,
                    fdArgs,
                    name,
                    (m, a) -> fds.get(i(a[0])) instanceof Descriptor.MemoryFile ? Errno.BADF : Errno.ROFS,
                    0);
        }
        on(calls, fdArgs, "path_create_directory", readOnly, 0);
        on(calls, fdArgs, "path_remove_directory", readOnly, 0);
        on(calls, fdArgs, "path_unlink_file", readOnly, 0);
        on(calls, fdArgs, "path_filestat_set_times", readOnly, 0);
        on(calls, fdArgs, "path_readlink", (m, a) -> Errno.INVAL, 0);
        on(calls, fdArgs, "path_symlink", readOnly, 2);
        on(calls, fdArgs, "path_rename", (m, a) -> crossing(fds, a[0], a[3]), 0, 3);
        on(calls, fdArgs, "path_link", (m, a) -> crossing(fds, a[0], a[4]), 0, 4);
        for (int k = 0; k < table.size(); k++) {
            HostFunction f = table.get(k);
            Call mine = calls.get(f.name());
            if (mine == null) continue;
            int[] which = fdArgs.get(f.name());
            HostFunction.Body original = f.body();
            table.set(k, new HostFunction(f.module(), f.name(), f.params(), f.results(), (m, a) -> {
                if (!namesMemory(fds, a, which)) return original.call(m, a);
                try {
                    return mine.call(m, a);
                } catch (Errno.Failure e) {
                    return e.errno;
                } catch (GuestMemory.Fault e) {
                    return Errno.FAULT;
                }
            }));
        }
    }

    private static void on(Map<String, Call> calls, Map<String, int[]> fdArgs, String name, Call call, int... fdArg) {
        calls.put(name, call);
        fdArgs.put(name, fdArg);
    }

    private static boolean namesMemory(FdTable fds, long[] a, int[] which) {
        for (int index : which) {
            Descriptor d = fds.at(i(a[index]));
            if (d instanceof Descriptor.MemoryDir || d instanceof Descriptor.MemoryFile) return true;
        }
        return false;
    }

    /** Rename or link across an in-memory directory: it never changes, whichever side it is. */
    private static int crossing(FdTable fds, long from, long to) {
        fds.get(i(from));
        fds.get(i(to));
        return Errno.ROFS;
    }

    private static int i(long v) {
        return (int) v;
    }

    private static Descriptor.MemoryDir dir(FdTable fds, long fd, int wrongKind) {
        Descriptor d = fds.get(i(fd));
        if (d instanceof Descriptor.MemoryDir dir) return dir;
        throw Errno.fail(wrongKind);
    }

    private static Descriptor.MemoryFile file(FdTable fds, long fd) {
        Descriptor d = fds.get(i(fd));
        if (d instanceof Descriptor.MemoryFile f) return f;
        throw Errno.fail(d instanceof Descriptor.MemoryDir ? Errno.ISDIR : Errno.BADF);
    }

    private static void require(Descriptor d, long right) {
        if ((d.rightsBase & right) == 0) throw Errno.fail(Errno.NOTCAPABLE);
    }

    private static int prestatGet(GuestMemory m, Descriptor.MemoryDir dir, int ptr) {
        if (dir.preopenName == null) throw Errno.fail(Errno.BADF);
        m.writeU8(ptr, 0);
        m.writeI32(ptr + 4, dir.preopenName.getBytes(StandardCharsets.UTF_8).length);
        return Errno.SUCCESS;
    }

    private static int prestatDirName(GuestMemory m, Descriptor.MemoryDir dir, int ptr, int len) {
        if (dir.preopenName == null) throw Errno.fail(Errno.BADF);
        byte[] name = dir.preopenName.getBytes(StandardCharsets.UTF_8);
        if (len < name.length) throw Errno.fail(Errno.NAMETOOLONG);
        m.write(ptr, name);
        return Errno.SUCCESS;
    }

    /** A path inside a flat directory: the directory itself ("." or "./"), or one of its file names. */
    private static String entry(String path) {
        if (path.isEmpty()) throw Errno.fail(Errno.NOENT);
        if (path.startsWith("/")) throw Errno.fail(Errno.PERM);
        String p = path;
        while (p.startsWith("./")) p = p.substring(2);
        if (p.equals(".") || p.isEmpty()) return "";
        if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        for (String part : p.split("/")) {
            if (part.equals("..")) throw Errno.fail(Errno.NOTCAPABLE); // never above the directory
        }
        if (p.indexOf('/') >= 0) throw Errno.fail(Errno.NOENT); // flat: there are no sub-directories
        return p;
    }

    private static int open(GuestMemory m, FdTable fds, long[] a) {
        Descriptor.MemoryDir dir = dir(fds, a[0], Errno.NOTDIR);
        require(dir, Wasi.RIGHT_PATH_OPEN);
        String path = WasiPreview1.str(m, a[2], a[3]);
        int oflags = i(a[4]);
        long rightsBase = a[5];
        int fdflags = i(a[7]);
        int resultPtr = i(a[8]);
        String name = entry(path);
        boolean exists = name.isEmpty() || dir.contents.contents(name) != null;
        if ((oflags & (Wasi.OFLAG_CREAT | Wasi.OFLAG_TRUNC)) != 0
                || (rightsBase & WRITE_RIGHTS & ~(Wasi.RIGHT_FD_DATASYNC | Wasi.RIGHT_FD_SYNC)) != 0
                || (fdflags & Wasi.FDFLAG_APPEND) != 0) {
            throw Errno.fail(exists || (oflags & Wasi.OFLAG_CREAT) != 0 ? Errno.ROFS : Errno.NOENT);
        }
        if (!exists) throw Errno.fail(Errno.NOENT);
        if (fds.full()) throw Errno.fail(Errno.MFILE);
        Descriptor opened;
        if (name.isEmpty()) {
            opened = new Descriptor.MemoryDir(
                    dir.contents, null, rightsBase & DIR_RIGHTS & dir.rightsInheriting, a[6] & dir.rightsInheriting);
        } else {
            if ((oflags & Wasi.OFLAG_DIRECTORY) != 0 || path.endsWith("/")) throw Errno.fail(Errno.NOTDIR);
            opened = new Descriptor.MemoryFile(
                    dir.contents.contents(name), rightsBase & FILE_RIGHTS & dir.rightsInheriting);
        }
        opened.fdflags = fdflags & Wasi.FDFLAG_NONBLOCK;
        m.writeI32(resultPtr, fds.add(opened));
        return Errno.SUCCESS;
    }

    static long read(GuestMemory m, Descriptor.MemoryFile f, int iovs, int iovsLen) {
        require(f, Wasi.RIGHT_FD_READ);
        long n = scatter(m, f, iovs, iovsLen, f.position);
        f.position += n;
        return n;
    }

    private static int pread(GuestMemory m, Descriptor.MemoryFile f, int iovs, int iovsLen, long offset, int nreadPtr) {
        require(f, Wasi.RIGHT_FD_READ | Wasi.RIGHT_FD_SEEK);
        if (offset < 0) throw Errno.fail(Errno.INVAL);
        m.writeI32(nreadPtr, (int) scatter(m, f, iovs, iovsLen, offset));
        return Errno.SUCCESS;
    }

    private static long scatter(GuestMemory m, Descriptor.MemoryFile f, int iovs, int iovsLen, long offset) {
        long total = 0;
        for (int k = 0; k < iovsLen; k++) {
            int buf = m.readI32(iovs + 8 * k);
            int len = m.readI32(iovs + 8 * k + 4);
            long at = offset + total;
            if (at >= f.data.length) break;
            int n = (int) Math.min(Integer.toUnsignedLong(len), f.data.length - at);
            m.write(buf, f.data, (int) at, n);
            total += n;
        }
        return total;
    }

    private static int seek(GuestMemory m, Descriptor.MemoryFile f, long offset, int whence, int resultPtr) {
        require(
                f,
                offset == 0 && whence == Wasi.WHENCE_CUR
                        ? Wasi.RIGHT_FD_TELL | Wasi.RIGHT_FD_SEEK
                        : Wasi.RIGHT_FD_SEEK);
        long base = switch (whence) {
            case Wasi.WHENCE_SET -> 0;
            case Wasi.WHENCE_CUR -> f.position;
            case Wasi.WHENCE_END -> f.data.length;
            default -> throw Errno.fail(Errno.INVAL);
        };
        long target = base + offset;
        if (target < 0) throw Errno.fail(Errno.INVAL);
        f.position = target;
        m.writeI64(resultPtr, target);
        return Errno.SUCCESS;
    }

    private static int tell(GuestMemory m, Descriptor.MemoryFile f, int resultPtr) {
        require(f, Wasi.RIGHT_FD_TELL);
        m.writeI64(resultPtr, f.position);
        return Errno.SUCCESS;
    }

    private static int fdFilestat(GuestMemory m, Descriptor d, int ptr) {
        switch (d) {
            case Descriptor.MemoryFile f -> stat(m, ptr, inode(f.data), Wasi.FILETYPE_REGULAR_FILE, f.data.length);
            case Descriptor.MemoryDir dir -> stat(m, ptr, 1, Wasi.FILETYPE_DIRECTORY, 0);
            default -> throw Errno.fail(Errno.BADF);
        }
        return Errno.SUCCESS;
    }

    private static int pathFilestat(GuestMemory m, Descriptor.MemoryDir dir, String path, int ptr) {
        require(dir, Wasi.RIGHT_PATH_FILESTAT_GET);
        String name = entry(path);
        if (name.isEmpty()) {
            stat(m, ptr, 1, Wasi.FILETYPE_DIRECTORY, 0);
        } else {
            byte[] data = dir.contents.contents(name);
            if (data == null) throw Errno.fail(Errno.NOENT);
            if (path.endsWith("/")) throw Errno.fail(Errno.NOTDIR);
            stat(m, ptr, inode(data), Wasi.FILETYPE_REGULAR_FILE, data.length);
        }
        return Errno.SUCCESS;
    }

    /** A stable number per file for as long as it is open; 1 is the directory. */
    private static long inode(byte[] data) {
        return 2 + (System.identityHashCode(data) & 0x7fffffffL);
    }

    /** The 64-byte filestat: dev, ino, filetype (+7 padding), nlink, size, atim, mtim, ctim (times 0: unknown). */
    private static void stat(GuestMemory m, int ptr, long ino, int type, long size) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(DEVICE).putLong(ino).put((byte) type).position(24);
        b.putLong(1).putLong(size);
        m.write(ptr, b.array());
    }

    private static int readdir(GuestMemory m, Descriptor.MemoryDir dir, int buf, int bufLen, long cookie, int usedPtr) {
        require(dir, Wasi.RIGHT_FD_READDIR);
        List<String> names = new ArrayList<>(List.of(".", ".."));
        Set<String> files = dir.contents.names();
        names.addAll(files);
        int used = 0;
        for (long k = cookie; k >= 0 && k < names.size() && used < bufLen; k++) {
            String name = names.get((int) k);
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            boolean directory = k < 2;
            long ino = directory ? 1 : inode(dir.contents.contents(name));
            ByteBuffer e = ByteBuffer.allocate(24 + bytes.length).order(ByteOrder.LITTLE_ENDIAN);
            e.putLong(k + 1)
                    .putLong(ino)
                    .putInt(bytes.length)
                    .put((byte) (directory ? Wasi.FILETYPE_DIRECTORY : Wasi.FILETYPE_REGULAR_FILE))
                    .put(new byte[3])
                    .put(bytes);
            int n = Math.min(e.capacity(), bufLen - used);
            m.write(buf + used, e.array(), 0, n);
            used += n;
        }
        m.writeI32(usedPtr, used);
        return Errno.SUCCESS;
    }
}
