package dev.donjon.abi.csr;

import dev.donjon.common.OneLine;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Boolean;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;

/**
 * The certificate extension {@link DonjonOids#KEEP_CLAIMS} (non-critical) that tells a relying party what the Steward
 * verified about the Keep. ASN.1 (also in README.md):
 * <pre>
 * KeepClaims ::= SEQUENCE {
 *     version      INTEGER,                  -- 1
 *     tee          UTF8String,               -- "snp" | "sgx" | "tdx" | "sim" (sim: simulated, proves nothing)
 *     measurement  OCTET STRING,             -- SNP MEASUREMENT | SGX MRENCLAVE | TDX MRTD
 *     debug        BOOLEAN,                  -- the TEE lets the host read the Keep's memory
 *     signer       [0] IMPLICIT OCTET STRING OPTIONAL,          -- SGX MRSIGNER | SNP author key digest
 *     tcbStatus    [1] IMPLICIT UTF8String OPTIONAL,            -- Intel TCB status, e.g. "UpToDate"
 *     advisories   [2] IMPLICIT SEQUENCE OF UTF8String OPTIONAL,
 *     workload     [3] IMPLICIT WorkloadIdentity OPTIONAL }     -- see WorkloadIdentity
 * </pre>
 */
public record ClaimsExtension(
        String tee,
        byte[] measurement,
        boolean debug,
        Optional<byte[]> signer,
        Optional<String> tcbStatus,
        List<String> advisories,
        Optional<WorkloadIdentity> workload) {

    public static final int VERSION = 1;

    public ClaimsExtension {
        advisories = List.copyOf(advisories);
    }

    public String measurementHex() {
        return HexFormat.of().formatHex(measurement);
    }

    public ASN1Sequence toAsn1() {
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(new ASN1Integer(VERSION));
        v.add(new DERUTF8String(tee));
        v.add(new DEROctetString(measurement));
        v.add(ASN1Boolean.getInstance(debug));
        signer.ifPresent(s -> v.add(new DERTaggedObject(false, 0, new DEROctetString(s))));
        tcbStatus.ifPresent(s -> v.add(new DERTaggedObject(false, 1, new DERUTF8String(s))));
        if (!advisories.isEmpty()) {
            v.add(new DERTaggedObject(
                    false,
                    2,
                    new DERSequence(advisories.stream().map(DERUTF8String::new).toArray(ASN1Encodable[]::new))));
        }
        workload.ifPresent(w -> v.add(new DERTaggedObject(false, 3, w.toAsn1())));
        return new DERSequence(v);
    }

    /** Reads the extension from an issued certificate; empty when it has none. */
    public static Optional<ClaimsExtension> from(X509Certificate cert) {
        byte[] wrapped = cert.getExtensionValue(EvidenceOids.KEEP_CLAIMS.getId());
        if (wrapped == null) return Optional.empty();
        try {
            return Optional.of(fromAsn1(ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(
                    ASN1OctetString.getInstance(wrapped).getOctets()))));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Donjon claims extension does not parse: " + OneLine.of(e), e);
        }
    }

    public static ClaimsExtension fromAsn1(ASN1Sequence s) {
        if (s.size() < 4) throw new IllegalArgumentException("claims extension is too short");
        int version = ASN1Integer.getInstance(s.getObjectAt(0)).intValueExact();
        if (version != VERSION)
            throw new IllegalArgumentException("claims extension version " + version + " is not supported");
        String tee = ASN1UTF8String.getInstance(s.getObjectAt(1)).getString();
        byte[] measurement = ASN1OctetString.getInstance(s.getObjectAt(2)).getOctets();
        boolean debug = ASN1Boolean.getInstance(s.getObjectAt(3)).isTrue();
        Optional<byte[]> signer = Optional.empty();
        Optional<String> tcb = Optional.empty();
        List<String> advisories = new ArrayList<>();
        Optional<WorkloadIdentity> workload = Optional.empty();
        for (int i = 4; i < s.size(); i++) {
            ASN1TaggedObject t = ASN1TaggedObject.getInstance(s.getObjectAt(i));
            switch (t.getTagNo()) {
                case 0 ->
                    signer = Optional.of(ASN1OctetString.getInstance(t, false).getOctets());
                case 1 -> tcb = Optional.of(ASN1UTF8String.getInstance(t, false).getString());
                case 2 -> {
                    for (ASN1Encodable a : ASN1Sequence.getInstance(t, false))
                        advisories.add(ASN1UTF8String.getInstance(a).getString());
                }
                case 3 -> workload = Optional.of(WorkloadIdentity.fromAsn1(ASN1Sequence.getInstance(t, false)));
                default ->
                    throw new IllegalArgumentException("claims extension has unknown field [" + t.getTagNo() + "]");
            }
        }
        return new ClaimsExtension(tee, measurement, debug, signer, tcb, advisories, workload);
    }
}
