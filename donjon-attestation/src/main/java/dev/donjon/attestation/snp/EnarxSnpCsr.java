package dev.donjon.attestation.snp;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.csr.EvidenceExtension;
import dev.donjon.abi.csr.EvidenceOids;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.common.OneLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * An Enarx keep CSR (PKCS#10) carrying SNP evidence in its requested extension 1.3.6.1.4.1.58270.1.3 (read by
 * donjon-abi's {@link EvidenceExtension}). Donjon's sim platform uses the same encoding under its own OID
 * ({@link EvidenceOids#SIM}, see donjon-platform's README); whether evidence is simulated is decided by the root its
 * chain ends in, never by the OID.
 */
final class EnarxSnpCsr {

    private EnarxSnpCsr() {}

    static SnpEvidence read(byte[] der) throws MalformedEvidenceException {
        PKCS10CertificationRequest csr;
        try {
            csr = new PKCS10CertificationRequest(der);
        } catch (Exception e) {
            throw new MalformedEvidenceException("not a DER PKCS#10 CSR: " + OneLine.of(e));
        }
        try {
            // inside the try: BouncyCastle decodes the CSR attributes only now and throws on malformed ones (found by
            // fuzzing)
            EvidenceExtension.Snp evidence = (EvidenceExtension.Snp) EvidenceExtension.parse(evidenceExtension(csr));
            X509CertificateHolder vcek = new X509CertificateHolder(evidence.vcek());
            List<X509CRLHolder> crls = new ArrayList<>();
            for (EvidenceExtension.Crl crl : evidence.crls()) crls.add(new X509CRLHolder(crl.der()));
            return new SnpEvidence(
                    SnpEvidence.report(evidence.report()), Optional.of(vcek), List.of(), crls, Optional.of(csr));
        } catch (MalformedEvidenceException e) {
            throw e;
        } catch (FormatException e) {
            throw new MalformedEvidenceException(e);
        } catch (Exception e) {
            throw new MalformedEvidenceException("SNP evidence in the CSR does not parse: " + OneLine.of(e));
        }
    }

    private static Extension evidenceExtension(PKCS10CertificationRequest csr) throws MalformedEvidenceException {
        for (var attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (ASN1Encodable value : attribute.getAttrValues()) {
                Extensions extensions = Extensions.getInstance(value);
                Extension e = extensions.getExtension(EvidenceOids.SNP);
                if (e == null) e = extensions.getExtension(EvidenceOids.SIM);
                if (e != null) return e;
            }
        }
        throw new MalformedEvidenceException("CSR carries no SEV-SNP evidence extension (" + EvidenceOids.SNP
                + ", or Donjon sim " + EvidenceOids.SIM + ")");
    }
}
