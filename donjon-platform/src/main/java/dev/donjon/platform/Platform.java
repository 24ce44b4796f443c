package dev.donjon.platform;

/**
 * A backend a Keep runs on. {@link #info} only probes (no side effects beyond a throw-away configfs entry and the sim
 * measurement cache); {@link #attest} asks the TEE for evidence whose report data is the caller's 64 bytes.
 */
public interface Platform {

    /** Report data is always 64 bytes (SEV-SNP REPORT_DATA, TDX/SGX REPORTDATA). */
    int REPORT_DATA_LENGTH = 64;

    Backend backend();

    PlatformInfo info();

    /** @param reportData exactly {@value #REPORT_DATA_LENGTH} bytes, usually a hash of the Keep's public key */
    Evidence attest(byte[] reportData) throws PlatformException;

    static void checkReportData(byte[] reportData) {
        if (reportData == null || reportData.length != REPORT_DATA_LENGTH) {
            throw new IllegalArgumentException("report data must be " + REPORT_DATA_LENGTH + " bytes, got "
                    + (reportData == null ? "none" : reportData.length));
        }
    }
}
