package dev.donjon.keep;

import dev.donjon.platform.Backend;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.platform.identity.TlsContexts;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The identity of a Keep without a Steward, as in Enarx: a fresh key of the backend's curve (P-384 for snp and sim,
 * P-256 otherwise) and a self-signed CN=localhost certificate valid one year, EKU server and client auth. It proves
 * nothing about the Keep; it only lets {@code prot = "tls"} work. Peers of TLS connects are judged by the JDK's
 * default trust anchors.
 *
 * <p>A {@code steward} is refused: enrollment (an attested key in a CSR sent to the Steward) is not implemented yet,
 * and a Keep must not look enrolled when it is not.
 */
public final class SelfSignedIdentity implements IdentityProvider {
    private final Backend backend;

    /** For the {@code nil} backend (P-256). */
    public SelfSignedIdentity() { this(Backend.NIL); }

    public SelfSignedIdentity(Backend backend) { this.backend = Objects.requireNonNull(backend, "backend"); }

    @Override
    public SSLContext identify(Optional<URI> steward) {
        if (steward.isPresent()) {
            throw new KeepException("steward enrollment is not implemented yet (steward = \"" + steward.get()
                    + "\"); remove the steward key to run with a self-signed identity");
        }
        try {
            KeyPair key = KeepIdentity.newKeyPair(backend);
            X509Certificate cert = dev.donjon.platform.identity.SelfSignedIdentity.localhost(key, Clock.systemUTC());
            return TlsContexts.of(key.getPrivate(), List.of(cert), Optional.empty());
        } catch (PlatformException e) {
            throw new KeepException("cannot make the Keep's self-signed TLS identity: " + e.getMessage(), e);
        }
    }
}
