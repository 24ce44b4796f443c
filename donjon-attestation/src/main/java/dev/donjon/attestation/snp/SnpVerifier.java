package dev.donjon.attestation.snp;

import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.abi.snp.KdsExtensions;
import dev.donjon.abi.snp.ProductLine;
import dev.donjon.abi.snp.SigningKey;
import dev.donjon.abi.snp.TcbVersion;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.TeeVerifier;
import dev.donjon.attestation.VerificationException;
import dev.donjon.attestation.VerificationResult;
import dev.donjon.attestation.crypto.CsrSignature;
import dev.donjon.common.OneLine;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Verifies AMD SEV-SNP evidence (raw report, configfs-tsm JSON, Enarx keep CSR) in the order that names the first
 * defect precisely: parse ({@code malformed}), endorsement chain ({@code chain}, {@code revoked}, {@code expired}),
 * report and CSR signatures ({@code signature}), then what ties the pieces together ({@code binding}): the CSR key in
 * REPORT_DATA, the VCEK's TCB and hwID against the report, the product line against the AMD root.
 * Chains are memoized per instance (see {@link AmdChainValidator}); keep one instance to benefit.
 */
public final class SnpVerifier implements TeeVerifier {

    private final AmdChainValidator chains;

    /** Trusts AMD's ARKs only (what the ServiceLoader registration gives every caller). */
    public SnpVerifier() {
        this(new AmdChainValidator());
    }

    /** Trusts {@code trust}: e.g. {@code SnpTrustAnchors.amd().withSimulatedRoots(simArk)} for the sim platform. */
    public SnpVerifier(SnpTrustAnchors trust) {
        this(new AmdChainValidator(trust));
    }

    public SnpVerifier(AmdChainValidator chains) {
        this.chains = chains;
    }

    @Override
    public Tee tee() {
        return Tee.SNP;
    }

