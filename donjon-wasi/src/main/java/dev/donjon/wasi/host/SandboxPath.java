package dev.donjon.wasi.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves a guest path relative to a directory descriptor without ever leaving that directory: each
 * component is walked by hand, {@code ..} never pops above the directory, symlinks are expanded by reading them
 * (absolute targets and escapes are refused with ENOTCAPABLE) and at most 40 are followed (ELOOP).
 *
 * @param host          the resolved host path
 * @param name          the last component, or null when the path names the starting directory or an
 *                      ancestor ({@code .}, {@code ..}, {@code a/..})
 * @param trailingSlash the guest path ended with '/'
 */
record SandboxPath(Path host, String name, boolean trailingSlash) {

    private static final int MAX_SYMLINKS = 40;
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    static SandboxPath resolve(Descriptor.Dir dir, String path, boolean followLast) {
        if (path.isEmpty()) throw Errno.fail(Errno.NOENT);
        if (path.indexOf('\0') >= 0) throw Errno.fail(Errno.ILSEQ);
        if (path.startsWith("/")) throw Errno.fail(Errno.PERM);
        // As in wasmtime (cap-std), the directory fd itself is the sandbox: ".." never climbs above it,
        // even when its parent lies inside the same preopen.
        Path root = dir.hostPath;
        Deque<String> stack = new ArrayDeque<>();
        boolean trailing = path.endsWith("/");
        Deque<String> todo = new ArrayDeque<>(components(path));
        String name = null;
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            boolean last = todo.isEmpty();
            name = null;
            if (c.equals(".")) continue;
            if (c.equals("..")) {
                if (stack.isEmpty()) throw Errno.fail(Errno.PERM);
                stack.removeLast();
                continue;
            }
            Path p = join(root, stack).resolve(c);
            if ((!last || followLast || trailing) && Files.isSymbolicLink(p)) {
                if (++links > MAX_SYMLINKS) throw Errno.fail(Errno.LOOP);
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    throw Errno.fail(Errno.of(e));
                }
                if (target.startsWith("/")) throw Errno.fail(Errno.PERM);
                if (target.isEmpty()) throw Errno.fail(Errno.NOENT);
                if (last && target.endsWith("/")) trailing = true;
                List<String> parts = components(target);
                for (int i = parts.size() - 1; i >= 0; i--) todo.addFirst(parts.get(i));
                continue;
            }
            if (!last) {
                if (!Files.exists(p, NOFOLLOW)) throw Errno.fail(Errno.NOENT);
                if (!Files.isDirectory(p, NOFOLLOW)) throw Errno.fail(Errno.NOTDIR);
            }
            stack.addLast(c);
            name = c;
        }
        return new SandboxPath(join(root, stack), name, trailing);
    }

    private static Path join(Path root, Deque<String> stack) {
        Path p = root;
        for (String s : stack) p = p.resolve(s);
        return p;
    }

    private static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) out.add(s);
        }
        if (out.isEmpty()) out.add(".");
        return out;
    }

    boolean exists() { return Files.exists(host, NOFOLLOW); }

    boolean isDirectory() { return Files.isDirectory(host, NOFOLLOW); }

    boolean isSymlink() { return Files.isSymbolicLink(host); }
}
