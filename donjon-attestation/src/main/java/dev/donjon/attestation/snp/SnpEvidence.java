package dev.donjon.attestation.snp;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.attestation.MalformedEvidenceException;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * What one piece of SNP evidence carries, whatever its container: the report and any endorsements that came
 * with it (a certificate table's VCEK/VLEK and CAs, a CSR's VCEK and CRLs, the CSR itself for the key binding).
 *
 * @param carriedLeaf the VCEK or VLEK found in the container
 * @param carriedCas  ASK/ASVK/ARK found in the container; never trusted by themselves
 * @param csr         the Enarx keep CSR whose key REPORT_DATA must bind
 */
public record SnpEvidence(
        AttestationReport report,
        Optional<X509CertificateHolder> carriedLeaf,
        List<X509CertificateHolder> carriedCas,
        List<X509CRLHolder> carriedCrls,
        Optional<PKCS10CertificationRequest> csr) {

    public SnpEvidence {
        carriedCas = List.copyOf(carriedCas);
        carriedCrls = List.copyOf(carriedCrls);
    }

    static SnpEvidence bare(AttestationReport report) {
        return new SnpEvidence(report, Optional.empty(), List.of(), List.of(), Optional.empty());
    }

    /** The report, read through donjon-abi; a malformed one is malformed evidence. */
    static AttestationReport report(byte[] bytes) throws MalformedEvidenceException {
        try {
            return AttestationReport.parse(bytes);
        } catch (FormatException e) {
            throw new MalformedEvidenceException(e);
        }
    }
}
