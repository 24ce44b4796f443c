package dev.donjon.platform.sim;

import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.abi.snp.SigningKey;
import dev.donjon.platform.PlatformException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Writes an SEV-SNP ATTESTATION_REPORT, version 3 (AMD SEV-SNP ABI specification 1.55, table 22), as the sim
 * firmware, through donjon-abi's {@link AttestationReport.Builder}: the layout, offsets and signature encoding are
 * AMD's; the values are the sim's (README "Sim report").
 */
final class SimReport {

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

    static byte[] sign(SimAuthority authority, byte[] reportData, byte[] measurement, SecureRandom random)
            throws PlatformException {
        if (reportData.length != 64) throw new IllegalArgumentException("REPORT_DATA is 64 bytes");
        if (measurement.length != 48) throw new IllegalArgumentException("MEASUREMENT is 48 bytes");
        byte[] reportId = new byte[32];
        random.nextBytes(reportId);
        byte[] noMigrationAgent = new byte[32];
        Arrays.fill(noMigrationAgent, (byte) 0xFF);
        // GUEST_SVN, FAMILY_ID, IMAGE_ID, VMPL, HOST_DATA, ID_KEY_DIGEST, AUTHOR_KEY_DIGEST: zero (no ID block);
        // KEY_INFO: signed by the VCEK, chip id not masked, no author key
        return AttestationReport.builder()
                .version(VERSION)
                .policy(POLICY)
                .tcb(SimAuthority.TCB.raw())
                .platformInfo(PLATFORM_INFO)
                .signingKey(SigningKey.VCEK)
                .reportData(reportData)
                .measurement(measurement)
                .reportId(reportId)
                .reportIdMa(noMigrationAgent)
                .cpuid(new AttestationReport.Cpuid(CPUID_FAMILY, CPUID_MODEL, CPUID_STEPPING))
                .chipId(authority.chipId())
                .firmware(FW_MAJOR, FW_MINOR, FW_BUILD)
                .sign(authority::signP1363);
    }
}
