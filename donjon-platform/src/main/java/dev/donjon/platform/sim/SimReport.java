package dev.donjon.platform.sim;

import dev.donjon.platform.PlatformException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Writes an SEV-SNP ATTESTATION_REPORT, version 3 (AMD SEV-SNP ABI specification 1.55, table 22), as the sim
 * firmware: the layout, offsets and signature encoding are AMD's; the values are the sim's (README "Sim report").
 */
final class SimReport {

    static final int SIZE = 0x4A0;
    static final int SIGNED_LENGTH = 0x2A0;
    static final int VERSION = 3;
    /** Guest policy: bit 17 (reserved, must be 1) and bit 16 (SMT allowed); debug (bit 19) and migration off, ABI 0.0. */
    static final long POLICY = 0x30000L;
    /** PLATFORM_INFO: SMT enabled. */
    static final long PLATFORM_INFO = 0x1L;
    /** CPUID family 0x19, model 0x01, stepping 0x01: an EPYC Milan B0/B1 part. */
    static final int CPUID_FAMILY = 0x19, CPUID_MODEL = 0x01, CPUID_STEPPING = 0x01;
    /** The firmware version the sim claims (1.55 build 21). */
    static final int FW_MAJOR = 1, FW_MINOR = 55, FW_BUILD = 21;

    private SimReport() {}

    static byte[] sign(SimAuthority authority, byte[] reportData, byte[] measurement, SecureRandom random) throws PlatformException {
        if (reportData.length != 64) throw new IllegalArgumentException("REPORT_DATA is 64 bytes");
        if (measurement.length != 48) throw new IllegalArgumentException("MEASUREMENT is 48 bytes");
        long tcb = SimAuthority.TCB.raw();
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x00, VERSION);
        b.putInt(0x04, 0);                    // GUEST_SVN
        b.putLong(0x08, POLICY);
        // 0x10 FAMILY_ID, 0x20 IMAGE_ID: zero (no ID block)
        b.putInt(0x30, 0);                    // VMPL 0
        b.putInt(0x34, 1);                    // SIGNATURE_ALGO: ECDSA P-384 with SHA-384
        b.putLong(0x38, tcb);                 // CURRENT_TCB
        b.putLong(0x40, PLATFORM_INFO);
        b.putInt(0x48, 0);                    // KEY_INFO: signed by the VCEK, chip id not masked, no author key
        b.put(0x50, reportData);
        b.put(0x90, measurement);
        // 0xC0 HOST_DATA, 0xE0 ID_KEY_DIGEST, 0x110 AUTHOR_KEY_DIGEST: zero
        byte[] reportId = new byte[32];
        random.nextBytes(reportId);
        b.put(0x140, reportId);
        byte[] noMigrationAgent = new byte[32];
        Arrays.fill(noMigrationAgent, (byte) 0xFF);
        b.put(0x160, noMigrationAgent);       // REPORT_ID_MA
        b.putLong(0x180, tcb);                // REPORTED_TCB
        b.put(0x188, (byte) CPUID_FAMILY);
        b.put(0x189, (byte) CPUID_MODEL);
        b.put(0x18A, (byte) CPUID_STEPPING);
        b.put(0x1A0, authority.chipId());
        b.putLong(0x1E0, tcb);                // COMMITTED_TCB
        b.put(0x1E8, (byte) FW_BUILD);
        b.put(0x1E9, (byte) FW_MINOR);
        b.put(0x1EA, (byte) FW_MAJOR);
        b.put(0x1EC, (byte) FW_BUILD);
        b.put(0x1ED, (byte) FW_MINOR);
        b.put(0x1EE, (byte) FW_MAJOR);
        b.putLong(0x1F0, tcb);                // LAUNCH_TCB
        byte[] report = b.array();

        byte[] rs = authority.signP1363(Arrays.copyOf(report, SIGNED_LENGTH));
        littleEndian(rs, 0, report, 0x2A0);
        littleEndian(rs, 48, report, 0x2E8);
        return report;
    }

    /** AMD stores r and s as 72-byte little-endian fields; P-384 fills the first 48 bytes, the rest stays zero. */
    private static void littleEndian(byte[] p1363, int from, byte[] report, int at) {
        for (int i = 0; i < 48; i++) report[at + i] = p1363[from + 47 - i];
    }
}
