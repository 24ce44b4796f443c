package dev.donjon.platform.linux;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.donjon.platform.PlatformException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The SEV-SNP guest device, {@code /dev/sev-guest} (Linux 5.19+, {@code include/uapi/linux/sev-guest.h}): the
 * interface before configfs-tsm, and still the only one on older guest kernels. Its requests are {@code ioctl}s on
 * C structs, issued here through the Foreign Function &amp; Memory API ({@link LibcCalls}); the ioctl itself is a
 * {@link MethodHandle} given to the constructor so that tests can put a stand-in for the kernel behind it and still
 * exercise every byte of the marshalling below.
 *
 * <p>Structs, with the C alignment the kernel was compiled with (x86-64, the only SEV-SNP architecture):
 * <pre>
 * snp_guest_request_ioctl (32 bytes): u8 msg_version @0, 7 bytes padding, u64 req_data @8, u64 resp_data @16,
 *                                     union { u64 exitinfo2; struct { u32 fw_error @24; u32 vmm_error @28 } }
 * snp_report_req          (96 bytes): u8 user_data[64] @0, u32 vmpl @64, u8 rsvd[28] @68
 * snp_ext_report_req     (112 bytes): snp_report_req data @0, u64 certs_address @96, u32 certs_len @104, 4 bytes padding
 * snp_report_resp       (4000 bytes): the firmware's MSG_REPORT_RSP: u32 status @0, u32 report_size @4,
 *                                     24 reserved bytes, the ATTESTATION_REPORT @32
 * </pre>
 */
final class SevGuestDevice {

    /** What one request returned: the ATTESTATION_REPORT, and the host's certificate table for an extended request. */
    record Response(byte[] report, Optional<byte[]> certificateTable) {}

    static final StructLayout GUEST_REQUEST = MemoryLayout.structLayout(
            JAVA_BYTE.withName("msg_version"), paddingLayout(7),
            JAVA_LONG.withName("req_data"), JAVA_LONG.withName("resp_data"),
            JAVA_INT.withName("fw_error"), JAVA_INT.withName("vmm_error"));
    static final StructLayout REPORT_REQ = MemoryLayout.structLayout(
            sequenceLayout(64, JAVA_BYTE).withName("user_data"),
            JAVA_INT.withName("vmpl"),
            sequenceLayout(28, JAVA_BYTE).withName("rsvd"));
    static final StructLayout EXT_REPORT_REQ = MemoryLayout.structLayout(
            REPORT_REQ.withName("data"),
            JAVA_LONG.withName("certs_address"),
            JAVA_INT.withName("certs_len"),
            paddingLayout(4));
    static final long RESPONSE_SIZE = 4000;
    static final long REQ_DATA = GUEST_REQUEST.byteOffset(MemoryLayout.PathElement.groupElement("req_data"));
    static final long RESP_DATA = GUEST_REQUEST.byteOffset(MemoryLayout.PathElement.groupElement("resp_data"));
    static final long FW_ERROR = GUEST_REQUEST.byteOffset(MemoryLayout.PathElement.groupElement("fw_error"));
    static final long VMM_ERROR = GUEST_REQUEST.byteOffset(MemoryLayout.PathElement.groupElement("vmm_error"));
    static final long CERTS_ADDRESS = EXT_REPORT_REQ.byteOffset(MemoryLayout.PathElement.groupElement("certs_address"));
    static final long CERTS_LEN = EXT_REPORT_REQ.byteOffset(MemoryLayout.PathElement.groupElement("certs_len"));
    /** MSG_REPORT_RSP header (status, report_size, reserved) before the report. */
    static final int REPORT_RSP_HEADER = 32;

    /**
     * {@code _IOWR('S', nr, struct snp_guest_request_ioctl)} in the asm-generic encoding x86 uses: direction
     * (read|write = 3) in bits 30-31, argument size in bits 16-29, type in bits 8-15, number in bits 0-7.
     * SNP_GET_REPORT = 0xC0205300, SNP_GET_EXT_REPORT = 0xC0205302.
     */
    static long iowr(char type, int nr, long size) {
        return (3L << 30) | (size << 16) | ((long) type << 8) | nr;
    }

