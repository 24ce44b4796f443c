package dev.donjon.host.keep;

import dev.donjon.abi.csr.WorkloadIdentity;
import dev.donjon.common.Pem;
import dev.donjon.common.Tls;
import dev.donjon.host.protocol.PackageReference;
import dev.donjon.keep.AttestedIdentity;
import dev.donjon.keep.KeepException;
import dev.donjon.keep.StewardClient;
import dev.donjon.platform.Platform;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.identity.KeepIdentity;
import java.io.IOException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Keep that must fetch a private package enrolls with the Steward its {@link PackageReference} names <em>before</em>
 * fetching: the package (and its Enarx.toml) cannot be read without the certificate. The CSR's workload identity
 * names the slug only; no module digest, since the module is not yet known. The registry then sees an attested Keep
 * (the Steward checked its evidence against its policy) asking for this package.
 */
final class RegistryEnrollment {

    private RegistryEnrollment() {}

    /** The identity to fetch {@code ref} with: none without a Steward in the reference; else a freshly issued one. */
    static KeepTlsIdentity.Source forReference(PackageReference ref, Optional<Platform> platform)
            throws WorkloadRunner.WorkloadFailedException {
        if (ref.steward().isEmpty()) return KeepTlsIdentity.Source.NONE;
        URI steward = URI.create(ref.steward().get());
        try {
            List<X509Certificate> anchors = Tls.jdkAnchorsPlus(certificates(ref.stewardCas(), "a Steward CA"));
            StewardClient client = new StewardClient(Tls.trusting(Optional.of(anchors)));
            KeepIdentity identity = AttestedIdentity.enroll(
                    platform,
                    client.nonce(steward),
                    WorkloadIdentity.ofSlug(ref.spec()).toExtension());
            List<X509Certificate> issued = client.enroll(steward, identity.csr());
            return KeepTlsIdentity.Source.of(new KeepTlsIdentity(
                    identity.keyPair().getPrivate(), AttestedIdentity.leafFirst(identity.keyPair(), issued)));
        } catch (PlatformException | KeepException e) {
            throw new WorkloadRunner.WorkloadFailedException(
                    "cannot enroll with the Steward at " + steward + " to fetch " + ref.spec() + ": " + e.getMessage());
        }
    }

    /** The DER certificates a package reference carries ({@code what}: "a Steward CA", "a registry CA"). */
    static List<X509Certificate> certificates(List<byte[]> ders, String what)
            throws WorkloadRunner.WorkloadFailedException {
        List<X509Certificate> out = new ArrayList<>();
        for (byte[] der : ders) {
            try {
                out.addAll(Pem.certificates(der, what + " in the package reference"));
            } catch (IOException e) {
                throw new WorkloadRunner.WorkloadFailedException(e.getMessage());
            }
        }
        return out;
    }
}
