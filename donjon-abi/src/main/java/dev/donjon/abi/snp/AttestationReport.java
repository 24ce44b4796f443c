package dev.donjon.attestation.snp;

import dev.donjon.attestation.MalformedEvidenceException;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;

/**
 * An SEV-SNP ATTESTATION_REPORT (AMD SEV-SNP ABI specification, table "ATTESTATION_REPORT structure"), versions 2 to 5.
 * Only {@link #parse} creates one; it checks sizes, version, signature algorithm and signing key and nothing else,
 * so that every byte of the signed region is judged by the signature check.
 *
 * @param cpuid              family/model/stepping, present from version 3 on
 * @param launchMitVector    launch mitigation vector, version 5 on (0 before)
 * @param currentMitVector   current mitigation vector, version 5 on (0 before)
 * @param signedBytes        bytes 0x000-0x29F, what the signature covers
 * @param signatureR         ECDSA r (the 72-byte little-endian field at 0x2A0)
 * @param signatureS         ECDSA s (at 0x2E8)
 */
public record AttestationReport(
        int version, int guestSvn, long policy, byte[] familyId, byte[] imageId, int vmpl, int signatureAlgorithm,
        long currentTcb, long platformInfo, boolean authorKeyEnabled, boolean maskChipKey, SigningKey signingKey,
        byte[] reportData, byte[] measurement, byte[] hostData, byte[] idKeyDigest, byte[] authorKeyDigest,
        byte[] reportId, byte[] reportIdMa, long reportedTcb, Optional<Cpuid> cpuid, byte[] chipId,
        long committedTcb, int currentBuild, int currentMinor, int currentMajor,
        int committedBuild, int committedMinor, int committedMajor, long launchTcb,
        long launchMitVector, long currentMitVector,
        byte[] signedBytes, BigInteger signatureR, BigInteger signatureS) {

    public static final int SIZE = 0x4A0;
    public static final int SIGNED_LENGTH = 0x2A0;
    /** ECDSA P-384 with SHA-384, the only algorithm AMD firmware uses. */
    public static final int ALGORITHM_ECDSA_P384_SHA384 = 1;
    static final int SIGNING_KEY_NONE = 7;

    /** CPUID_FAM_ID, CPUID_MOD_ID, CPUID_STEP of the guest's physical CPU. */
    public record Cpuid(int family, int model, int stepping) {}

    /** Policy bit 19: the guest may be debugged by the host. */
    public boolean debugAllowed() { return (policy & (1L << 19)) != 0; }

    public static AttestationReport parse(byte[] bytes) throws MalformedEvidenceException {
        if (bytes == null || bytes.length != SIZE) {
            throw new MalformedEvidenceException("SEV-SNP report must be " + SIZE + " bytes, got "
                    + (bytes == null ? 0 : bytes.length));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getInt(0x00);
        if (version < 2 || version > 5) {
            throw new MalformedEvidenceException("unsupported SEV-SNP report version " + Integer.toUnsignedString(version)
                    + " (supported: 2 to 5)");
        }
        int algorithm = b.getInt(0x34);
        if (algorithm != ALGORITHM_ECDSA_P384_SHA384) {
            throw new MalformedEvidenceException("unsupported SEV-SNP signature algorithm " + Integer.toUnsignedString(algorithm)
                    + " (expected 1, ECDSA P-384/SHA-384)");
        }
        int keyInfo = b.getInt(0x48);
        int signingKeyField = (keyInfo >>> 2) & 0x7;
        SigningKey signingKey = switch (signingKeyField) {
            case 0 -> SigningKey.VCEK;
            case 1 -> SigningKey.VLEK;
            case SIGNING_KEY_NONE -> throw new MalformedEvidenceException("SEV-SNP report is not signed (KEY_INFO signing key 7)");
            default -> throw new MalformedEvidenceException("unknown SEV-SNP signing key " + signingKeyField + " in KEY_INFO");
        };
        Optional<Cpuid> cpuid = version >= 3
                ? Optional.of(new Cpuid(bytes[0x188] & 0xFF, bytes[0x189] & 0xFF, bytes[0x18A] & 0xFF))
                : Optional.empty();
        return new AttestationReport(
                version, b.getInt(0x04), b.getLong(0x08), slice(bytes, 0x10, 16), slice(bytes, 0x20, 16),
                b.getInt(0x30), algorithm, b.getLong(0x38), b.getLong(0x40),
                (keyInfo & 1) != 0, (keyInfo & 2) != 0, signingKey,
                slice(bytes, 0x50, 64), slice(bytes, 0x90, 48), slice(bytes, 0xC0, 32), slice(bytes, 0xE0, 48),
                slice(bytes, 0x110, 48), slice(bytes, 0x140, 32), slice(bytes, 0x160, 32), b.getLong(0x180), cpuid,
                slice(bytes, 0x1A0, 64), b.getLong(0x1E0),
                bytes[0x1E8] & 0xFF, bytes[0x1E9] & 0xFF, bytes[0x1EA] & 0xFF,
                bytes[0x1EC] & 0xFF, bytes[0x1ED] & 0xFF, bytes[0x1EE] & 0xFF, b.getLong(0x1F0),
                version >= 5 ? b.getLong(0x1F8) : 0L, version >= 5 ? b.getLong(0x200) : 0L,
                slice(bytes, 0, SIGNED_LENGTH), littleEndian(bytes, 0x2A0, 72), littleEndian(bytes, 0x2E8, 72));
    }

    private static byte[] slice(byte[] bytes, int offset, int length) {
        return Arrays.copyOfRange(bytes, offset, offset + length);
    }

    private static BigInteger littleEndian(byte[] bytes, int offset, int length) {
        byte[] bigEndian = new byte[length];
        for (int i = 0; i < length; i++) bigEndian[i] = bytes[offset + length - 1 - i];
        return new BigInteger(1, bigEndian);
    }
}
