package dev.donjon.wasi.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** The fd_* calls on files and directories, and the path_* calls, confined to the preopened directories. */
final class FileOps {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final LinkOption[] FOLLOW = {};
    private final FdTable fds;

    FileOps(FdTable fds) { this.fds = fds; }

    private Descriptor.File file(int fd) {
        Descriptor d = fds.get(fd);
        if (d instanceof Descriptor.File f) return f;
        if (d instanceof Descriptor.Dir) throw Errno.fail(Errno.ISDIR);
        if (d instanceof Descriptor.Socket || d instanceof Descriptor.Listener) throw Errno.fail(Errno.SPIPE);
        throw Errno.fail(Errno.SPIPE);
    }

    private Descriptor.Dir dir(int fd) {
        return fds.get(fd, Descriptor.Dir.class, Errno.NOTDIR);
    }

    private static void require(Descriptor d, long right) {
        if ((d.rightsBase & right) == 0) throw Errno.fail(Errno.NOTCAPABLE);
    }

    // ---- data ----

    long read(GuestMemory m, Descriptor.File f, int iovs, int iovsLen) throws IOException {
        require(f, Wasi.RIGHT_FD_READ);
        return scatter(m, f, iovs, iovsLen, AT_POSITION);
    }

    long write(GuestMemory m, Descriptor.File f, int iovs, int iovsLen) throws IOException {
        require(f, Wasi.RIGHT_FD_WRITE);
        if ((f.fdflags & Wasi.FDFLAG_APPEND) != 0) f.channel.position(f.channel.size());
        return gather(m, f, iovs, iovsLen, AT_POSITION);
    }

    int pread(GuestMemory m, int fd, int iovs, int iovsLen, long offset, int nreadPtr) throws IOException {
        Descriptor.File f = file(fd);
        require(f, Wasi.RIGHT_FD_READ | Wasi.RIGHT_FD_SEEK);
        if (offset < 0) throw Errno.fail(Errno.INVAL);
        m.writeI32(nreadPtr, (int) scatter(m, f, iovs, iovsLen, offset));
        return Errno.SUCCESS;
    }

    int pwrite(GuestMemory m, int fd, int iovs, int iovsLen, long offset, int nwrittenPtr) throws IOException {
        Descriptor.File f = file(fd);
        require(f, Wasi.RIGHT_FD_WRITE | Wasi.RIGHT_FD_SEEK);
        if (offset < 0) throw Errno.fail(Errno.INVAL);
        m.writeI32(nwrittenPtr, (int) gather(m, f, iovs, iovsLen, offset));
        return Errno.SUCCESS;
    }

    /** Offset meaning "the channel's own position, which the transfer advances" (fd_read/fd_write, not pread/pwrite). */
    private static final long AT_POSITION = -1;

    /** Reads into the guest's iovecs until one is left short (end of file or a partial read). */
    private static long scatter(GuestMemory m, Descriptor.File f, int iovs, int iovsLen, long offset) throws IOException {
        long total = 0;
        for (int i = 0; i < iovsLen; i++) {
            int buf = m.readI32(iovs + 8 * i);
            int len = m.readI32(iovs + 8 * i + 4);
            if (len == 0) continue;
            ByteBuffer bb = ByteBuffer.allocate(Math.min(len, 1 << 20));
            int n = offset == AT_POSITION ? f.channel.read(bb) : f.channel.read(bb, offset + total);
            if (n <= 0) break;
            m.write(buf, bb.array(), 0, n);
            total += n;
            if (n < len) break;
        }
        return total;
    }

    /** Writes every byte of the guest's iovecs. */
    private static long gather(GuestMemory m, Descriptor.File f, int iovs, int iovsLen, long offset) throws IOException {
        long total = 0;
        for (int i = 0; i < iovsLen; i++) {
            int buf = m.readI32(iovs + 8 * i);
            int len = m.readI32(iovs + 8 * i + 4);
            if (len == 0) continue;
            ByteBuffer bb = ByteBuffer.wrap(m.read(buf, len));
            while (bb.hasRemaining()) {
                total += offset == AT_POSITION ? f.channel.write(bb) : f.channel.write(bb, offset + total);
            }
        }
        return total;
    }

