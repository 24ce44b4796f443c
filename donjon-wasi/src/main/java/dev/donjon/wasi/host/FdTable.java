package dev.donjon.wasi.host;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** The guest's file descriptors; new descriptors take the lowest free number, as POSIX does. */
public final class FdTable {
    private final List<Descriptor> entries = new ArrayList<>();
    private final BitSet used = new BitSet();
    private final int limit;
    private int open;

    public FdTable(int limit) {
        this.limit = limit;
    }

    public Descriptor get(int fd) {
        Descriptor d = fd >= 0 && fd < entries.size() ? entries.get(fd) : null;
        if (d == null) throw Errno.fail(Errno.BADF);
        return d;
    }

    public <T extends Descriptor> T get(int fd, Class<T> kind, int wrongKindErrno) {
        Descriptor d = get(fd);
        if (!kind.isInstance(d)) throw Errno.fail(wrongKindErrno);
        return kind.cast(d);
    }

    /** Fails with EMFILE when the table is full; the caller still owns (and must close) the descriptor then. */
    public int add(Descriptor d) {
        if (open >= limit) throw Errno.fail(Errno.MFILE);
        int fd = used.nextClearBit(0);
        put(fd, d);
        return fd;
    }

    public boolean full() {
        return open >= limit;
    }

    /** Places the configured descriptors in order (fd i = the i-th call). */
    public void append(Descriptor d) {
        if (open >= limit) throw new IllegalStateException("more configured fds than the fd limit of " + limit);
        put(entries.size(), d);
    }

    private void put(int fd, Descriptor d) {
        while (entries.size() <= fd) entries.add(null);
        if (entries.set(fd, d) == null) open++;
        used.set(fd);
    }

    public Descriptor remove(int fd) {
        Descriptor d = get(fd);
        entries.set(fd, null);
        used.clear(fd);
        open--;
        return d;
    }

    /** fd_renumber: {@code to} is closed and replaced by {@code from}, which is freed. */
    public void renumber(int from, int to) throws IOException {
        Descriptor source = get(from);
        Descriptor target = get(to);
        if (from == to) return;
        target.close();
        entries.set(to, source);
        entries.set(from, null);
        used.clear(from);
        open--;
    }

    public int size() {
        return entries.size();
    }

    public Descriptor at(int fd) {
        return fd < entries.size() ? entries.get(fd) : null;
    }

    public void closeAll() {
        for (Descriptor d : entries) {
            if (d == null) continue;
            try {
                d.close();
            } catch (IOException | RuntimeException ignored) {
                /* best effort at exit */
            }
        }
        entries.clear();
        used.clear();
        open = 0;
    }
}