    static final long SNP_GET_REPORT = iowr('S', 0x0, GUEST_REQUEST.byteSize());
    static final long SNP_GET_EXT_REPORT = iowr('S', 0x2, GUEST_REQUEST.byteSize());

    /** The kernel's vmm_error when the certificate buffer is too small (SNP_GUEST_VMM_ERR_INVALID_LEN). */
    static final int VMM_ERR_INVALID_LEN = 1;
    /** The certificate buffer's length must be whole pages (4 KiB on x86-64). */
    static final int PAGE = 4096;
    /** First try: one page (a VCEK alone fits; VCEK + ASK + ARK need two); the kernel then says what it needs. */
    static final int FIRST_CERTS_LEN = PAGE;
    /** Far above the kernel's own limit (SEV_FW_BLOB_MAX_SIZE, 16 KiB): a host asking for more is not believed. */
    static final int MAX_CERTS_LEN = 1 << 20;

    private static final int EIO = 5;

    private final Path device;
    private final Supplier<MethodHandle> ioctl;

    /**
     * @param ioctl gives a handle of {@link LibcCalls#IOCTL_TYPE}: libc's {@code ioctl}, or a stand-in for the kernel;
     *              asked for on the first request only, so that merely constructing a backend links nothing native
     */
    SevGuestDevice(Path device, Supplier<MethodHandle> ioctl) {
        this.device = device;
        this.ioctl = ioctl;
    }

    /** The real device through libc's {@code ioctl}. */
    static SevGuestDevice of(Path device) {
        return new SevGuestDevice(device, LibcCalls::ioctl);
    }

    Path path() {
        return device;
    }

