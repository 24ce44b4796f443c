package dev.donjon.abi.snp;

import dev.donjon.abi.FormatException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;

/**
 * An SEV-SNP ATTESTATION_REPORT (AMD SEV-SNP ABI specification, table "ATTESTATION_REPORT structure"), versions 2 to 5.
 * {@link #parse} checks sizes, version, signature algorithm and signing key and nothing else, so that every byte of
 * the signed region is judged by the signature check; {@link #encode} and {@link Builder} write the same layout.
 *
 * @param cpuid              family/model/stepping, present from version 3 on
 * @param launchMitVector    launch mitigation vector, version 5 on (0 before)
 * @param currentMitVector   current mitigation vector, version 5 on (0 before)
 * @param signedBytes        bytes 0x000-0x29F, what the signature covers
 * @param signatureR         ECDSA r (the 72-byte little-endian field at 0x2A0)
 * @param signatureS         ECDSA s (at 0x2E8)
 */
public record AttestationReport(
        int version,
        int guestSvn,
        long policy,
        byte[] familyId,
        byte[] imageId,
        int vmpl,
        int signatureAlgorithm,
        long currentTcb,
        long platformInfo,
        boolean authorKeyEnabled,
        boolean maskChipKey,
        SigningKey signingKey,
        byte[] reportData,
        byte[] measurement,
        byte[] hostData,
        byte[] idKeyDigest,
        byte[] authorKeyDigest,
        byte[] reportId,
        byte[] reportIdMa,
        long reportedTcb,
        Optional<Cpuid> cpuid,
        byte[] chipId,
        long committedTcb,
        int currentBuild,
        int currentMinor,
        int currentMajor,
        int committedBuild,
        int committedMinor,
        int committedMajor,
        long launchTcb,
        long launchMitVector,
        long currentMitVector,
        byte[] signedBytes,
        BigInteger signatureR,
        BigInteger signatureS) {

    public static final int SIZE = 0x4A0;
    public static final int SIGNED_LENGTH = 0x2A0;
    /** ECDSA P-384 with SHA-384, the only algorithm AMD firmware uses. */
    public static final int ALGORITHM_ECDSA_P384_SHA384 = 1;

    static final int SIGNING_KEY_NONE = 7;
    /** Offsets of the fields (AMD SEV-SNP ABI specification, ATTESTATION_REPORT); parse and encode both use them. */
    private static final int VERSION = 0x00,
            GUEST_SVN = 0x04,
            POLICY = 0x08,
            FAMILY_ID = 0x10,
            IMAGE_ID = 0x20,
            VMPL = 0x30,
            SIGNATURE_ALGO = 0x34,
            CURRENT_TCB = 0x38,
            PLATFORM_INFO = 0x40,
            KEY_INFO = 0x48,
            REPORT_DATA = 0x50,
            MEASUREMENT = 0x90,
            HOST_DATA = 0xC0,
            ID_KEY_DIGEST = 0xE0,
            AUTHOR_KEY_DIGEST = 0x110,
            REPORT_ID = 0x140,
            REPORT_ID_MA = 0x160,
            REPORTED_TCB = 0x180,
            CPUID_FAM_ID = 0x188,
            CPUID_MOD_ID = 0x189,
            CPUID_STEP = 0x18A,
            CHIP_ID = 0x1A0,
            COMMITTED_TCB = 0x1E0,
            CURRENT_BUILD = 0x1E8,
            CURRENT_MINOR = 0x1E9,
            CURRENT_MAJOR = 0x1EA,
            COMMITTED_BUILD = 0x1EC,
            COMMITTED_MINOR = 0x1ED,
            COMMITTED_MAJOR = 0x1EE,
            LAUNCH_TCB = 0x1F0,
            LAUNCH_MIT_VECTOR = 0x1F8,
            CURRENT_MIT_VECTOR = 0x200,
            SIGNATURE_R = 0x2A0,
            SIGNATURE_S = 0x2E8;
    /** r and s are 72-byte little-endian fields; P-384 fills their first 48 bytes. */
    private static final int SIGNATURE_FIELD = 72, P384_COMPONENT = 48;

    /** CPUID_FAM_ID, CPUID_MOD_ID, CPUID_STEP of the guest's physical CPU. */
    public record Cpuid(int family, int model, int stepping) {}

    /** Policy bit 19: the guest may be debugged by the host. */
    public boolean debugAllowed() {
        return (policy & (1L << 19)) != 0;
    }

    public static AttestationReport parse(byte[] bytes) throws FormatException {
        if (bytes == null || bytes.length != SIZE) {
            throw new FormatException(
                    "SEV-SNP report must be " + SIZE + " bytes, got " + (bytes == null ? 0 : bytes.length));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getInt(VERSION);
        if (version < 2 || version > 5) {
            throw new FormatException(
                    "unsupported SEV-SNP report version " + Integer.toUnsignedString(version) + " (supported: 2 to 5)");
        }
        int algorithm = b.getInt(SIGNATURE_ALGO);
        if (algorithm != ALGORITHM_ECDSA_P384_SHA384) {
            throw new FormatException("unsupported SEV-SNP signature algorithm " + Integer.toUnsignedString(algorithm)
                    + " (expected 1, ECDSA P-384/SHA-384)");
        }
        int keyInfo = b.getInt(KEY_INFO);
        int signingKeyField = (keyInfo >>> 2) & 0x7;
        SigningKey signingKey = switch (signingKeyField) {
            case 0 -> SigningKey.VCEK;
            case 1 -> SigningKey.VLEK;
            case SIGNING_KEY_NONE -> throw new FormatException("SEV-SNP report is not signed (KEY_INFO signing key 7)");
            default -> throw new FormatException("unknown SEV-SNP signing key " + signingKeyField + " in KEY_INFO");
        };
        Optional<Cpuid> cpuid = version >= 3
                ? Optional.of(
                        new Cpuid(bytes[CPUID_FAM_ID] & 0xFF, bytes[CPUID_MOD_ID] & 0xFF, bytes[CPUID_STEP] & 0xFF))
                : Optional.empty();
        return new AttestationReport(
                version,
                b.getInt(GUEST_SVN),
                b.getLong(POLICY),
                slice(bytes, FAMILY_ID, 16),
                slice(bytes, IMAGE_ID, 16),
                b.getInt(VMPL),
                algorithm,
                b.getLong(CURRENT_TCB),
                b.getLong(PLATFORM_INFO),
                (keyInfo & 1) != 0,
                (keyInfo & 2) != 0,
                signingKey,
                slice(bytes, REPORT_DATA, 64),
                slice(bytes, MEASUREMENT, 48),
                slice(bytes, HOST_DATA, 32),
                slice(bytes, ID_KEY_DIGEST, 48),
                slice(bytes, AUTHOR_KEY_DIGEST, 48),
                slice(bytes, REPORT_ID, 32),
                slice(bytes, REPORT_ID_MA, 32),
                b.getLong(REPORTED_TCB),
                cpuid,
                slice(bytes, CHIP_ID, 64),
                b.getLong(COMMITTED_TCB),
                bytes[CURRENT_BUILD] & 0xFF,
                bytes[CURRENT_MINOR] & 0xFF,
                bytes[CURRENT_MAJOR] & 0xFF,
                bytes[COMMITTED_BUILD] & 0xFF,
                bytes[COMMITTED_MINOR] & 0xFF,
                bytes[COMMITTED_MAJOR] & 0xFF,
                b.getLong(LAUNCH_TCB),
                version >= 5 ? b.getLong(LAUNCH_MIT_VECTOR) : 0L,
                version >= 5 ? b.getLong(CURRENT_MIT_VECTOR) : 0L,
                slice(bytes, 0, SIGNED_LENGTH),
                littleEndian(bytes, SIGNATURE_R, SIGNATURE_FIELD),
                littleEndian(bytes, SIGNATURE_S, SIGNATURE_FIELD));
    }

    /**
     * This report's fields in AMD's layout, its signature included; reserved bytes are zero and {@link #signedBytes}
     * is not consulted (for a parsed report of a real AMD chip the result equals the bytes it was parsed from).
     */
    public byte[] encode() {
        byte[] out = encodeFields(this);
        writeSignature(out, signatureR, signatureS);
        return out;
    }

    /** How a producer signs: ECDSA P-384/SHA-384 over {@code signed}, as r || s big-endian, 48 bytes each. */
    @FunctionalInterface
    public interface Signer<E extends Exception> {
        byte[] signP1363(byte[] signed) throws E;
    }

    /**
     * Writes a report from its fields and signs it: the sim firmware and test AMD authorities make their reports here.
     * Starts from a version 3 report with every field zero (signed by the VCEK, ECDSA P-384).
     */
    public static final class Builder {
        private int version = 3,
                guestSvn,
                vmpl,
                currentBuild,
                currentMinor,
                currentMajor,
                committedBuild,
                committedMinor,
                committedMajor;
        private long policy,
                currentTcb,
                platformInfo,
                reportedTcb,
                committedTcb,
                launchTcb,
                launchMitVector,
                currentMitVector;
        private boolean authorKeyEnabled, maskChipKey;
        private SigningKey signingKey = SigningKey.VCEK;
        private Optional<Cpuid> cpuid = Optional.empty();
        private byte[] familyId = new byte[16],
                imageId = new byte[16],
                reportData = new byte[64],
                measurement = new byte[48],
                hostData = new byte[32],
                idKeyDigest = new byte[48],
                authorKeyDigest = new byte[48],
                reportId = new byte[32],
                reportIdMa = new byte[32],
                chipId = new byte[64];

        public Builder version(int v) {
            version = v;
            return this;
        }

        public Builder guestSvn(int v) {
            guestSvn = v;
            return this;
        }

        public Builder policy(long v) {
            policy = v;
            return this;
        }

        public Builder familyId(byte[] v) {
            familyId = fixed(v, 16, "FAMILY_ID");
            return this;
        }

        public Builder imageId(byte[] v) {
            imageId = fixed(v, 16, "IMAGE_ID");
            return this;
        }

        public Builder vmpl(int v) {
            vmpl = v;
            return this;
        }

        public Builder platformInfo(long v) {
            platformInfo = v;
            return this;
        }

        public Builder authorKeyEnabled(boolean v) {
            authorKeyEnabled = v;
            return this;
        }

        public Builder maskChipKey(boolean v) {
            maskChipKey = v;
            return this;
        }

        public Builder signingKey(SigningKey v) {
            signingKey = v;
            return this;
        }

        public Builder reportData(byte[] v) {
            reportData = fixed(v, 64, "REPORT_DATA");
            return this;
        }

        public Builder measurement(byte[] v) {
            measurement = fixed(v, 48, "MEASUREMENT");
            return this;
        }

        public Builder hostData(byte[] v) {
            hostData = fixed(v, 32, "HOST_DATA");
            return this;
        }

        public Builder idKeyDigest(byte[] v) {
            idKeyDigest = fixed(v, 48, "ID_KEY_DIGEST");
            return this;
        }

        public Builder authorKeyDigest(byte[] v) {
            authorKeyDigest = fixed(v, 48, "AUTHOR_KEY_DIGEST");
            return this;
        }

        public Builder reportId(byte[] v) {
            reportId = fixed(v, 32, "REPORT_ID");
            return this;
        }

        public Builder reportIdMa(byte[] v) {
            reportIdMa = fixed(v, 32, "REPORT_ID_MA");
            return this;
        }

        public Builder cpuid(Cpuid v) {
            cpuid = Optional.of(v);
            return this;
        }

        public Builder chipId(byte[] v) {
            chipId = fixed(v, 64, "CHIP_ID");
            return this;
        }
        /** The same TCB_VERSION as CURRENT, REPORTED, COMMITTED and LAUNCH TCB, as a freshly launched guest sees. */
        public Builder tcb(long v) {
            currentTcb = v;
            reportedTcb = v;
            committedTcb = v;
            launchTcb = v;
            return this;
        }

        public Builder currentTcb(long v) {
            currentTcb = v;
            return this;
        }

        public Builder reportedTcb(long v) {
            reportedTcb = v;
            return this;
        }

        public Builder committedTcb(long v) {
            committedTcb = v;
            return this;
        }

        public Builder launchTcb(long v) {
            launchTcb = v;
            return this;
        }
        /** CURRENT and COMMITTED firmware version, both. */
        public Builder firmware(int major, int minor, int build) {
            currentMajor = committedMajor = major;
            currentMinor = committedMinor = minor;
            currentBuild = committedBuild = build;
            return this;
        }

        public Builder mitigationVectors(long launch, long current) {
            launchMitVector = launch;
            currentMitVector = current;
            return this;
        }

        /** The report with a zero signature. */
        public AttestationReport unsigned() {
            AttestationReport fields = fields(BigInteger.ZERO, BigInteger.ZERO);
            return withSignedBytes(fields, Arrays.copyOf(encodeFields(fields), SIGNED_LENGTH));
        }

        /** The report's bytes, signed by {@code signer} over its first {@link #SIGNED_LENGTH} bytes. */
        public <E extends Exception> byte[] sign(Signer<E> signer) throws E {
            byte[] out = encodeFields(fields(BigInteger.ZERO, BigInteger.ZERO));
            signInPlace(out, signer);
            return out;
        }

        private AttestationReport fields(BigInteger r, BigInteger s) {
            return new AttestationReport(
                    version,
                    guestSvn,
                    policy,
                    familyId.clone(),
                    imageId.clone(),
                    vmpl,
                    ALGORITHM_ECDSA_P384_SHA384,
                    currentTcb,
                    platformInfo,
                    authorKeyEnabled,
                    maskChipKey,
                    signingKey,
                    reportData.clone(),
                    measurement.clone(),
                    hostData.clone(),
                    idKeyDigest.clone(),
                    authorKeyDigest.clone(),
                    reportId.clone(),
                    reportIdMa.clone(),
                    reportedTcb,
                    version >= 3 ? cpuid : Optional.empty(),
                    chipId.clone(),
                    committedTcb,
                    currentBuild,
                    currentMinor,
                    currentMajor,
                    committedBuild,
                    committedMinor,
                    committedMajor,
                    launchTcb,
                    launchMitVector,
                    currentMitVector,
                    new byte[0],
                    r,
                    s);
        }

        private static byte[] fixed(byte[] v, int length, String field) {
            if (v.length != length)
                throw new IllegalArgumentException(field + " is " + length + " bytes, not " + v.length);
            return v.clone();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Signs the first {@link #SIGNED_LENGTH} bytes of {@code report} as they are and writes r and s after them. */
    public static <E extends Exception> void signInPlace(byte[] report, Signer<E> signer) throws E {
        if (report.length != SIZE) throw new IllegalArgumentException("an SEV-SNP report is " + SIZE + " bytes");
        byte[] rs = signer.signP1363(Arrays.copyOf(report, SIGNED_LENGTH));
        if (rs.length != 2 * P384_COMPONENT)
            throw new IllegalArgumentException("a P-384 signature is r || s, 96 bytes");
        writeSignature(
                report,
                new BigInteger(1, Arrays.copyOfRange(rs, 0, P384_COMPONENT)),
                new BigInteger(1, Arrays.copyOfRange(rs, P384_COMPONENT, 2 * P384_COMPONENT)));
    }

    private static AttestationReport withSignedBytes(AttestationReport r, byte[] signed) {
        return new AttestationReport(
                r.version,
                r.guestSvn,
                r.policy,
                r.familyId,
                r.imageId,
                r.vmpl,
                r.signatureAlgorithm,
                r.currentTcb,
                r.platformInfo,
                r.authorKeyEnabled,
                r.maskChipKey,
                r.signingKey,
                r.reportData,
                r.measurement,
                r.hostData,
                r.idKeyDigest,
                r.authorKeyDigest,
                r.reportId,
                r.reportIdMa,
                r.reportedTcb,
                r.cpuid,
                r.chipId,
                r.committedTcb,
                r.currentBuild,
                r.currentMinor,
                r.currentMajor,
                r.committedBuild,
                r.committedMinor,
                r.committedMajor,
                r.launchTcb,
                r.launchMitVector,
                r.currentMitVector,
                signed,
                r.signatureR,
                r.signatureS);
    }

    private static byte[] encodeFields(AttestationReport r) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(VERSION, r.version)
                .putInt(GUEST_SVN, r.guestSvn)
                .putLong(POLICY, r.policy)
                .put(FAMILY_ID, r.familyId)
                .put(IMAGE_ID, r.imageId)
                .putInt(VMPL, r.vmpl)
                .putInt(SIGNATURE_ALGO, r.signatureAlgorithm)
                .putLong(CURRENT_TCB, r.currentTcb)
                .putLong(PLATFORM_INFO, r.platformInfo)
                .putInt(
                        KEY_INFO,
                        (r.authorKeyEnabled ? 1 : 0)
                                | (r.maskChipKey ? 2 : 0)
                                | (r.signingKey == SigningKey.VLEK ? 1 << 2 : 0))
                .put(REPORT_DATA, r.reportData)
                .put(MEASUREMENT, r.measurement)
                .put(HOST_DATA, r.hostData)
                .put(ID_KEY_DIGEST, r.idKeyDigest)
                .put(AUTHOR_KEY_DIGEST, r.authorKeyDigest)
                .put(REPORT_ID, r.reportId)
                .put(REPORT_ID_MA, r.reportIdMa)
                .putLong(REPORTED_TCB, r.reportedTcb)
                .put(CHIP_ID, r.chipId)
                .putLong(COMMITTED_TCB, r.committedTcb)
                .put(CURRENT_BUILD, (byte) r.currentBuild)
                .put(CURRENT_MINOR, (byte) r.currentMinor)
                .put(CURRENT_MAJOR, (byte) r.currentMajor)
                .put(COMMITTED_BUILD, (byte) r.committedBuild)
                .put(COMMITTED_MINOR, (byte) r.committedMinor)
                .put(COMMITTED_MAJOR, (byte) r.committedMajor)
                .putLong(LAUNCH_TCB, r.launchTcb);
        r.cpuid.ifPresent(c -> b.put(CPUID_FAM_ID, (byte) c.family())
                .put(CPUID_MOD_ID, (byte) c.model())
                .put(CPUID_STEP, (byte) c.stepping()));
        if (r.version >= 5)
            b.putLong(LAUNCH_MIT_VECTOR, r.launchMitVector).putLong(CURRENT_MIT_VECTOR, r.currentMitVector);
        return b.array();
    }

    private static void writeSignature(byte[] report, BigInteger r, BigInteger s) {
        littleEndianInto(r, report, SIGNATURE_R);
        littleEndianInto(s, report, SIGNATURE_S);
    }

    private static void littleEndianInto(BigInteger v, byte[] report, int at) {
        byte[] bigEndian = v.toByteArray();
        Arrays.fill(report, at, at + SIGNATURE_FIELD, (byte) 0);
        for (int i = 0; i < bigEndian.length && i < SIGNATURE_FIELD; i++)
            report[at + i] = bigEndian[bigEndian.length - 1 - i];
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
