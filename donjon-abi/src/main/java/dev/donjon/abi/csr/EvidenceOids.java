package dev.donjon.abi.csr;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/**
 * Every object identifier of Donjon's and Enarx's CSRs and certificates, once. Enarx's evidence extensions (under
 * Profian's private enterprise number 58270) are kept byte for byte; what Enarx never had lives under Donjon's arc, a
 * UUID-derived OID (ITU-T X.667, {@code 2.25.<uuid>}), which needs no registration and cannot collide: .1 the Keep
 * claims the Steward writes into a certificate, .2 the workload identity a Keep puts in its CSR, .3 and .4 evidence, .5
 * the Steward's freshness nonce.
 * (AMD's KDS certificate extensions are in {@link dev.donjon.abi.snp.KdsExtensions}.)
 */
public final class EvidenceOids {

    private EvidenceOids() {}

    /** Enarx: a Keep without attestation (KVM or nil); the extension value is empty. */
    public static final ASN1ObjectIdentifier KVM = new ASN1ObjectIdentifier("1.3.6.1.4.1.58270.1.1");
    /** Enarx: SGX quote + CRLs + TCB package. */
    public static final ASN1ObjectIdentifier SGX = new ASN1ObjectIdentifier("1.3.6.1.4.1.58270.1.2");
    /** Enarx: SEV-SNP VCEK + CRLs + attestation report. */
    public static final ASN1ObjectIdentifier SNP = new ASN1ObjectIdentifier("1.3.6.1.4.1.58270.1.3");

    /** Donjon's arc: 2.25 + UUID 5903b5ca-5f6b-4716-a440-9da7d2f349e2 as an integer. */
    public static final ASN1ObjectIdentifier DONJON =
            new ASN1ObjectIdentifier("2.25.118320555665190972706478181584121055714");
    /** Donjon: the attestation claims and workload identity of an issued Keep certificate ({@link ClaimsExtension}). */
    public static final ASN1ObjectIdentifier KEEP_CLAIMS = DONJON.branch("1");
    /** Donjon: the workload a Keep runs, a CSR extension the Steward copies into its claims ({@link WorkloadIdentity}). */
    public static final ASN1ObjectIdentifier WORKLOAD_IDENTITY = DONJON.branch("2");
    /** Donjon: TDX quote (+ optional CRLs and TCB package), see README. */
    public static final ASN1ObjectIdentifier TDX = DONJON.branch("3");
    /** Donjon: SIMULATED SEV-SNP-layout evidence from the sim backend; same encoding as {@link #SNP}. */
    public static final ASN1ObjectIdentifier SIM = DONJON.branch("4");
    /**
     * Donjon: the nonce a Steward issued for this enrollment (POST /nonce), which the evidence's report data binds
     * beside the key (see {@link ReportData#ofPublicKey(String, byte[], java.util.Optional)}); see {@link NonceExtension}.
     */
    public static final ASN1ObjectIdentifier STEWARD_NONCE = DONJON.branch("5");
}
