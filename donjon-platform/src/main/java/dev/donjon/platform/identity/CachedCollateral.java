package dev.donjon.platform.identity;

import dev.donjon.platform.PlatformException;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Endorsements the host fetched ahead of time, which a Keep copies into its CSR so that the Steward can verify
 * offline (Enarx's {@code enarx platform ... cache} files). Each is kept as DER exactly as it goes into the CSR:
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
public record CachedCollateral(Optional<byte[]> amdCrls, Optional<byte[]> amdVcek, Optional<byte[]> intelCrls,
                               Optional<byte[]> sgxTcb, Optional<byte[]> tdxTcb) {

    public static CachedCollateral none() {
        return new CachedCollateral(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The same collateral with this VCEK (DER), e.g. one fetched from AMD KDS because the host supplied none. */
    public CachedCollateral withAmdVcek(byte[] vcekDer) {
        return new CachedCollateral(amdCrls, Optional.of(vcekDer.clone()), intelCrls, sgxTcb, tdxTcb);
    }

    /** Reads whichever files exist; a file that exists but is not one DER SEQUENCE is an error naming it. */
    public static CachedCollateral read(Path amdDirectory, Path intelDirectory) throws PlatformException {
        return new CachedCollateral(der(amdDirectory.resolve("crls.der")), der(amdDirectory.resolve("vcek.der")),
                der(intelDirectory.resolve("crls.der")), der(intelDirectory.resolve("tcb.der")), der(intelDirectory.resolve("tdx-tcb.der")));
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
