package dev.donjon.steward;

import dev.donjon.platform.identity.EvidenceOids;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/**
 * Object identifiers the Steward reads and writes. The evidence extensions are donjon-platform's {@link EvidenceOids}
 * (Enarx's under Profian's enterprise number 58270, kept for wire compatibility; Donjon's TDX and sim under Donjon's
 * UUID-derived arc {@code 2.25.<uuid>}, ITU-T X.667); the Steward's own extensions take .1 and .2 of that arc.
 */
public final class DonjonOids {

    private DonjonOids() {}

    public static final ASN1ObjectIdentifier ENARX_KVM = EvidenceOids.KVM;
    public static final ASN1ObjectIdentifier ENARX_SGX = EvidenceOids.SGX;
    public static final ASN1ObjectIdentifier ENARX_SNP = EvidenceOids.SNP;
    public static final ASN1ObjectIdentifier DONJON_TDX = EvidenceOids.TDX;
    public static final ASN1ObjectIdentifier DONJON_SIM = EvidenceOids.SIM;

    /** Certificate extension: the attestation claims and workload identity of an issued Keep certificate (README). */
    public static final ASN1ObjectIdentifier KEEP_CLAIMS = EvidenceOids.DONJON.branch("1");
    /** CSR extension: the workload a Keep runs (package slug and digest), vouched for by the attested Keep key. */
    public static final ASN1ObjectIdentifier WORKLOAD_IDENTITY = EvidenceOids.DONJON.branch("2");
}
