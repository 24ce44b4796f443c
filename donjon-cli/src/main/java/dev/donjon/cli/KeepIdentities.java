package dev.donjon.cli;

import dev.donjon.keep.AttestedIdentity;
import dev.donjon.keep.TrustAnchorFiles;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformSelector;
import dev.donjon.platform.PlatformSettings;
import dev.donjon.platform.identity.CachedCollateral;
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
                plusJdk(stewardCa, "--steward-ca"), plusJdk(tlsCa, "--tls-ca"),
                Optional.ofNullable(tlsClientCa).map(f -> TrustAnchorFiles.read(f, "--tls-client-ca")));
        return new AttestedIdentity(new Evidence(backend), trust, backend.platform().backend(), Clock.systemUTC());
    }

    /**
     * A class, not a lambda: making a lambda resolves its method type, whose BouncyCastle parameter would load and
     * verify the signed BouncyCastle jar (≈0.1-0.3 s of CPU) in every {@code run}, also those that never enroll.
     */
    private record Evidence(PlatformSelector.Selection backend) implements AttestedIdentity.Source {
        @Override
        public KeepIdentity create(org.bouncycastle.asn1.x509.Extension... extra) throws PlatformException {
            return evidence(backend, PlatformSettings.fromEnvironment(System.getenv()), extra);
        }
    }

    /** The Keep key and CSR on the selected backend; only called when the workload has a steward. */
    private static KeepIdentity evidence(PlatformSelector.Selection selection, PlatformSettings settings,
                                         org.bouncycastle.asn1.x509.Extension... extra) throws PlatformException {
        if (selection.insecure()) {
            LOG.warning(() -> "enrolling with " + selection.platform().backend() + " evidence ("
                    + (selection.platform().backend().wireName().equals("sim") ? "SIMULATED" : "none: no TEE") + "); the Steward's policy decides");
        }
        CachedCollateral collateral = selection.platform().backend().hardware()
                ? CachedCollateral.read(settings.amdCache(), settings.intelCache()) : CachedCollateral.none();
        return KeepIdentity.create(selection.platform(), collateral, extra);
    }

    private static Optional<List<X509Certificate>> plusJdk(Path file, String option) {
        return Optional.ofNullable(file).map(f -> TrustAnchorFiles.jdkDefaultsPlus(TrustAnchorFiles.read(f, option)));
    }
}
