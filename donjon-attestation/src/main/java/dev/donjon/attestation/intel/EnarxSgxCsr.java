package dev.donjon.attestation.intel;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.csr.EvidenceExtension;
import dev.donjon.abi.csr.EvidenceOids;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.VerificationException;
import dev.donjon.attestation.crypto.CsrSignature;
import dev.donjon.common.OneLine;
import java.io.IOException;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * An Enarx SGX keep CSR: PKCS#10 whose extension 1.3.6.1.4.1.58270.1.2 carries
 * {@code SEQUENCE { quote OCTET STRING, crls, SEQUENCE { SEQUENCE { tcbSigningCert, rootCert }, tcbInfo OCTET STRING } }}
 * (read by donjon-abi's {@link EvidenceExtension}).
 *
 * @param spkiDer  DER SubjectPublicKeyInfo of the CSR key (the quote's REPORT_DATA binds its SHA-256)
 * @param tcbInfo  the PCS TCB Info response, exact bytes
 */
record EnarxSgxCsr(byte[] spkiDer, byte[] quote, List<byte[]> crls, List<byte[]> tcbIssuerChain, byte[] tcbInfo) {

    static EnarxSgxCsr parse(byte[] der) throws VerificationException {
        PKCS10CertificationRequest csr;
        try {
            csr = new PKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            throw new MalformedEvidenceException("evidence is not a DER PKCS#10 certification request");
        }
        if (!CsrSignature.verifies(csr))
            throw new VerificationException(RejectReason.SIGNATURE, "CSR self-signature does not verify");
        try {
            Extension ext = null;
            for (Attribute a : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
                for (ASN1Encodable v : a.getAttrValues()) {
                    Extension e = Extensions.getInstance(v).getExtension(EvidenceOids.SGX);
                    if (e != null) ext = e;
                }
            }
            if (ext == null)
                throw new MalformedEvidenceException("CSR carries no SGX evidence extension " + EvidenceOids.SGX);
            EvidenceExtension.Sgx evidence = (EvidenceExtension.Sgx) EvidenceExtension.parse(ext);
            return new EnarxSgxCsr(
                    csr.getSubjectPublicKeyInfo().getEncoded("DER"),
                    evidence.quote(),
                    evidence.crls().stream().map(EvidenceExtension.Crl::der).toList(),
                    evidence.tcb().issuerChain(),
                    evidence.tcb().tcbInfo());
        } catch (FormatException e) {
            throw new MalformedEvidenceException(e);
        } catch (IOException | RuntimeException e) {
            throw new MalformedEvidenceException("SGX evidence extension cannot be parsed: " + OneLine.of(e));
        }
    }
}
