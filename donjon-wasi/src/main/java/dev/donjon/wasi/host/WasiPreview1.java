package dev.donjon.wasi.host;

import static dev.donjon.wasi.host.ValueType.I32;
import static dev.donjon.wasi.host.ValueType.I64;

import dev.donjon.wasi.linux.Linux;
import dev.donjon.wasi.linux.LinuxException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * WASI preview 1 for one guest run, written against {@link GuestMemory} only. {@link #functions()} is the
 * import table an engine binds. Not thread-safe: a preview 1 guest has a single thread.
 */
public final class WasiPreview1 implements AutoCloseable {
    private final List<byte[]> args;
    private final List<byte[]> env;
    private final FdTable fds;
    private final Linux sys;
    private final Readiness readiness = new Readiness();
    private final FileOps files;
    private final SocketOps sockets;
    private final PollOneoff poll;
    private final SecureRandom random = new SecureRandom();
    private final long monotonicOrigin = System.nanoTime();

    public WasiPreview1(List<String> args, List<String> env, FdTable fds) {
        this(args, env, fds, null);
    }

    /**
     * {@code sys}: the system calls of this guest's file and directory descriptors (those in {@code fds} and those it
     * opens); null when it has no preopened directory. Closed with this object.
     */
    public WasiPreview1(List<String> args, List<String> env, FdTable fds, Linux sys) {
        this.args = args.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        this.env = env.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        this.fds = fds;
        this.sys = sys;
        this.files = new FileOps(fds, sys);
        this.sockets = new SocketOps(fds, readiness);
        this.poll = new PollOneoff(fds, files, readiness, this::now);
    }

    public FdTable fds() {
        return fds;
    }

    @Override
    public void close() {
        fds.closeAll();
        readiness.close();
        if (sys != null) sys.close();
    }

    // ---- the import table ----

    public List<HostFunction> functions() {
        List<HostFunction> f = new ArrayList<>();
        fn(f, "args_get", (m, a) -> stringsGet(m, args, i(a[0]), i(a[1])), I32, I32);
        fn(f, "args_sizes_get", (m, a) -> stringsSizes(m, args, i(a[0]), i(a[1])), I32, I32);
        fn(f, "environ_get", (m, a) -> stringsGet(m, env, i(a[0]), i(a[1])), I32, I32);
        fn(f, "environ_sizes_get", (m, a) -> stringsSizes(m, env, i(a[0]), i(a[1])), I32, I32);
        fn(f, "clock_res_get", (m, a) -> clockRes(m, i(a[0]), i(a[1])), I32, I32);
        fn(f, "clock_time_get", (m, a) -> clockTime(m, i(a[0]), i(a[2])), I32, I64, I32);
        fn(f, "fd_advise", (m, a) -> files.advise(i(a[0]), a[1], a[2], i(a[3])), I32, I64, I64, I32);
        fn(f, "fd_allocate", (m, a) -> files.allocate(i(a[0]), a[1], a[2]), I32, I64, I64);
        fn(f, "fd_close", (m, a) -> close(i(a[0])), I32);
        fn(f, "fd_datasync", (m, a) -> files.sync(i(a[0]), false), I32);
        fn(f, "fd_sync", (m, a) -> files.sync(i(a[0]), true), I32);
        fn(f, "fd_fdstat_get", (m, a) -> fdstatGet(m, i(a[0]), i(a[1])), I32, I32);
        fn(f, "fd_fdstat_set_flags", (m, a) -> fdstatSetFlags(i(a[0]), i(a[1])), I32, I32);
        fn(f, "fd_fdstat_set_rights", (m, a) -> fdstatSetRights(i(a[0]), a[1], a[2]), I32, I64, I64);
        fn(f, "fd_filestat_get", (m, a) -> files.fdFilestatGet(m, i(a[0]), i(a[1])), I32, I32);
        fn(f, "fd_filestat_set_size", (m, a) -> files.setSize(i(a[0]), a[1]), I32, I64);
        fn(f, "fd_filestat_set_times", (m, a) -> files.fdSetTimes(i(a[0]), a[1], a[2], i(a[3])), I32, I64, I64, I32);
        fn(f, "fd_pread", (m, a) -> files.pread(m, i(a[0]), i(a[1]), i(a[2]), a[3], i(a[4])), I32, I32, I32, I64, I32);
        fn(
                f,
                "fd_pwrite",
                (m, a) -> files.pwrite(m, i(a[0]), i(a[1]), i(a[2]), a[3], i(a[4])),
                I32,
                I32,
                I32,
                I64,
                I32);
        fn(f, "fd_prestat_get", (m, a) -> prestatGet(m, i(a[0]), i(a[1])), I32, I32);
        fn(f, "fd_prestat_dir_name", (m, a) -> prestatDirName(m, i(a[0]), i(a[1]), i(a[2])), I32, I32, I32);
        fn(f, "fd_read", (m, a) -> read(m, i(a[0]), i(a[1]), i(a[2]), i(a[3])), I32, I32, I32, I32);
        fn(f, "fd_write", (m, a) -> write(m, i(a[0]), i(a[1]), i(a[2]), i(a[3])), I32, I32, I32, I32);
        fn(
                f,
                "fd_readdir",
                (m, a) -> files.readdir(m, i(a[0]), i(a[1]), i(a[2]), a[3], i(a[4])),
                I32,
                I32,
                I32,
                I64,
                I32);
        fn(f, "fd_renumber", (m, a) -> renumber(i(a[0]), i(a[1])), I32, I32);
        fn(f, "fd_seek", (m, a) -> files.seek(m, i(a[0]), a[1], i(a[2]), i(a[3])), I32, I64, I32, I32);
        fn(f, "fd_tell", (m, a) -> files.tell(m, i(a[0]), i(a[1])), I32, I32);
        fn(f, "path_create_directory", (m, a) -> files.mkdir(i(a[0]), str(m, a[1], a[2])), I32, I32, I32);
        fn(
                f,
                "path_filestat_get",
                (m, a) -> files.pathFilestatGet(m, i(a[0]), i(a[1]), str(m, a[2], a[3]), i(a[4])),
                I32,
                I32,
                I32,
                I32,
                I32);
        fn(
                f,
                "path_filestat_set_times",
                (m, a) -> files.pathSetTimes(i(a[0]), i(a[1]), str(m, a[2], a[3]), a[4], a[5], i(a[6])),
                I32,
                I32,
                I32,
                I32,
                I64,
                I64,
                I32);
        fn(
                f,
                "path_link",
                (m, a) -> files.link(i(a[0]), i(a[1]), str(m, a[2], a[3]), i(a[4]), str(m, a[5], a[6])),
                I32,
                I32,
                I32,
                I32,
                I32,
                I32,
                I32);
        fn(
                f,
                "path_open",
                (m, a) -> files.open(m, i(a[0]), i(a[1]), str(m, a[2], a[3]), i(a[4]), a[5], a[6], i(a[7]), i(a[8])),
                I32,
                I32,
                I32,
                I32,
                I32,
                I64,
                I64,
                I32,
                I32);
        fn(
                f,
                "path_readlink",
                (m, a) -> files.readlink(m, i(a[0]), str(m, a[1], a[2]), i(a[3]), i(a[4]), i(a[5])),
                I32,
                I32,
                I32,
                I32,
                I32,
                I32);
        fn(f, "path_remove_directory", (m, a) -> files.rmdir(i(a[0]), str(m, a[1], a[2])), I32, I32, I32);
        fn(
                f,
                "path_rename",
                (m, a) -> files.rename(i(a[0]), str(m, a[1], a[2]), i(a[3]), str(m, a[4], a[5])),
                I32,
                I32,
                I32,
                I32,
                I32,
                I32);
        fn(
                f,
                "path_symlink",
                (m, a) -> files.symlink(str(m, a[0], a[1]), i(a[2]), str(m, a[3], a[4])),
                I32,
                I32,
                I32,
                I32,
                I32);
        fn(f, "path_unlink_file", (m, a) -> files.unlink(i(a[0]), str(m, a[1], a[2])), I32, I32, I32);
        fn(f, "poll_oneoff", (m, a) -> poll.poll(m, i(a[0]), i(a[1]), i(a[2]), i(a[3])), I32, I32, I32, I32);
        f.add(new HostFunction(Wasi.MODULE, "proc_exit", List.of(I32), List.of(), (m, a) -> {
            throw new ProcExit(i(a[0]));
        }));
        fn(f, "proc_raise", (m, a) -> Errno.NOSYS, I32);
        fn(f, "sched_yield", (m, a) -> {
            Thread.yield();
            return Errno.SUCCESS;
        });
        fn(f, "random_get", (m, a) -> randomGet(m, i(a[0]), i(a[1])), I32, I32);
        fn(f, "sock_accept", (m, a) -> sockets.accept(m, i(a[0]), i(a[1]), i(a[2])), I32, I32, I32);
        fn(
                f,
                "sock_recv",
                (m, a) -> sockets.recv(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]), i(a[5])),
                I32,
                I32,
                I32,
                I32,
                I32,
                I32);
        fn(
                f,
                "sock_send",
                (m, a) -> sockets.send(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4])),
                I32,
                I32,
                I32,
                I32,
                I32);
        fn(f, "sock_shutdown", (m, a) -> sockets.shutdown(i(a[0]), i(a[1])), I32, I32);
        MemoryFiles.overlay(f, fds);
        return f;
    }

    @FunctionalInterface
    private interface Call {
        int call(GuestMemory m, long[] a) throws IOException;
    }

    /** Registers a function returning an errno; errno failures, faults and I/O errors become errno values. */
    private static void fn(List<HostFunction> out, String name, Call body, ValueType... params) {
        out.add(new HostFunction(Wasi.MODULE, name, List.of(params), List.of(I32), (m, a) -> {
            try {
                return body.call(m, a);
            } catch (Errno.Failure e) {
                return e.errno;
            } catch (LinuxException e) {
                return Errno.ofLinux(e.errno);
            } catch (GuestMemory.Fault e) {
                return Errno.FAULT;
            } catch (InterruptedIOException e) {
                Thread.currentThread().interrupt();
                throw new Readiness.GuestStopped();
            } catch (IOException e) {
                return Errno.of(e);
            } catch (UncheckedIOException e) {
                return Errno.of(e.getCause());
            } catch (NonReadableChannelException | NonWritableChannelException e) {
                return Errno.BADF;
            } catch (IllegalArgumentException e) {
                return Errno.INVAL;
            }
        }));
    }

    static int i(long v) {
        return (int) v;
    }

    static String str(GuestMemory m, long ptr, long len) {
        byte[] b = m.read(i(ptr), i(len));
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw Errno.fail(Errno.ILSEQ);
        }
    }

    // ---- args, environ, clocks, random ----

    private static int stringsGet(GuestMemory m, List<byte[]> values, int ptrs, int buf) {
        for (byte[] v : values) {
            m.writeI32(ptrs, buf);
            ptrs += 4;
            m.write(buf, v);
            m.writeU8(buf + v.length, 0);
            buf += v.length + 1;
        }
        return Errno.SUCCESS;
    }

    private static int stringsSizes(GuestMemory m, List<byte[]> values, int countPtr, int sizePtr) {
        int size = 0;
        for (byte[] v : values) size += v.length + 1;
        m.writeI32(countPtr, values.size());
        m.writeI32(sizePtr, size);
        return Errno.SUCCESS;
    }

    private static int clockRes(GuestMemory m, int id, int ptr) {
        long res = switch (id) {
            case Wasi.CLOCK_REALTIME -> 1_000L;
            case Wasi.CLOCK_MONOTONIC, Wasi.CLOCK_PROCESS_CPUTIME, Wasi.CLOCK_THREAD_CPUTIME -> 1L;
            default -> throw Errno.fail(Errno.INVAL);
        };
        m.writeI64(ptr, res);
        return Errno.SUCCESS;
    }

    long now(int id) {
        return switch (id) {
            case Wasi.CLOCK_REALTIME -> {
                java.time.Instant t = java.time.Instant.now();
                yield t.getEpochSecond() * 1_000_000_000L + t.getNano();
            }
            // The CPU-time clocks are approximated by the monotonic clock: one guest thread, mostly on CPU.
            case Wasi.CLOCK_MONOTONIC, Wasi.CLOCK_PROCESS_CPUTIME, Wasi.CLOCK_THREAD_CPUTIME ->
                System.nanoTime() - monotonicOrigin + 1_000_000_000L;
            default -> throw Errno.fail(Errno.INVAL);
        };
    }

    private int clockTime(GuestMemory m, int id, int ptr) {
        m.writeI64(ptr, now(id));
        return Errno.SUCCESS;
    }

    private int randomGet(GuestMemory m, int buf, int len) {
        if (Integer.toUnsignedLong(buf) + Integer.toUnsignedLong(len) > m.size()) throw Errno.fail(Errno.FAULT);
        byte[] chunk = new byte[Math.min(len, 65_536)];
        int done = 0;
        while (done < len) {
            int n = Math.min(chunk.length, len - done);
            random.nextBytes(chunk);
            m.write(buf + done, chunk, 0, n);
            done += n;
        }
        return Errno.SUCCESS;
    }

    // ---- descriptors ----

    private int close(int fd) throws IOException {
        Descriptor d = fds.get(fd);
        fds.remove(fd);
        d.close();
        return Errno.SUCCESS;
    }

    private int renumber(int from, int to) throws IOException {
        fds.renumber(from, to);
        return Errno.SUCCESS;
    }

    private int fdstatGet(GuestMemory m, int fd, int ptr) {
        Descriptor d = fds.get(fd);
        m.writeU8(ptr, d.filetype());
        m.writeU8(ptr + 1, 0);
        m.writeU16(ptr + 2, d.fdflags);
        m.writeI32(ptr + 4, 0);
        m.writeI64(ptr + 8, d.rightsBase);
        m.writeI64(ptr + 16, d.rightsInheriting);
        return Errno.SUCCESS;
    }

    private int fdstatSetFlags(int fd, int flags) {
        Descriptor d = fds.get(fd);
        int allowed =
                Wasi.FDFLAG_APPEND | Wasi.FDFLAG_NONBLOCK | Wasi.FDFLAG_DSYNC | Wasi.FDFLAG_RSYNC | Wasi.FDFLAG_SYNC;
        if ((flags & ~allowed) != 0) throw Errno.fail(Errno.INVAL);
        switch (d) {
            case Descriptor.File file -> {
                files.setAppend(file, (flags & Wasi.FDFLAG_APPEND) != 0);
                file.fdflags = flags;
            }
            case Descriptor.Dir dir -> {
                if ((flags & ~Wasi.FDFLAG_NONBLOCK) != 0) throw Errno.fail(Errno.INVAL);
                dir.fdflags = flags;
            }
            default -> {
                // Sockets and stdio honour only NONBLOCK; keep APPEND for stdout-like streams for fdstat.
                d.fdflags = flags & (Wasi.FDFLAG_NONBLOCK | Wasi.FDFLAG_APPEND);
            }
        }
        return Errno.SUCCESS;
    }

    private int fdstatSetRights(int fd, long base, long inheriting) {
        Descriptor d = fds.get(fd);
        if ((base & ~d.rightsBase) != 0 || (inheriting & ~d.rightsInheriting) != 0) throw Errno.fail(Errno.NOTCAPABLE);
        d.rightsBase = base;
        d.rightsInheriting = inheriting;
        return Errno.SUCCESS;
    }

    private int prestatGet(GuestMemory m, int fd, int ptr) {
        Descriptor d = fds.get(fd);
        if (!(d instanceof Descriptor.Dir dir) || dir.preopenName == null) throw Errno.fail(Errno.BADF);
        m.writeU8(ptr, 0);
        m.writeI32(ptr + 4, dir.preopenName.getBytes(StandardCharsets.UTF_8).length);
        return Errno.SUCCESS;
    }

    private int prestatDirName(GuestMemory m, int fd, int ptr, int len) {
        Descriptor d = fds.get(fd);
        if (!(d instanceof Descriptor.Dir dir) || dir.preopenName == null) throw Errno.fail(Errno.BADF);
        byte[] name = dir.preopenName.getBytes(StandardCharsets.UTF_8);
        if (len < name.length) throw Errno.fail(Errno.NAMETOOLONG);
        m.write(ptr, name);
        return Errno.SUCCESS;
    }

    // ---- fd_read / fd_write on every kind of descriptor ----

    private int read(GuestMemory m, int fd, int iovs, int iovsLen, int nreadPtr) throws IOException {
        Descriptor d = fds.get(fd);
        long n = switch (d) {
            case Descriptor.File file -> files.read(m, file, iovs, iovsLen);
            case Descriptor.Socket socket -> sockets.read(m, socket, iovs, iovsLen, false);
            case Descriptor.Input input -> readStream(m, input, iovs, iovsLen);
            case Descriptor.Null ignored -> 0;
            case Descriptor.Dir ignored -> throw Errno.fail(Errno.ISDIR);
            case Descriptor.Output ignored -> throw Errno.fail(Errno.BADF);
            case Descriptor.Listener ignored -> throw Errno.fail(Errno.NOTCONN);
            case Descriptor.MemoryFile file -> MemoryFiles.read(m, file, iovs, iovsLen);
            case Descriptor.MemoryDir ignored -> throw Errno.fail(Errno.ISDIR);
        };
        m.writeI32(nreadPtr, (int) n);
        return Errno.SUCCESS;
    }

    private static long readStream(GuestMemory m, Descriptor.Input input, int iovs, int iovsLen) throws IOException {
        if ((input.rightsBase & Wasi.RIGHT_FD_READ) == 0) throw Errno.fail(Errno.NOTCAPABLE);
        for (int i = 0; i < iovsLen; i++) {
            int buf = m.readI32(iovs + 8 * i);
            int len = m.readI32(iovs + 8 * i + 4);
            if (len == 0) continue;
            byte[] tmp = new byte[Math.min(len, 65_536)];
            int n = input.in.read(tmp);
            if (n <= 0) return 0;
            m.write(buf, tmp, 0, n);
            return n;
        }
        return 0;
    }

    private int write(GuestMemory m, int fd, int iovs, int iovsLen, int nwrittenPtr) throws IOException {
        Descriptor d = fds.get(fd);
        long n = switch (d) {
            case Descriptor.File file -> files.write(m, file, iovs, iovsLen);
            case Descriptor.Socket socket -> sockets.write(m, socket, iovs, iovsLen);
            case Descriptor.Output out -> writeStream(m, out, iovs, iovsLen);
            case Descriptor.Null ignored -> totalLength(m, iovs, iovsLen);
            case Descriptor.Dir ignored -> throw Errno.fail(Errno.ISDIR);
            case Descriptor.Input ignored -> throw Errno.fail(Errno.BADF);
            case Descriptor.Listener ignored -> throw Errno.fail(Errno.NOTCONN);
            case Descriptor.MemoryFile ignored -> throw Errno.fail(Errno.BADF); // opened read-only
            case Descriptor.MemoryDir ignored -> throw Errno.fail(Errno.ISDIR);
        };
        m.writeI32(nwrittenPtr, (int) n);
        return Errno.SUCCESS;
    }

    static long totalLength(GuestMemory m, int iovs, int iovsLen) {
        long total = 0;
        for (int i = 0; i < iovsLen; i++) total += Integer.toUnsignedLong(m.readI32(iovs + 8 * i + 4));
        return total;
    }

    private static long writeStream(GuestMemory m, Descriptor.Output out, int iovs, int iovsLen) throws IOException {
        if ((out.rightsBase & Wasi.RIGHT_FD_WRITE) == 0) throw Errno.fail(Errno.NOTCAPABLE);
        long total = 0;
        for (int i = 0; i < iovsLen; i++) {
            int buf = m.readI32(iovs + 8 * i);
            int len = m.readI32(iovs + 8 * i + 4);
            if (len == 0) continue;
            out.out.write(m.read(buf, len));
            total += len;
        }
        out.out.flush();
        return total;
    }
}