    /** SNP_GET_REPORT: the report alone, at VMPL 0 (the request's vmpl and reserved bytes stay zero). */
    Response report(byte[] userData) throws PlatformException {
        checkUserData(userData);
        int fd = LibcCalls.openReadWrite(device);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment req = arena.allocate(REPORT_REQ);
            MemorySegment.copy(userData, 0, req, JAVA_BYTE, 0, userData.length);
            MemorySegment resp = arena.allocate(RESPONSE_SIZE, 8);
            check(invoke(arena, fd, SNP_GET_REPORT, req, resp), "SNP_GET_REPORT");
            return new Response(reportOf(resp), Optional.empty());
        } finally {
            LibcCalls.close(fd);
        }
    }

    /**
     * SNP_GET_EXT_REPORT: the report and the host's certificate table (VCEK, ASK, ARK as the host chose to supply).
     * A certificate buffer too small for the host's table fails with EIO and vmm_error INVALID_LEN, the kernel having
     * written the length it needs into {@code certs_len}; the request is then made once more with that many bytes.
     */
    Response extendedReport(byte[] userData) throws PlatformException {
        checkUserData(userData);
        int fd = LibcCalls.openReadWrite(device);
        try (Arena arena = Arena.ofConfined()) {
            int certsLen = FIRST_CERTS_LEN;
            for (int attempt = 1; ; attempt++) {
                MemorySegment req = arena.allocate(EXT_REPORT_REQ);
                MemorySegment.copy(userData, 0, req, JAVA_BYTE, 0, userData.length);
                MemorySegment certs = arena.allocate(certsLen, PAGE);
                req.set(JAVA_LONG, CERTS_ADDRESS, certs.address());
                req.set(JAVA_INT, CERTS_LEN, certsLen);
                MemorySegment resp = arena.allocate(RESPONSE_SIZE, 8);
                Outcome o = invoke(arena, fd, SNP_GET_EXT_REPORT, req, resp);
                if (o.result() == -1 && o.errno() == EIO && o.vmmError() == VMM_ERR_INVALID_LEN && attempt == 1) {
                    certsLen = neededCertsLen(req.get(JAVA_INT, CERTS_LEN), certsLen);
                    continue;
                }
                check(o, "SNP_GET_EXT_REPORT");
                byte[] table = certs.toArray(JAVA_BYTE);
                return new Response(reportOf(resp), isAllZero(table) ? Optional.empty() : Optional.of(table));
            }
        } finally {
            LibcCalls.close(fd);
        }
    }

    private int neededCertsLen(int asked, int had) throws PlatformException {
        long needed = Integer.toUnsignedLong(asked);
        if (needed <= had || needed > MAX_CERTS_LEN) {
            throw new PlatformException(
                    "SNP_GET_EXT_REPORT on " + device + ": the host's certificate table does not fit " + had
                            + " bytes and the kernel asked for " + needed);
        }
        return (int) ((needed + PAGE - 1) / PAGE * PAGE);
    }

    /** What one ioctl returned: its result, errno (meaningful when the result is -1) and the firmware/host codes. */
    private record Outcome(int result, int errno, int fwError, int vmmError) {}

    private Outcome invoke(Arena arena, int fd, long request, MemorySegment req, MemorySegment resp)
            throws PlatformException {
        MemorySegment guestRequest = arena.allocate(GUEST_REQUEST);
        guestRequest.set(JAVA_BYTE, 0, (byte) 1); // msg_version: the only version the firmware's MSG_REPORT_REQ has
        guestRequest.set(JAVA_LONG, REQ_DATA, req.address());
        guestRequest.set(JAVA_LONG, RESP_DATA, resp.address());
        MemorySegment state = LibcCalls.callState(arena);
        MethodHandle handle = ioctl.get();
        if (!handle.type().equals(LibcCalls.IOCTL_TYPE))
            throw new IllegalStateException("ioctl handle of type " + handle.type());
        int result;
        try {
            result = (int) handle.invokeExact(state, fd, request, guestRequest);
        } catch (Throwable t) {
            throw new PlatformException("cannot issue an ioctl on " + device + " through the FFM API: " + t, t);
        }
        return new Outcome(
                result,
                LibcCalls.errno(state),
                guestRequest.get(JAVA_INT, FW_ERROR),
                guestRequest.get(JAVA_INT, VMM_ERROR));
    }

    private void check(Outcome o, String name) throws PlatformException {
        if (o.result() == 0) return;
        StringBuilder m = new StringBuilder(name)
                .append(" on ")
                .append(device)
                .append(" failed: ")
                .append(o.result() == -1 ? LibcCalls.errnoName(o.errno()) : "result " + o.result());
        if (o.fwError() != 0) m.append(", firmware error ").append(SevStatus.describe(o.fwError()));
        if (o.vmmError() != 0) m.append(", host (VMM) error ").append(vmmError(o.vmmError()));
        throw new PlatformException(m.toString());
    }

    private static String vmmError(int code) {
        return switch (code) {
            case VMM_ERR_INVALID_LEN -> "1 (certificate buffer too small)";
            case 2 -> "2 (host busy)";
            default -> Integer.toUnsignedString(code);
        };
    }

    /** MSG_REPORT_RSP: status 0, then report_size bytes of report after the 32-byte header. */
    private byte[] reportOf(MemorySegment resp) throws PlatformException {
        int status = resp.get(JAVA_INT, 0);
        if (status != 0)
            throw new PlatformException("the SEV-SNP firmware refused the report request: MSG_REPORT_RSP status "
                    + SevStatus.describe(status));
        long size = Integer.toUnsignedLong(resp.get(JAVA_INT, 4));
        if (size == 0 || size > RESPONSE_SIZE - REPORT_RSP_HEADER) {
            throw new PlatformException(
                    "the SEV-SNP firmware's MSG_REPORT_RSP gives a report size of " + size + " bytes");
        }
        return resp.asSlice(REPORT_RSP_HEADER, size).toArray(JAVA_BYTE);
    }

    private static void checkUserData(byte[] userData) {
        if (userData.length != 64)
            throw new IllegalArgumentException("SNP user data must be 64 bytes, not " + userData.length);
    }

    private static boolean isAllZero(byte[] a) {
        for (byte b : a) if (b != 0) return false;
        return true;
    }
}