    int seek(GuestMemory m, int fd, long offset, int whence, int resultPtr) throws IOException {
        Descriptor.File f = file(fd);
        require(f, offset == 0 && whence == Wasi.WHENCE_CUR ? Wasi.RIGHT_FD_TELL | Wasi.RIGHT_FD_SEEK : Wasi.RIGHT_FD_SEEK);
        long base = switch (whence) {
            case Wasi.WHENCE_SET -> 0;
            case Wasi.WHENCE_CUR -> f.channel.position();
            case Wasi.WHENCE_END -> f.channel.size();
            default -> throw Errno.fail(Errno.INVAL);
        };
        long target = base + offset;
        if (target < 0) throw Errno.fail(Errno.INVAL);
        f.channel.position(target);
        m.writeI64(resultPtr, target);
        return Errno.SUCCESS;
    }

    int tell(GuestMemory m, int fd, int resultPtr) throws IOException {
        Descriptor.File f = file(fd);
        require(f, Wasi.RIGHT_FD_TELL);
        m.writeI64(resultPtr, f.channel.position());
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

    int allocate(int fd, long offset, long len) throws IOException {
        Descriptor.File f = file(fd);
        require(f, Wasi.RIGHT_FD_ALLOCATE);
        if (offset < 0 || len <= 0) throw Errno.fail(Errno.INVAL);
        long end = offset + len;
        if (end < 0) throw Errno.fail(Errno.FBIG);
        if (f.channel.size() < end) {
            long pos = f.channel.position();
            f.channel.write(ByteBuffer.allocate(1), end - 1);
            f.channel.position(pos);
        }
        return Errno.SUCCESS;
    }

    int sync(int fd, boolean metadata) throws IOException {
        Descriptor d = fds.get(fd);
        if (d instanceof Descriptor.File f) {
            require(f, metadata ? Wasi.RIGHT_FD_SYNC : Wasi.RIGHT_FD_DATASYNC);
            f.channel.force(metadata);
        } else if (!(d instanceof Descriptor.Dir)) {
            throw Errno.fail(Errno.INVAL);
        }
        return Errno.SUCCESS;
    }

    int setSize(int fd, long size) throws IOException {
        Descriptor.File f = fileForMeta(fd);
        require(f, Wasi.RIGHT_FD_FILESTAT_SET_SIZE);
        if (size < 0) throw Errno.fail(Errno.INVAL);
        long current = f.channel.size();
        if (size < current) {
            f.channel.truncate(size);
        } else if (size > current) {
            long pos = f.channel.position();
            f.channel.write(ByteBuffer.allocate(1), size - 1);
            f.channel.position(pos);
        }
        return Errno.SUCCESS;
    }

    private Descriptor.File fileForMeta(int fd) {
        Descriptor d = fds.get(fd);
        if (d instanceof Descriptor.File f) return f;
        if (d instanceof Descriptor.Dir) throw Errno.fail(Errno.ISDIR);
        throw Errno.fail(Errno.INVAL);
    }

    // ---- metadata ----

    int fdFilestatGet(GuestMemory m, int fd, int ptr) throws IOException {
        Descriptor d = fds.get(fd);
        switch (d) {
            case Descriptor.File f -> {
                require(f, Wasi.RIGHT_FD_FILESTAT_GET);
                try {
                    writeFilestat(m, ptr, f.hostPath, NOFOLLOW);
                } catch (java.nio.file.NoSuchFileException e) {
                    // unlinked while open: the size is still known
                    writeFilestat(m, ptr, 0, 0, Wasi.FILETYPE_REGULAR_FILE, 0, f.channel.size(), 0, 0, 0);
                }
            }
            case Descriptor.Dir dir -> writeFilestat(m, ptr, dir.hostPath, NOFOLLOW);
            default -> writeFilestat(m, ptr, 0, 0, d.filetype(), 1, 0, 0, 0, 0);
        }
        return Errno.SUCCESS;
    }

    int pathFilestatGet(GuestMemory m, int fd, int flags, String path, int ptr) throws IOException {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_FILESTAT_GET);
        SandboxPath p = SandboxPath.resolve(dir, path, (flags & Wasi.LOOKUP_SYMLINK_FOLLOW) != 0);
        if (p.trailingSlash() && p.exists() && !p.isDirectory()) throw Errno.fail(Errno.NOTDIR);
        writeFilestat(m, ptr, p.host(), NOFOLLOW);
        return Errno.SUCCESS;
    }

