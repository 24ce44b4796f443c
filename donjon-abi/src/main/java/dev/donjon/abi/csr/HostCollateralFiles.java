package dev.donjon.abi.csr;

/**
 * The collateral a TEE host caches for its Keeps, which each Keep copies into the evidence extension of its CSR so that a
 * Steward can verify offline: Enarx's platform cache layout, one directory for AMD ({@code /var/cache/amd-sev}) and one
 * for Intel ({@code /var/cache/intel-sgx}). Each file is one DER value of {@link EvidenceExtension}'s forms, exactly as it
 * goes into the CSR ({@link EvidenceExtension#encodeCrlList}, {@link EvidenceExtension#encodeTcbPackage} write them,
 * {@link EvidenceExtension#parseCrlList}, {@link EvidenceExtension#parseTcbPackage} read them).
 */
public final class HostCollateralFiles {

    /** A CrlList: the AMD ARK CRL(s) in the AMD directory; the Intel root and PCK CA CRLs in the Intel directory. */
    public static final String CRLS = "crls.der";
    /** The SGX TcbPackage (TCB Info of the host's FMSPC with its issuer chain), Intel directory. */
    public static final String SGX_TCB = "tcb.der";
    /** The TDX TcbPackage, Intel directory. */
    public static final String TDX_TCB = "tdx-tcb.der";
    /** The host chip's VCEK (DER certificate), AMD directory, for hosts whose firmware supplies none. */
    public static final String VCEK = "vcek.der";

    private HostCollateralFiles() {}
}
