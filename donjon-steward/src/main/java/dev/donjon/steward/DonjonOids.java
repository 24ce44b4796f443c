package dev.donjon.steward;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/**
 * Object identifiers the Steward reads and writes. Enarx's own (under Profian's enterprise number 58270) are kept
 * for wire compatibility; Donjon's live under a UUID-derived arc (ITU-T X.667, {@code 2.25.<uuid>}), which needs no
 * registration and cannot collide with anybody else's.
 */
public final class DonjonOids {

    private DonjonOids() {}

    /** Enarx: a Keep without hardware evidence (KVM or none); proves nothing. */
    public static final ASN1ObjectIdentifier ENARX_KVM = new ASN1ObjectIdentifier("1.3.6.1.4.1.58270.1.1");
    /** Enarx: SGX quote + CRLs + TCB package. */
    public static final ASN1ObjectIdentifier ENARX_SGX = new ASN1ObjectIdentifier("1.3.6.1.4.1.58270.1.2");
    /** Enarx: SEV-SNP VCEK + CRLs + attestation report. */
    public static final ASN1ObjectIdentifier ENARX_SNP = new ASN1ObjectIdentifier("1.3.6.1.4.1.58270.1.3");

    /** Donjon's arc: 2.25 + UUID 5903b5ca-5f6b-4716-a440-9da7d2f349e2 as an integer. */
    public static final ASN1ObjectIdentifier DONJON = new ASN1ObjectIdentifier("2.25.118320555665190972706478181584121055714");
    /** Certificate extension: the attestation claims and workload identity of an issued Keep certificate (README). */
    public static final ASN1ObjectIdentifier KEEP_CLAIMS = DONJON.branch("1");
    /** CSR extension: the workload a Keep runs (package slug and digest), vouched for by the attested Keep key. */
    public static final ASN1ObjectIdentifier WORKLOAD_IDENTITY = DONJON.branch("2");
    /** CSR extension: TDX evidence (quote + optional CRLs and TCB package); defined with donjon-platform's EvidenceOids. */
    public static final ASN1ObjectIdentifier DONJON_TDX = DONJON.branch("3");
    /** CSR extension: SIMULATED SEV-SNP-layout evidence from the sim backend, encoded as {@link #ENARX_SNP}. */
    public static final ASN1ObjectIdentifier DONJON_SIM = DONJON.branch("4");
}
