package dev.donjon.steward;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.csr.EvidenceExtension;
import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.IntelCollateral;
import dev.donjon.attestation.Tee;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.Extension;

/**
 * Turns the evidence extensions the Steward unpacks itself (read by donjon-abi's {@link EvidenceExtension}, lazily:
 * certificates and CRLs stay exact bytes) into what the verifiers read, with the roots the Steward pins.
 */
final class EvidenceAsn1 {

    private EvidenceAsn1() {}

    /** SEV-SNP layout (real or simulated): the report with the VCEK and CRLs it carries, plus the pinned chain. */
    static EvidenceInput snp(Extension ext, byte[] amdChain) throws Denial {
        EvidenceExtension.Snp e = read(ext, EvidenceExtension.Snp.class);
        return new EvidenceInput(
                Tee.SNP,
                Container.SNP_REPORT,
                e.report(),
                new Endorsements(
                        Optional.of(e.vcek()),
                        Optional.empty(),
                        Optional.of(amdChain),
                        crls(e.crls()),
                        Optional.empty(),
                        Optional.empty()));
    }

    /**
     * Enarx's SGX layout, read here rather than by the verifier's whole-CSR reader, which would parse the CSR and check
     * its signature a second time: the quote, the CRLs and the TCB package it carries, judged against the pinned root.
     */
    static EvidenceInput sgx(Extension ext, byte[] intelRoot) throws Denial {
        EvidenceExtension.Sgx e = read(ext, EvidenceExtension.Sgx.class);
        return new EvidenceInput(
                Tee.SGX,
                Container.INTEL_QUOTE,
                e.quote(),
                new Endorsements(
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        crls(e.crls()),
                        Optional.of(collateral(e.tcb())),
                        Optional.of(intelRoot)));
    }

    /** TDX: the quote, with the CRLs and TCB Info it may carry as collateral, judged against the pinned Intel root. */
    static EvidenceInput tdx(Extension ext, byte[] intelRoot) throws Denial {
        EvidenceExtension.Tdx e = read(ext, EvidenceExtension.Tdx.class);
        return new EvidenceInput(
                Tee.TDX,
                Container.INTEL_QUOTE,
                e.quote(),
                new Endorsements(
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        crls(e.crls().orElse(List.of())),
                        e.tcb().map(EvidenceAsn1::collateral),
                        Optional.of(intelRoot)));
    }

    private static <T extends EvidenceExtension> T read(Extension ext, Class<T> kind) throws Denial {
        try {
            return kind.cast(EvidenceExtension.parse(ext));
        } catch (FormatException e) {
            throw Denial.malformed(e.getMessage());
        }
    }

    private static List<byte[]> crls(List<EvidenceExtension.Crl> crls) {
        return crls.stream().map(EvidenceExtension.Crl::der).toList();
    }

    /** The TCB Info with its issuer chain (concatenated DER, as the verifier reads a chain file). */
    private static IntelCollateral collateral(EvidenceExtension.TcbPackage tcb) {
        ByteArrayOutputStream chain = new ByteArrayOutputStream();
        tcb.issuerChain().forEach(chain::writeBytes);
        return new IntelCollateral.Files(
                tcb.tcbInfo(),
                chain.toByteArray(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }
}