    private static void writeFilestat(GuestMemory m, int ptr, Path path, LinkOption[] opts) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino,nlink,size,lastAccessTime,lastModifiedTime,ctime,mode", opts);
        int mode = (Integer) a.get("mode");
        writeFilestat(m, ptr, (Long) a.get("dev"), (Long) a.get("ino"), filetypeOfMode(mode),
                ((Number) a.get("nlink")).longValue(), (Long) a.get("size"),
                nanos((FileTime) a.get("lastAccessTime")), nanos((FileTime) a.get("lastModifiedTime")),
                nanos((FileTime) a.get("ctime")));
    }

    private static void writeFilestat(GuestMemory m, int ptr, long dev, long ino, int type, long nlink, long size,
                                      long atim, long mtim, long ctim) {
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
        return switch (mode & 0170000) {
            case 0140000 -> Wasi.FILETYPE_SOCKET_STREAM;
            case 0120000 -> Wasi.FILETYPE_SYMBOLIC_LINK;
            case 0100000 -> Wasi.FILETYPE_REGULAR_FILE;
            case 0060000 -> Wasi.FILETYPE_BLOCK_DEVICE;
            case 0040000 -> Wasi.FILETYPE_DIRECTORY;
            case 0020000 -> Wasi.FILETYPE_CHARACTER_DEVICE;
            default -> Wasi.FILETYPE_UNKNOWN;
        };
    }

    private static long nanos(FileTime t) {
        Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    int fdSetTimes(int fd, long atim, long mtim, int fst) throws IOException {
        Descriptor d = fds.get(fd);
        Path path = switch (d) {
            case Descriptor.File f -> f.hostPath;
            case Descriptor.Dir dir -> dir.hostPath;
            default -> throw Errno.fail(Errno.BADF);
        };
        require(d, Wasi.RIGHT_FD_FILESTAT_SET_TIMES);
        setTimes(path, atim, mtim, fst, NOFOLLOW);
        return Errno.SUCCESS;
    }

    int pathSetTimes(int fd, int flags, String path, long atim, long mtim, int fst) throws IOException {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_FILESTAT_SET_TIMES);
        boolean follow = (flags & Wasi.LOOKUP_SYMLINK_FOLLOW) != 0;
        SandboxPath p = SandboxPath.resolve(dir, path, follow);
        if (p.trailingSlash() && p.exists() && !p.isDirectory()) throw Errno.fail(Errno.NOTDIR);
        setTimes(p.host(), atim, mtim, fst, NOFOLLOW);
        return Errno.SUCCESS;
    }

    private static void setTimes(Path path, long atim, long mtim, int fst, LinkOption[] opts) throws IOException {
        if ((fst & ~0xf) != 0) throw Errno.fail(Errno.INVAL);
        if ((fst & Wasi.FST_ATIM) != 0 && (fst & Wasi.FST_ATIM_NOW) != 0) throw Errno.fail(Errno.INVAL);
        if ((fst & Wasi.FST_MTIM) != 0 && (fst & Wasi.FST_MTIM_NOW) != 0) throw Errno.fail(Errno.INVAL);
        if (!Files.exists(path, opts)) throw Errno.fail(Errno.NOENT);
        FileTime now = FileTime.from(Instant.now());
        FileTime a = (fst & Wasi.FST_ATIM) != 0 ? fromNanos(atim) : (fst & Wasi.FST_ATIM_NOW) != 0 ? now : null;
        FileTime mt = (fst & Wasi.FST_MTIM) != 0 ? fromNanos(mtim) : (fst & Wasi.FST_MTIM_NOW) != 0 ? now : null;
        if (a == null && mt == null) return;
        Files.getFileAttributeView(path, BasicFileAttributeView.class, opts).setTimes(mt, a, null);
    }

    private static FileTime fromNanos(long nanos) {
        return FileTime.from(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)));
    }

    // ---- directories ----

    int readdir(GuestMemory m, int fd, int buf, int bufLen, long cookie, int bufUsedPtr) throws IOException {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_FD_READDIR);
        List<String> names = new ArrayList<>();
        names.add(".");
        names.add("..");
        try (Stream<Path> s = Files.list(dir.hostPath)) {
            s.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
        }
        int used = 0;
        for (long i = cookie; i < names.size() && used < bufLen; i++) {
            String name = names.get((int) i);
            Path p = name.equals(".") ? dir.hostPath : name.equals("..") ? parentWithin(dir) : dir.hostPath.resolve(name);
            long ino = 0;
            int type = Wasi.FILETYPE_UNKNOWN;
            try {
                Map<String, Object> a = Files.readAttributes(p, "unix:ino,mode", NOFOLLOW);
                ino = (Long) a.get("ino");
                type = filetypeOfMode((Integer) a.get("mode"));
            } catch (IOException e) {
                // removed meanwhile: still listed, with an unknown type
            }
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            ByteBuffer entry = ByteBuffer.allocate(24 + nameBytes.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            entry.putLong(i + 1).putLong(ino).putInt(nameBytes.length).put((byte) type).put(new byte[3]).put(nameBytes);
            int n = Math.min(entry.capacity(), bufLen - used);
            m.write(buf + used, entry.array(), 0, n);
            used += n;
        }
        m.writeI32(bufUsedPtr, used);
        return Errno.SUCCESS;
    }

    private static Path parentWithin(Descriptor.Dir dir) {
        return dir.hostPath.equals(dir.root) ? dir.root : dir.hostPath.getParent();
    }

    int mkdir(int fd, String path) throws IOException {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_CREATE_DIRECTORY);
        SandboxPath p = SandboxPath.resolve(dir, path, false);
        if (p.name() == null || p.exists()) throw Errno.fail(Errno.EXIST);
        Files.createDirectory(p.host());
        return Errno.SUCCESS;
    }

    int rmdir(int fd, String path) throws IOException {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_REMOVE_DIRECTORY);
        SandboxPath p = SandboxPath.resolve(dir, path, false);
        if (p.name() == null) throw Errno.fail(p.host().equals(dir.hostPath) ? Errno.INVAL : Errno.NOTEMPTY);
        if (!p.exists()) throw Errno.fail(Errno.NOENT);
        if (!p.isDirectory()) throw Errno.fail(Errno.NOTDIR);
        Files.delete(p.host());
        return Errno.SUCCESS;
    }

    int unlink(int fd, String path) throws IOException {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_UNLINK_FILE);
        SandboxPath p = SandboxPath.resolve(dir, path, false);
        if (p.name() == null) throw Errno.fail(Errno.ISDIR);
        if (!p.exists()) throw Errno.fail(Errno.NOENT);
        if (p.isDirectory()) throw Errno.fail(Errno.ISDIR);
        if (p.trailingSlash()) throw Errno.fail(Errno.NOTDIR);
        Files.delete(p.host());
        return Errno.SUCCESS;
    }

    int rename(int fd, String from, int newFd, String to) throws IOException {
        Descriptor.Dir src = dir(fd);
        Descriptor.Dir dst = dir(newFd);
        require(src, Wasi.RIGHT_PATH_RENAME_SOURCE);
        require(dst, Wasi.RIGHT_PATH_RENAME_TARGET);
        SandboxPath a = SandboxPath.resolve(src, from, false);
        SandboxPath b = SandboxPath.resolve(dst, to, false);
        if (a.name() == null || b.name() == null) throw Errno.fail(Errno.BUSY);
        if (!a.exists()) throw Errno.fail(Errno.NOENT);
        boolean srcDir = a.isDirectory();
        if (!srcDir && (a.trailingSlash() || b.trailingSlash())) throw Errno.fail(Errno.NOTDIR);
        if (b.exists()) {
            boolean dstDir = b.isDirectory();
            if (srcDir && !dstDir) throw Errno.fail(Errno.NOTDIR);
            if (!srcDir && dstDir) throw Errno.fail(Errno.ISDIR);
            if (a.host().equals(b.host())) return Errno.SUCCESS;
            if (dstDir) {
                try (Stream<Path> s = Files.list(b.host())) {
                    if (s.findAny().isPresent()) throw Errno.fail(Errno.NOTEMPTY);
                }
            }
        }
        if (srcDir && b.host().startsWith(a.host()) && !b.host().equals(a.host())) throw Errno.fail(Errno.INVAL);
        Files.move(a.host(), b.host(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return Errno.SUCCESS;
    }

    int symlink(String target, int fd, String path) throws IOException {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_SYMLINK);
        if (target.isEmpty()) throw Errno.fail(Errno.NOENT);
        if (target.startsWith("/")) throw Errno.fail(Errno.PERM);
        SandboxPath p = SandboxPath.resolve(dir, path, false);
        if (p.name() == null || p.exists()) throw Errno.fail(Errno.EXIST);
        if (p.trailingSlash()) throw Errno.fail(Errno.NOENT);
        Files.createSymbolicLink(p.host(), Path.of(target));
        return Errno.SUCCESS;
    }

    int readlink(GuestMemory m, int fd, String path, int buf, int bufLen, int usedPtr) throws IOException {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_READLINK);
        SandboxPath p = SandboxPath.resolve(dir, path, false);
        if (!p.exists()) throw Errno.fail(Errno.NOENT);
        if (!p.isSymlink()) throw Errno.fail(Errno.INVAL);
        byte[] target = Files.readSymbolicLink(p.host()).toString().getBytes(StandardCharsets.UTF_8);
        int n = Math.min(target.length, bufLen);
        m.write(buf, target, 0, n);
        m.writeI32(usedPtr, n);
        return Errno.SUCCESS;
    }

    int link(int oldFd, int oldFlags, String oldPath, int newFd, String newPath) throws IOException {
        Descriptor.Dir src = dir(oldFd);
        Descriptor.Dir dst = dir(newFd);
        require(src, Wasi.RIGHT_PATH_LINK_SOURCE);
        require(dst, Wasi.RIGHT_PATH_LINK_TARGET);
        SandboxPath a = SandboxPath.resolve(src, oldPath, (oldFlags & Wasi.LOOKUP_SYMLINK_FOLLOW) != 0);
        SandboxPath b = SandboxPath.resolve(dst, newPath, false);
        if (!a.exists()) throw Errno.fail(Errno.NOENT);
        if (b.name() == null || b.exists()) throw Errno.fail(Errno.EXIST);
        if (a.isDirectory()) throw Errno.fail(Errno.PERM);
        if (b.trailingSlash()) throw Errno.fail(Errno.NOENT);
        if (a.trailingSlash()) throw Errno.fail(Errno.NOTDIR);
        Files.createLink(b.host(), a.host());
        return Errno.SUCCESS;
    }

    // ---- path_open ----

    int open(GuestMemory m, int fd, int dirflags, String path, int oflags, long rightsBase, long rightsInheriting,
             int fdflags, int resultPtr) throws IOException {
        Descriptor.Dir dir = dir(fd);
        require(dir, Wasi.RIGHT_PATH_OPEN);
        boolean creat = (oflags & Wasi.OFLAG_CREAT) != 0;
        boolean excl = (oflags & Wasi.OFLAG_EXCL) != 0;
        boolean trunc = (oflags & Wasi.OFLAG_TRUNC) != 0;
        boolean wantDir = (oflags & Wasi.OFLAG_DIRECTORY) != 0;
        if (creat) require(dir, Wasi.RIGHT_PATH_CREATE_FILE);
        if (trunc) require(dir, Wasi.RIGHT_PATH_FILESTAT_SET_SIZE);
        boolean follow = (dirflags & Wasi.LOOKUP_SYMLINK_FOLLOW) != 0;
        SandboxPath p = SandboxPath.resolve(dir, path, follow);
        if (fds.full()) throw Errno.fail(Errno.MFILE);
        boolean exists = p.exists();
        if (creat && excl && exists) throw Errno.fail(Errno.EXIST);
        if (exists && p.isSymlink()) throw Errno.fail(wantDir ? Errno.NOTDIR : Errno.LOOP);
        long inheritable = dir.rightsInheriting;
        if (exists && p.isDirectory()) {
            if (creat && !excl || trunc) throw Errno.fail(Errno.ISDIR);
            if ((rightsBase & Wasi.RIGHT_FD_WRITE) != 0) throw Errno.fail(Errno.ISDIR);
            Descriptor.Dir opened = new Descriptor.Dir(p.host(), dir.root, null,
                    rightsBase & Wasi.RIGHTS_DIR & inheritable, rightsInheriting & inheritable);
            opened.fdflags = fdflags;
            m.writeI32(resultPtr, fds.add(opened));
            return Errno.SUCCESS;
        }
        if (wantDir) throw Errno.fail(exists ? Errno.NOTDIR : Errno.NOENT);
        if (p.trailingSlash()) throw Errno.fail(exists ? Errno.NOTDIR : (creat ? Errno.ISDIR : Errno.NOENT));
        if (!exists && !creat) throw Errno.fail(Errno.NOENT);
        if (p.name() == null) throw Errno.fail(Errno.ISDIR);
        boolean read = (rightsBase & (Wasi.RIGHT_FD_READ | Wasi.RIGHT_FD_READDIR)) != 0;
        boolean write = (rightsBase & (Wasi.RIGHT_FD_WRITE | Wasi.RIGHT_FD_ALLOCATE | Wasi.RIGHT_FD_FILESTAT_SET_SIZE)) != 0
                || (fdflags & Wasi.FDFLAG_APPEND) != 0;
        Set<OpenOption> options = new HashSet<>();
        options.add(LinkOption.NOFOLLOW_LINKS);
        if (read || !write) options.add(StandardOpenOption.READ);
        if (write || creat || trunc) options.add(StandardOpenOption.WRITE);
        if (creat) options.add(excl ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE);
        if (trunc) options.add(StandardOpenOption.TRUNCATE_EXISTING);
        if ((fdflags & Wasi.FDFLAG_DSYNC) != 0) options.add(StandardOpenOption.DSYNC);
        if ((fdflags & Wasi.FDFLAG_SYNC) != 0) options.add(StandardOpenOption.SYNC);
        FileChannel channel = FileChannel.open(p.host(), options);
        if (!write && (creat || trunc)) {
            // opened for writing only to create it; reopen with the rights asked for
            channel.close();
            options.remove(StandardOpenOption.WRITE);
            options.remove(StandardOpenOption.CREATE);
            options.remove(StandardOpenOption.CREATE_NEW);
            options.remove(StandardOpenOption.TRUNCATE_EXISTING);
            options.add(StandardOpenOption.READ);
            channel = FileChannel.open(p.host(), options);
        }
        long base = rightsBase & Wasi.RIGHTS_FILE & inheritable;
        Descriptor.File opened = new Descriptor.File(channel, p.host(), base, rightsInheriting & inheritable);
        opened.fdflags = fdflags & (Wasi.FDFLAG_APPEND | Wasi.FDFLAG_NONBLOCK | Wasi.FDFLAG_DSYNC | Wasi.FDFLAG_SYNC | Wasi.FDFLAG_RSYNC);
        try {
            m.writeI32(resultPtr, fds.add(opened));
        } catch (RuntimeException e) {
            channel.close();
            throw e;
        }
        return Errno.SUCCESS;
    }

    static LinkOption[] follow(boolean yes) { return yes ? FOLLOW : NOFOLLOW; }
}
