package dev.donjon.wasi.linux;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Opens a path relative to a directory descriptor so that resolution never leaves that directory: not through
 * {@code ..}, not through a symlink (absolute or relative), not through a directory that is renamed or replaced by a
 * symlink while the path is being resolved. An attempt to leave fails with {@link #ESCAPE}.
 *
 * <p>Two ways, chosen once per JVM ({@link #choose}):
 * <ul>
 *   <li>{@link Kernel}: Linux's {@code openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)} (5.6+): the kernel itself
 *       refuses any step outside, atomically with the lookup.</li>
 *   <li>{@link Walk}, where openat2 is missing (older kernels, seccomp filters that answer ENOSYS or EPERM): one
 *       {@code openat(O_NOFOLLOW)} per component from descriptors this walk holds, reading symlinks itself and
 *       answering {@code ..} by going back to the descriptor it held before (never by asking the kernel for the
 *       parent), as wasmtime's cap-std does. A directory moved or swapped meanwhile cannot take it outside: every
 *       step starts from a descriptor that was beneath the start when it was opened.</li>
 * </ul>
 * Neither trusts a path string it built: the only strings resolved are the guest's path and symlink contents, and
 * only relative to held descriptors with the kernel (or the walk) enforcing the boundary.
 */
public abstract sealed class Beneath {
    /** The errno a path that would leave its directory fails with (openat2 says EXDEV), as wasmtime's: EPERM. */
    public static final int ESCAPE = Linux.EPERM;
    /** As Linux: at most 40 symlinks in one resolution. */
    static final int MAX_SYMLINKS = 40;

    private static volatile Boolean kernelHasOpenat2;

    /**
     * openat(2) of {@code path} relative to {@code dirfd} with {@code flags} (O_NOFOLLOW: do not follow a final
     * symlink), never leaving {@code dirfd}. {@code path} is relative, NUL-free and not empty (the caller checks).
     */
    public abstract int open(Linux sys, int dirfd, String path, int flags, int mode);

    /**
     * The resolution to use: {@code donjon.wasi.resolve} ({@code openat2} or {@code walk}) when set (tests, and
     * hosts whose openat2 misbehaves), else openat2 if this kernel has it.
     */
    public static Beneath choose(Linux sys) {
        String forced = System.getProperty("donjon.wasi.resolve", "");
        if (forced.equals("walk")) return new Walk();
        if (forced.equals("openat2")) return new Kernel();
        Boolean has = kernelHasOpenat2;
        if (has == null) kernelHasOpenat2 = has = probe(sys);
        return has ? new Kernel() : new Walk();
    }

    private static boolean probe(Linux sys) {
        try {
            sys.close(sys.openat2(
                    Linux.AT_FDCWD,
                    ".",
                    Linux.O_PATH | Linux.O_CLOEXEC,
                    0,
                    Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_MAGICLINKS));
            return true;
        } catch (LinuxException e) {
            return false;
        }
    }

    /** openat2 with RESOLVE_BENEATH; a call the kernel cannot complete (see {@link #open}) falls back to the walk. */
    public static final class Kernel extends Beneath {
        private static final long RESOLVE = Linux.RESOLVE_BENEATH | Linux.RESOLVE_NO_MAGICLINKS;
        private final Walk fallback = new Walk();

        @Override
        public int open(Linux sys, int dirfd, String path, int flags, int mode) {
            // EAGAIN: a rename somewhere on the host raced a ".." lookup (the kernel refuses to guess); retry a few
            // times, then walk. EPERM can be a seccomp filter's answer for a call it does not know, or a real
            // EPERM: the walk finds out which. ENOSYS: no openat2 at all.
            for (int attempt = 0; attempt < 4; attempt++) {
                try {
                    // openat2 is strict where openat is lenient: a mode without O_CREAT is EINVAL
                    return sys.openat2(
                            dirfd, path, flags | Linux.O_CLOEXEC, (flags & Linux.O_CREAT) != 0 ? mode : 0, RESOLVE);
                } catch (LinuxException e) {
                    if (e.errno == Linux.EAGAIN) continue;
                    if (e.errno == Linux.EXDEV) throw new LinuxException(ESCAPE, "openat2: outside the directory");
                    if (e.errno == Linux.EPERM || e.errno == Linux.ENOSYS || e.errno == Linux.E2BIG) break;
                    throw e;
                }
            }
            return fallback.open(sys, dirfd, path, flags, mode);
        }
    }

    /** Component by component with openat(O_NOFOLLOW), symlinks read and resolved here, ".." from held descriptors. */
    public static final class Walk extends Beneath {
        @Override
        public int open(Linux sys, int dirfd, String path, int flags, int mode) {
            Deque<String> todo = new ArrayDeque<>();
            push(todo, path);
            boolean mustBeDir = path.endsWith("/");
            boolean followLast = (flags & Linux.O_NOFOLLOW) == 0;
            Deque<Integer> held = new ArrayDeque<>(); // descriptors above `cur`, innermost last; all owned
            int cur = dirfd;
            int links = 0;
            try {
                while (true) {
                    String c = todo.pollFirst();
                    boolean last = todo.isEmpty();
                    if (c.equals(".") || c.equals("..")) {
                        if (c.equals("..")) {
                            if (held.isEmpty()) throw new LinuxException(ESCAPE, "walk: .. above the start");
                            sys.close(cur);
                            int above = held.removeLast();
                            cur = above < 0 ? dirfd : above;
                        }
                        if (last) return sys.openat(cur, ".", flags | Linux.O_CLOEXEC, mode);
                        continue;
                    }
                    if (!last) {
                        int next;
                        try {
                            next = sys.openat(
                                    cur, c, Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_NOFOLLOW | Linux.O_CLOEXEC, 0);
                        } catch (LinuxException e) {
                            if (e.errno != Linux.ENOTDIR && e.errno != Linux.ELOOP) throw e;
                            byte[] target = symlinkOrRethrow(sys, cur, c, e);
                            if (++links > MAX_SYMLINKS) throw new LinuxException(Linux.ELOOP, "walk");
                            pushTarget(todo, target);
                            continue;
                        }
                        held.addLast(cur == dirfd ? -1 : cur); // -1 marks the start, which is not ours to close
                        cur = next;
                        continue;
                    }
                    // the last component: opened without following; a symlink found here is read and walked
                    int lastFlags = flags | Linux.O_NOFOLLOW | Linux.O_CLOEXEC | (mustBeDir ? Linux.O_DIRECTORY : 0);
                    if (mustBeDir && (flags & Linux.O_CREAT) != 0) throw new LinuxException(Linux.EISDIR, "walk");
                    boolean follow = (followLast || mustBeDir)
                            && (flags & (Linux.O_CREAT | Linux.O_EXCL)) != (Linux.O_CREAT | Linux.O_EXCL);
                    int fd;
                    try {
                        fd = sys.openat(cur, c, lastFlags, mode);
                    } catch (LinuxException e) {
                        if (!follow || (e.errno != Linux.ELOOP && e.errno != Linux.ENOTDIR)) throw e;
                        byte[] target = symlinkOrRethrow(sys, cur, c, e);
                        if (++links > MAX_SYMLINKS) throw new LinuxException(Linux.ELOOP, "walk");
                        mustBeDir |= target.length > 0 && target[target.length - 1] == '/';
                        pushTarget(todo, target);
                        continue;
                    }
                    if (follow && (flags & Linux.O_PATH) != 0) {
                        // O_PATH|O_NOFOLLOW opens a symlink itself instead of failing: follow it here
                        byte[] target;
                        try {
                            if (!sys.fstat(fd).isSymlink()) return fd;
                            target = sys.readlinkat(fd, "");
                        } catch (LinuxException e) {
                            sys.close(fd);
                            throw e;
                        }
                        sys.close(fd);
                        if (++links > MAX_SYMLINKS) throw new LinuxException(Linux.ELOOP, "walk");
                        mustBeDir |= target.length > 0 && target[target.length - 1] == '/';
                        pushTarget(todo, target);
                        continue;
                    }
                    return fd;
                }
            } finally {
                if (cur != dirfd) sys.close(cur);
                for (int fd : held) if (fd >= 0) sys.close(fd);
            }
        }

        /** The target of {@code name} if it is a symlink; else the original failure (ENOTDIR: a file in the way). */
        private static byte[] symlinkOrRethrow(Linux sys, int dir, String name, LinuxException original) {
            try {
                return sys.readlinkat(dir, name);
            } catch (LinuxException e) {
                throw original;
            }
        }

        private static void pushTarget(Deque<String> todo, byte[] target) {
            if (target.length == 0) throw new LinuxException(Linux.ENOENT, "walk: empty symlink");
            if (target[0] == '/') throw new LinuxException(ESCAPE, "walk: absolute symlink");
            push(todo, new String(target, StandardCharsets.UTF_8));
        }

        /** Puts the components of {@code path} in front of {@code todo}, in order. */
        private static void push(Deque<String> todo, String path) {
            String[] parts = path.split("/");
            int pushed = 0;
            for (int i = parts.length - 1; i >= 0; i--) {
                if (parts[i].isEmpty()) continue;
                todo.addFirst(parts[i]);
                pushed++;
            }
            if (pushed == 0 && todo.isEmpty()) todo.addFirst(".");
        }
    }
}
