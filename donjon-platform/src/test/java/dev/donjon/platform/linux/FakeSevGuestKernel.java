package dev.donjon.platform.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for the sev-guest driver behind {@link SevGuestDevice}: a native function (an FFM upcall stub) that the
 * device code reaches through a real downcall, exactly as it reaches libc's {@code ioctl}. It reads the request the
 * way the kernel does, from raw addresses, with the offsets of the kernel's own structs written out here by hand (not
 * taken from {@link SevGuestDevice}'s layouts, so that a layout mistake there shows), answers with a real report in
 * the firmware's MSG_REPORT_RSP layout and the user data copied in at REPORT_DATA, and fails as the kernel does: -1
 * with errno set, fw_error / vmm_error written back into the caller's struct.
 */
final class FakeSevGuestKernel {

    static final int EIO = 5;
    static final int EINVAL = 22;
    static final int ENOTTY = 25;

    /** A real ATTESTATION_REPORT; the request's user data goes in at 0x50. */
    byte[] report;
    /** The host's certificate table, or null for a host that supplies none. */
    byte[] certificateTable;
    /** Non-zero: the firmware refuses (EIO, fw_error set), as the kernel reports a failed guest request. */
    int fwError;
    /** Non-zero: the firmware answers, but with this MSG_REPORT_RSP status. */
    int reportStatus;

    /** What each call asked: the ioctl request number and, for extended reports, certs_len. */
    final List<Long> requests = new ArrayList<>();

    final List<Integer> certsLens = new ArrayList<>();
    /** An exception inside the stub (it must not escape into native code: the JVM would exit). */
    volatile Throwable failure;

    private static final MethodHandle ERRNO_LOCATION = Linker.nativeLinker()
            .downcallHandle(
                    Linker.nativeLinker().defaultLookup().findOrThrow("__errno_location"),
                    FunctionDescriptor.of(ADDRESS));

    /** A handle of {@link LibcCalls#IOCTL_TYPE} whose native target is this fake kernel. */
    MethodHandle ioctl(Arena arena) throws ReflectiveOperationException {
        MethodHandle target = MethodHandles.lookup()
                .findVirtual(
                        FakeSevGuestKernel.class,
                        "handle",
                        MethodType.methodType(int.class, int.class, long.class, MemorySegment.class))
                .bindTo(this);
        Linker linker = Linker.nativeLinker();
        MemorySegment stub = linker.upcallStub(target, LibcCalls.IOCTL_POINTER, arena);
        return linker.downcallHandle(stub, LibcCalls.IOCTL_POINTER, Linker.Option.captureCallState("errno"));
    }

    private int handle(int fd, long request, MemorySegment argument) {
        try {
            return kernel(fd, request, argument);
        } catch (Throwable t) {
            failure = t;
            return fail(EINVAL);
        }
    }

    private int kernel(int fd, long request, MemorySegment argument) throws Throwable {
        requests.add(request);
        if (fd < 0) return fail(9);
        MemorySegment io = argument.reinterpret(32);
        boolean extended = request == 0xC0205302L;
        if (request != 0xC0205300L && !extended) return fail(ENOTTY);
        io.set(JAVA_LONG, 24, 0xffL); // the kernel's "no firmware call yet" marker, overwritten below
        if (io.get(JAVA_BYTE, 0) != 1) return fail(EINVAL);
        MemorySegment req = MemorySegment.ofAddress(io.get(JAVA_LONG, 8)).reinterpret(extended ? 112 : 96);
        MemorySegment resp = MemorySegment.ofAddress(io.get(JAVA_LONG, 16)).reinterpret(4000);
        if (req.get(JAVA_INT, 64) != 0) throw new AssertionError("vmpl " + req.get(JAVA_INT, 64));
        for (int i = 68; i < 96; i++)
            if (req.get(JAVA_BYTE, i) != 0) throw new AssertionError("reserved byte " + i + " set");
        if (extended) {
            int certsLen = req.get(JAVA_INT, 104);
            long certsAddress = req.get(JAVA_LONG, 96);
            certsLens.add(certsLen);
            if (certsLen % 4096 != 0 || certsLen > 0x4000) return fail(EINVAL);
            if (certificateTable != null && certsLen < certificateTable.length) {
                req.set(JAVA_INT, 104, (certificateTable.length + 4095) / 4096 * 4096);
                io.set(JAVA_LONG, 24, 1L << 32); // vmm_error = SNP_GUEST_VMM_ERR_INVALID_LEN, fw_error 0
                return fail(EIO);
            }
            if (certificateTable != null)
                MemorySegment.copy(
                        certificateTable,
                        0,
                        MemorySegment.ofAddress(certsAddress).reinterpret(certsLen),
                        JAVA_BYTE,
                        0,
                        certificateTable.length);
        }
        if (fwError != 0) {
            io.set(JAVA_LONG, 24, Integer.toUnsignedLong(fwError));
            return fail(EIO);
        }
        io.set(JAVA_LONG, 24, 0L);
        resp.set(JAVA_INT, 0, reportStatus);
        resp.set(JAVA_INT, 4, report.length);
        byte[] signed = report.clone();
        MemorySegment.copy(req, JAVA_BYTE, 0, signed, 0x50, 64);
        MemorySegment.copy(signed, 0, resp, JAVA_BYTE, 32, signed.length);
        return 0;
    }

    private static int fail(int errno) {
        try {
            MemorySegment location = ((MemorySegment) ERRNO_LOCATION.invokeExact()).reinterpret(4);
            location.set(JAVA_INT, 0, errno);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return -1;
    }
}
