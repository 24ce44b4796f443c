package dev.donjon.attestation.policy;

import dev.donjon.attestation.Tee;
import java.util.HexFormat;

/**
 * The values of verified evidence that a policy judges, one record per TEE. They come from a verifier's claims
 * ({@link ClaimFacts}) or are built directly (tests, other evidence sources). Digests are lower-case hex.
 */
public sealed interface PolicyFacts {

    Tee tee();

    /** True when the host can read or change the TEE's memory (SNP policy DEBUG, SGX ATTRIBUTES.DEBUG, TDX TD_ATTRIBUTES.DEBUG). */
    boolean debug();

    /**
     * SEV-SNP report fields.
     *
     * @param guestPolicy  the 64-bit guest POLICY (ABI minor in bits 0-7, major in 8-15, flags from bit 16)
     * @param platformInfo PLATFORM_INFO (bit 0 SMT enabled / SME, bit 1 TSME ... as the firmware reports)
     * @param reportedTcb  REPORTED_TCB decoded for the product line
     */
    record Snp(
            String measurement,
            String hostData,
            String idKeyDigest,
            String authorKeyDigest,
            boolean authorKeyEnabled,
            long guestPolicy,
            long platformInfo,
            int vmpl,
            SnpTcb reportedTcb)
            implements PolicyFacts {
        public Tee tee() {
            return Tee.SNP;
        }

        public boolean debug() {
            return (guestPolicy & SnpGuestPolicy.DEBUG.mask()) != 0;
        }

        public int abiMajor() {
            return (int) (guestPolicy >>> 8) & 0xFF;
        }

        public int abiMinor() {
            return (int) guestPolicy & 0xFF;
        }
    }

    /** SEV-SNP TCB components (FMC only on Turin; 0 elsewhere). */
    record SnpTcb(int bootloader, int tee, int snp, int microcode, int fmc) {}

    /** SGX enclave report body fields. {@code attributes} is the low 64-bit flags word of ATTRIBUTES. */
    record Sgx(String mrEnclave, String mrSigner, int isvProdId, int isvSvn, long attributes, int miscSelect)
            implements PolicyFacts {
        public Tee tee() {
            return Tee.SGX;
        }

        public boolean debug() {
            return (attributes & SgxAttribute.DEBUG.mask()) != 0;
        }
    }

    /** TDX TD report fields. {@code teeTcbSvn} is the 16-byte TEE_TCB_SVN as hex. */
    record Tdx(String mrTd, String mrOwner, String teeTcbSvn, long tdAttributes) implements PolicyFacts {
        public Tee tee() {
            return Tee.TDX;
        }

        /** TD_ATTRIBUTES bit 0: the TD is debuggable. */
        public boolean debug() {
            return (tdAttributes & 1L) != 0;
        }

        public byte[] teeTcbSvnBytes() {
            return HexFormat.of().parseHex(teeTcbSvn);
        }
    }
}
