package dev.donjon.platform.linux;

import java.util.Map;

/**
 * The AMD secure processor's status codes (SEV-SNP firmware ABI, "Status Codes"; Linux {@code enum sev_ret_code} in
 * include/uapi/linux/psp-sev.h), so that a refused guest request names its reason rather than a bare number.
 */
final class SevStatus {

    private SevStatus() {}

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0x01, "INVALID_PLATFORM_STATE"),
            Map.entry(0x02, "INVALID_GUEST_STATE"),
            Map.entry(0x03, "INVALID_CONFIG"),
            Map.entry(0x04, "INVALID_LENGTH"),
            Map.entry(0x05, "ALREADY_OWNED"),
            Map.entry(0x06, "INVALID_CERTIFICATE"),
            Map.entry(0x07, "POLICY_FAILURE"),
            Map.entry(0x08, "INACTIVE"),
            Map.entry(0x09, "INVALID_ADDRESS"),
            Map.entry(0x0A, "BAD_SIGNATURE"),
            Map.entry(0x0B, "BAD_MEASUREMENT"),
            Map.entry(0x0C, "ASID_OWNED"),
            Map.entry(0x0D, "INVALID_ASID"),
            Map.entry(0x0E, "WBINVD_REQUIRED"),
            Map.entry(0x0F, "DFFLUSH_REQUIRED"),
            Map.entry(0x10, "INVALID_GUEST"),
            Map.entry(0x11, "INVALID_COMMAND"),
            Map.entry(0x12, "ACTIVE"),
            Map.entry(0x13, "HWERROR_PLATFORM"),
            Map.entry(0x14, "HWERROR_UNSAFE"),
            Map.entry(0x15, "UNSUPPORTED"),
            Map.entry(0x16, "INVALID_PARAM"),
            Map.entry(0x17, "RESOURCE_LIMIT"),
            Map.entry(0x18, "SECURE_DATA_INVALID"),
            Map.entry(0x19, "INVALID_PAGE_SIZE"),
            Map.entry(0x1A, "INVALID_PAGE_STATE"),
            Map.entry(0x1B, "INVALID_MDATA_ENTRY"),
            Map.entry(0x1C, "INVALID_PAGE_OWNER"),
            Map.entry(0x1D, "AEAD_OFLOW"),
            Map.entry(0x1F, "EXIT_RING_BUFFER"),
            Map.entry(0x20, "RMP_INIT_REQUIRED"),
            Map.entry(0x21, "BAD_SVN"),
            Map.entry(0x22, "BAD_VERSION"),
            Map.entry(0x23, "SHUTDOWN_REQUIRED"),
            Map.entry(0x24, "UPDATE_FAILED"),
            Map.entry(0x25, "RESTORE_REQUIRED"),
            Map.entry(0x26, "RMP_INITIALIZATION_FAILED"),
            Map.entry(0x27, "INVALID_KEY"),
            // not the firmware's: the kernel's marker that it failed before calling the firmware (0xff older, -1 newer)
            Map.entry(0xFF, "no firmware call: the kernel refused the request itself"),
            Map.entry(-1, "no firmware call: the kernel refused the request itself"));

    /** "0x16 (INVALID_PARAM)", or the hex number alone for a code this build does not know. */
    static String describe(int code) {
        String name = NAMES.get(code);
        return "0x" + Integer.toHexString(code) + (name == null ? "" : " (" + name + ")");
    }
}
