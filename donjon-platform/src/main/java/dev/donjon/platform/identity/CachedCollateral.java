package dev.donjon.platform.identity;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.csr.EvidenceExtension;
import dev.donjon.abi.csr.HostCollateralFiles;
import dev.donjon.platform.Backend;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.PlatformException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;

/**
 * Endorsements the host fetched ahead of time, which a Keep copies into its CSR so that the Steward can verify
 * offline (Enarx's {@code enarx platform ... cache} files, donjon-abi {@link HostCollateralFiles}; {@code donjon collateral
 * host-cache} writes them from the verified collateral cache). Each is kept as DER exactly as it goes into the CSR:
 * <ul>
 *   <li>{@code crls.der}: {@code SEQUENCE { SEQUENCE OF SEQUENCE { url UTF8String, crl CertificateList } }}</li>
 *   <li>{@code tcb.der} (SGX) / {@code tdx-tcb.der} (TDX): {@code SEQUENCE { SEQUENCE OF Certificate (signing cert,
 *       root), tcbInfo OCTET STRING (the PCS response, exact bytes) }}</li>
 * </ul>
 *
 * @param amdCrls   from the AMD cache directory (default /var/cache/amd-sev), for snp
 * @param amdVcek   {@code vcek.der} from the AMD cache directory, used when the host's configfs auxblob has no VCEK
 * @param intelCrls from the Intel cache directory (default /var/cache/intel-sgx), for sgx and tdx
 * @param sgxTcb    SGX TCB package
 * @param tdxTcb    TDX TCB package
 */
public record CachedCollateral(
        Optional<byte[]> amdCrls,
        Optional<byte[]> amdVcek,
        Optional<byte[]> intelCrls,
        Optional<byte[]> sgxTcb,
        Optional<byte[]> tdxTcb) {

    public static CachedCollateral none() {
        return new CachedCollateral(
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The same collateral with this VCEK (DER), e.g. one fetched from AMD KDS because the host supplied none. */
    public CachedCollateral withAmdVcek(byte[] vcekDer) {
        return new CachedCollateral(amdCrls, Optional.of(vcekDer.clone()), intelCrls, sgxTcb, tdxTcb);
    }

    /**
     * The CSR extension that carries {@code evidence} with the collateral it needs (donjon-abi writes it): the VCEK the
     * host supplied (else the cached one) and the cached AMD CRLs for snp (none for sim: a verifier pins the sim's
     * chain), the cached Intel CRLs and TCB package for sgx (required by Enarx's Steward) and tdx (optional).
     */
    public EvidenceExtension evidenceExtension(Evidence evidence) throws PlatformException {
        return switch (evidence) {
            case Evidence.None ignored -> new EvidenceExtension.Kvm();
            case Evidence.SnpReport snp ->
                new EvidenceExtension.Snp(
                        snp.simulated(),
                        snp.vcek()
                                .or(this::amdVcek)
                                .orElseThrow(
                                        () -> new PlatformException(
                                                "the host supplied no VCEK (configfs auxblob has none and there is no vcek.der in the "
                                                        + "AMD cache directory); a Steward cannot verify SNP evidence without it")),
                        snp.simulated() ? List.of() : crls(amdCrls),
                        snp.report());
            case Evidence.IntelQuote q
            when q.backend() == Backend.SGX ->
                new EvidenceExtension.Sgx(
                        q.quote(),
                        crls(
                                Optional.of(
                                        intelCrls.orElseThrow(
                                                () -> new PlatformException(
                                                        "no Intel CRLs cached (crls.der in the Intel cache directory): an Enarx-compatible SGX CSR must carry them")))),
                        tcb(
                                sgxTcb.orElseThrow(
                                        () -> new PlatformException(
                                                "no SGX TCB package cached (tcb.der in the Intel cache directory): an Enarx-compatible SGX CSR must carry it")),
                                "SGX"));
            case Evidence.IntelQuote q ->
                new EvidenceExtension.Tdx(
                        q.quote(),
                        intelCrls.isPresent() ? Optional.of(crls(intelCrls)) : Optional.empty(),
                        tdxTcb.isPresent() ? Optional.of(tcb(tdxTcb.get(), "TDX")) : Optional.empty());
        };
    }

    private static List<EvidenceExtension.Crl> crls(Optional<byte[]> crlList) throws PlatformException {
        if (crlList.isEmpty()) return List.of();
        try {
            return EvidenceExtension.parseCrlList(crlList.get());
        } catch (FormatException e) {
            throw new PlatformException(e);
        }
    }

    private static EvidenceExtension.TcbPackage tcb(byte[] der, String tee) throws PlatformException {
        try {
            return EvidenceExtension.parseTcbPackage(der, tee);
        } catch (FormatException e) {
            throw new PlatformException(e);
        }
    }

    /** Reads whichever files exist; a file that exists but is not one DER SEQUENCE is an error naming it. */
    public static CachedCollateral read(Path amdDirectory, Path intelDirectory) throws PlatformException {
        return new CachedCollateral(
                der(amdDirectory.resolve(HostCollateralFiles.CRLS)),
                der(amdDirectory.resolve(HostCollateralFiles.VCEK)),
                der(intelDirectory.resolve(HostCollateralFiles.CRLS)),
                der(intelDirectory.resolve(HostCollateralFiles.SGX_TCB)),
                der(intelDirectory.resolve(HostCollateralFiles.TDX_TCB)));
    }

    private static Optional<byte[]> der(Path file) throws PlatformException {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            byte[] bytes = Files.readAllBytes(file);
            ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(bytes));
            return Optional.of(bytes);
        } catch (IOException | RuntimeException e) {
            throw new PlatformException("cached collateral " + file + " is not a DER SEQUENCE: " + e.getMessage(), e);
        }
    }
}
