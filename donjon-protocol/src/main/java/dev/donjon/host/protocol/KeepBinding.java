package dev.donjon.host.protocol;

import dev.donjon.abi.ReportData;

/**
 * What a Keep's evidence must bind for one deployment: the 64 report-data bytes of
 * {@link ReportData#forDeployment} (labelled, length-prefixed SHA-512 of the Keep's HPKE public key and the client's
 * nonce). One definition, in donjon-abi, shared by the Keep that asks for evidence and the client that checks it.
 */
public final class KeepBinding {
    /** The client's nonce: 32 random bytes per deployment. */
    public static final int NONCE_BYTES = 32;

    private KeepBinding() {}

    public static byte[] reportData(byte[] publicKey, byte[] nonce) {
        return ReportData.forDeployment(publicKey, nonce);
    }
}