    @Override
    public VerificationResult verify(EvidenceInput input, Instant now) {
        try {
            return new VerificationResult.Accepted(Tee.SNP, check(input, now), Optional.empty(), List.of());
        } catch (VerificationException e) {
            return new VerificationResult.Rejected(Tee.SNP, e.reason(), e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            // a parser bug must still refuse, never accept nor escape
            return new VerificationResult.Rejected(
                    Tee.SNP, RejectReason.MALFORMED, "evidence could not be processed: " + OneLine.of(e));
        }
    }

    /** Every check; returns the claims of authentic evidence or throws the first defect found. */
    public SnpClaims check(EvidenceInput input, Instant now) throws VerificationException {
        if (input.tee() != Tee.SNP)
            throw new MalformedEvidenceException(
                    "evidence is for " + input.tee().wireName() + ", not snp");
        SnpEvidence evidence = read(input);
        AttestationReport report = evidence.report();
        SigningKey signingKey = report.signingKey();

        byte[] pinned = input.endorsements()
                .amdChain()
                .orElseThrow(() ->
                        new VerificationException(RejectReason.CHAIN, "no pinned AMD chain (ASK/ASVK + ARK) supplied"));
        ValidatedChain chain =
                chains.validate(signingKey, pinned, endorsementBytes(evidence, input, signingKey), () -> {
                    List<X509CRLHolder> crls = new ArrayList<>(evidence.carriedCrls());
                    for (byte[] crl : input.endorsements().crls()) crls.addAll(CertificateFiles.crls(crl, "CRL"));
                    return new AmdChainValidator.Endorsements(
                            leaf(evidence, input, signingKey), evidence.carriedCas(), crls);
                });
        chain.checkValidAt(now);

        ReportSignature.verify(report, chain.leafKey(), signingKey.name());
        if (evidence.csr().isPresent()) checkCsr(evidence.csr().get(), report);

        ProductLine product = product(report, chain);
        checkEndorsedTcb(report, chain, product);
        return SnpClaims.of(report, product, chain.simulated());
    }

    private static SnpEvidence read(EvidenceInput input) throws MalformedEvidenceException {
        byte[] bytes = input.evidence();
        if (bytes == null) throw new MalformedEvidenceException("no evidence bytes");
        return switch (input.container()) {
            case SNP_REPORT -> SnpEvidence.bare(SnpEvidence.report(bytes));
            case TSM_JSON -> TsmReport.read(bytes);
            case ENARX_CSR -> EnarxSnpCsr.read(bytes);
            case INTEL_QUOTE -> throw new MalformedEvidenceException("an Intel quote is not SEV-SNP evidence");
        };
    }

    private static X509CertificateHolder leaf(SnpEvidence evidence, EvidenceInput input, SigningKey signingKey)
            throws VerificationException {
        if (evidence.carriedLeaf().isPresent()) return evidence.carriedLeaf().get();
        Optional<byte[]> supplied = signingKey == SigningKey.VLEK
                ? input.endorsements().vlek()
                : input.endorsements().vcek();
        if (supplied.isEmpty()) {
            throw new VerificationException(
                    RejectReason.CHAIN,
                    "the report is signed by a " + signingKey + " but no " + signingKey + " certificate was supplied");
        }
        return CertificateFiles.firstCertificate(supplied.get(), signingKey.name());
    }

    /**
     * Every byte the chain's endorsements are parsed from, in a fixed order: the leaf as carried (re-encoded) or as
     * supplied, the carried CAs and CRLs, a separator, the supplied CRL files.
     */
    private static List<byte[]> endorsementBytes(SnpEvidence evidence, EvidenceInput input, SigningKey signingKey)
            throws MalformedEvidenceException {
        List<byte[]> bytes = new ArrayList<>();
        try {
            if (evidence.carriedLeaf().isPresent()) {
                bytes.add(new byte[] {1});
                bytes.add(evidence.carriedLeaf().get().getEncoded());
            } else {
                bytes.add(new byte[] {2});
                bytes.add((signingKey == SigningKey.VLEK
                                ? input.endorsements().vlek()
                                : input.endorsements().vcek())
                        .orElse(new byte[0]));
            }
            for (X509CertificateHolder ca : evidence.carriedCas()) bytes.add(ca.getEncoded());
            bytes.add(new byte[] {3});
            for (X509CRLHolder crl : evidence.carriedCrls()) bytes.add(crl.getEncoded());
            bytes.add(new byte[] {4});
            bytes.addAll(input.endorsements().crls());
        } catch (java.io.IOException e) {
            throw new MalformedEvidenceException("carried endorsements do not re-encode: " + OneLine.of(e));
        }
        return bytes;
    }

    /** Enarx binding: the CSR is self-signed by the Keep's key and REPORT_DATA = SHA-384(its SPKI DER) || 16 zero bytes. */
    private static void checkCsr(PKCS10CertificationRequest csr, AttestationReport report)
            throws VerificationException {
        if (!CsrSignature.verifies(csr))
            throw new VerificationException(RejectReason.SIGNATURE, "CSR self-signature does not verify");
        byte[] expected = new byte[64];
        try {
            byte[] digest = MessageDigest.getInstance("SHA-384")
                    .digest(csr.getSubjectPublicKeyInfo().getEncoded());
            System.arraycopy(digest, 0, expected, 0, digest.length);
        } catch (Exception e) {
            throw new MalformedEvidenceException("CSR public key does not encode: " + OneLine.of(e));
        }
        if (!MessageDigest.isEqual(expected, report.reportData())) {
            throw new VerificationException(RejectReason.BINDING, "REPORT_DATA is not SHA-384 of the CSR public key");
        }
    }

    /** CPUID (reports v3+) names the product; older reports are named by their VCEK, then by the ARK. */
    private static ProductLine product(AttestationReport report, ValidatedChain chain) throws VerificationException {
        Optional<ProductLine> fromCpuid = report.cpuid().flatMap(c -> ProductLine.fromCpuid(c.family(), c.model()));
        if (fromCpuid.isPresent()
                && chain.product().isPresent()
                && fromCpuid.get() != chain.product().get()) {
            throw new VerificationException(
                    RejectReason.BINDING,
                    "report CPUID is " + fromCpuid.get().kdsName() + " but the endorsements chain to ARK-"
                            + chain.product().get().kdsName());
        }
        return fromCpuid
                .or(() -> chain.extensions().productName().flatMap(ProductLine::fromName))
                .or(chain::product)
                .orElseThrow(() -> new VerificationException(
                        RejectReason.MALFORMED, "cannot tell the AMD product line of the report"));
    }

    /**
     * The VCEK/VLEK is issued for one TCB (and a VCEK for one chip): its SPL extensions must equal REPORTED_TCB and its
     * hwID must equal CHIP_ID (Turin: the first 8 bytes, the rest zero); the hwID check is skipped for VLEKs and
     * for a zero CHIP_ID (MASK_CHIP_ID).
     */
    private static void checkEndorsedTcb(AttestationReport report, ValidatedChain chain, ProductLine product)
            throws VerificationException {
        KdsExtensions ext = chain.extensions();
        TcbVersion tcb = TcbVersion.decode(report.reportedTcb(), product);
        String who = chain.signingKey().name();
        spl(who, "blSPL", ext.blSpl(), tcb.bootloader());
        spl(who, "teeSPL", ext.teeSpl(), tcb.tee());
        spl(who, "snpSPL", ext.snpSpl(), tcb.snp());
        spl(who, "ucodeSPL", ext.ucodeSpl(), tcb.microcode());
        if (product == ProductLine.TURIN) spl(who, "fmcSPL", ext.fmcSpl(), tcb.fmc());

        byte[] chipId = report.chipId();
        if (chain.signingKey() == SigningKey.VLEK || isZero(chipId)) return;
        byte[] hwId = ext.hwId()
                .orElseThrow(() -> new VerificationException(RejectReason.BINDING, "VCEK has no hwID extension"));
        boolean equal = product == ProductLine.TURIN
                ? hwId.length == 8
                        && Arrays.equals(hwId, Arrays.copyOf(chipId, 8))
                        && isZero(Arrays.copyOfRange(chipId, 8, 64))
                : Arrays.equals(hwId, chipId);
        if (!equal)
            throw new VerificationException(RejectReason.BINDING, "VCEK hwID does not match the report's CHIP_ID");
    }

    private static void spl(String who, String name, java.util.OptionalInt endorsed, int reported)
            throws VerificationException {
        if (endorsed.isEmpty())
            throw new VerificationException(RejectReason.BINDING, who + " has no " + name + " extension");
        if (endorsed.getAsInt() != reported) {
            throw new VerificationException(
                    RejectReason.BINDING,
                    who + " " + name + " is " + endorsed.getAsInt() + " but REPORTED_TCB has " + reported);
        }
    }

    private static boolean isZero(byte[] a) {
        for (byte x : a) if (x != 0) return false;
        return true;
    }
}
