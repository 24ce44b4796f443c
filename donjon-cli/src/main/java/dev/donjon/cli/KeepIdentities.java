package dev.donjon.cli;

import dev.donjon.common.Tls;
import dev.donjon.keep.AttestedIdentity;
import dev.donjon.keep.TrustAnchorFiles;
import dev.donjon.platform.Backend;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformSelector;
import dev.donjon.platform.identity.KeepIdentity;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/** The identity of a Keep started by {@code donjon run}: the backend and trust options turned into an {@link AttestedIdentity}. */
final class KeepIdentities {
    private static final Logger LOG = Logger.getLogger(KeepIdentities.class.getName());

    private KeepIdentities() {}

    static AttestedIdentity forRun(PlatformSelector.Selection backend, Path stewardCa, Path tlsCa, Path tlsClientCa) {
        // files are read now, so that a bad path is reported before anything else happens
        AttestedIdentity.Trust trust = new AttestedIdentity.Trust(
                plusJdk(stewardCa, "--steward-ca"),
                plusJdk(tlsCa, "--tls-ca"),
                Optional.ofNullable(tlsClientCa).map(f -> TrustAnchorFiles.read(f, "--tls-client-ca")));
        return new AttestedIdentity(
                new Evidence(backend), trust, backend.platform().backend(), Clock.systemUTC());
    }

    /**
     * A class, not a lambda: making a lambda resolves its method type, whose BouncyCastle parameter would load
     * BouncyCastle's classes in every {@code run}, also those that never enroll.
     */
    private record Evidence(PlatformSelector.Selection backend) implements AttestedIdentity.Source {
        @Override
        public KeepIdentity create(Optional<byte[]> nonce, org.bouncycastle.asn1.x509.Extension... extra)
                throws PlatformException {
            return enroll(backend, nonce, extra);
        }
    }

    /** The Keep key and CSR on the selected backend (said loudly when it proves nothing); only called when the workload has a steward. */
    private static KeepIdentity enroll(
            PlatformSelector.Selection selection, Optional<byte[]> nonce, org.bouncycastle.asn1.x509.Extension... extra)
            throws PlatformException {
        if (selection.insecure()) {
            LOG.warning(() -> "enrolling with " + selection.platform().backend() + " evidence ("
                    + (selection.platform().backend() == Backend.SIM ? "SIMULATED" : "none: no TEE")
                    + "); the Steward's policy decides");
        }
        return AttestedIdentity.enroll(Optional.of(selection.platform()), nonce, extra);
    }

    private static Optional<List<X509Certificate>> plusJdk(Path file, String option) {
        return Optional.ofNullable(file).map(f -> Tls.jdkAnchorsPlus(TrustAnchorFiles.read(f, option)));
    }
}
