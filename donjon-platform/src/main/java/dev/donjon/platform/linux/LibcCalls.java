package dev.donjon.platform.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.donjon.platform.PlatformException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Map;

/**
 * The three libc functions a guest device needs ({@code open}, {@code ioctl}, {@code close}), called through the
 * Foreign Function &amp; Memory API: no native library of Donjon's own. {@code errno} is captured by the downcall
 * itself (a later Java call could overwrite it). Linking happens on first use, so that a JVM that never touches a
 * guest device never needs {@code --enable-native-access}.
 */
final class LibcCalls {

    private LibcCalls() {}

    /** Linux {@code O_RDWR | O_CLOEXEC} (same values on x86-64 and arm64). */
    private static final int O_RDWR_CLOEXEC = 0x2 | 0x80000;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** The type every {@code ioctl} handle has: (captured call state, fd, request, argument pointer) -> result. */
    static final MethodType IOCTL_TYPE =
            MethodType.methodType(int.class, MemorySegment.class, int.class, long.class, MemorySegment.class);

    /** {@code int ioctl(int fd, unsigned long request, ...)} with one pointer as its variadic argument. */
    static final FunctionDescriptor IOCTL_POINTER = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);

    private static final class Linked {
        static final Linker LINKER = Linker.nativeLinker();
        static final MethodHandle OPEN = LINKER.downcallHandle(
                LINKER.defaultLookup().findOrThrow("open"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
                Linker.Option.captureCallState("errno"),
                Linker.Option.firstVariadicArg(2));
        static final MethodHandle CLOSE = LINKER.downcallHandle(
                LINKER.defaultLookup().findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        static final MethodHandle IOCTL = LINKER.downcallHandle(
                LINKER.defaultLookup().findOrThrow("ioctl"),
                IOCTL_POINTER,
                Linker.Option.captureCallState("errno"),
                Linker.Option.firstVariadicArg(2));
    }

    /** libc's {@code ioctl}, of {@link #IOCTL_TYPE}. */
    static MethodHandle ioctl() {
        return Linked.IOCTL;
    }

    /** A segment for the call state a capturing downcall fills in. */
    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /** Opens {@code path} read-write, close-on-exec; the error names the path and the errno. */
    static int openReadWrite(Path path) throws PlatformException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState(arena);
            int fd = (int) Linked.OPEN.invokeExact(state, arena.allocateFrom(path.toString()), O_RDWR_CLOEXEC);
            if (fd < 0) {
                int errno = errno(state);
                throw new PlatformException("cannot open " + path + ": " + errnoName(errno)
                        + (errno == 13
                                ? " (the device is usually root-only: run the Keep as root or grant it access)"
                                : ""));
            }
            return fd;
        } catch (PlatformException e) {
            throw e;
        } catch (Throwable t) {
            throw new PlatformException("cannot call libc open() through the FFM API: " + t, t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) Linked.CLOSE.invokeExact(fd);
        } catch (Throwable ignored) {
            // closing a read-only use of a device: nothing was written that could be lost
        }
    }

    private static final Map<Integer, String> ERRNO_NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"),
            Map.entry(2, "ENOENT"),
            Map.entry(5, "EIO"),
            Map.entry(6, "ENXIO"),
            Map.entry(9, "EBADF"),
            Map.entry(11, "EAGAIN"),
            Map.entry(12, "ENOMEM"),
            Map.entry(13, "EACCES"),
            Map.entry(14, "EFAULT"),
            Map.entry(16, "EBUSY"),
            Map.entry(19, "ENODEV"),
            Map.entry(22, "EINVAL"),
            Map.entry(25, "ENOTTY"),
            Map.entry(110, "ETIMEDOUT"));

    /** "EIO (errno 5)"; the number alone for the rare ones. */
    static String errnoName(int errno) {
        String name = ERRNO_NAMES.get(errno);
        return name == null ? "errno " + errno : name + " (errno " + errno + ")";
    }
}
