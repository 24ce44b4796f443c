package dev.donjon.keep;

import dev.donjon.abi.csr.WorkloadIdentity;
import dev.donjon.common.Tls;
import dev.donjon.platform.Backend;
import dev.donjon.platform.Platform;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformSettings;
import dev.donjon.platform.identity.CachedCollateral;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.platform.identity.SelfSignedIdentity;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x509.Extension;

/**
 * A Keep's identity as Enarx makes it. With a {@code steward}: a key made in this process, evidence from the platform
 * binding it, a CSR carrying both, enrolled with the Steward; the issued chain is the Keep's certificate. A refused
 * enrollment stops the Keep with the Steward's reason before anything runs. Without a steward: a self-signed
 * {@code CN=localhost} certificate, as Enarx. Either way the private key never leaves this process.
 *
 * <p>TLS {@code connect} peers are judged by {@link Trust#peers}, listeners optionally require a client certificate
 * chained to {@link Trust#clientCa}.
 */
public final class AttestedIdentity implements IdentityProvider {

    private static final Logger LOG = Logger.getLogger(AttestedIdentity.class.getName());

    /**
     * Makes the Keep's key pair and its CSR with the platform's evidence and the {@code extra} CSR extensions (the
     * workload identity); called only when a Steward is configured. With the Steward's {@code nonce}, the evidence
     * binds it beside the key and the CSR carries it ({@link KeepIdentity#create(dev.donjon.platform.Platform,
     * dev.donjon.platform.identity.CachedCollateral, Optional, Extension...)}).
     */
    @FunctionalInterface
    public interface Source {
        KeepIdentity create(Optional<byte[]> nonce, Extension... extra) throws PlatformException;

        /** Refuses before anything is asked of the Steward when this source can never make evidence. */
        default void requireEvidence() throws PlatformException {}
    }

    /**
     * Who the Keep trusts. Empty: the JDK's default anchors.
     *
     * @param steward  anchors for the Steward's HTTPS server certificate
     * @param peers    anchors for the servers of {@code connect} + {@code tls} files
     * @param clientCa when present, TLS listeners require a client certificate chained to one of these
     */
    public record Trust(
            Optional<List<X509Certificate>> steward,
            Optional<List<X509Certificate>> peers,
            Optional<List<X509Certificate>> clientCa) {
        public static Trust jdkDefaults() {
            return new Trust(Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    private final Source source;
    private final Trust trust;
    private final Backend backend;
    private final Clock clock;
    private final Optional<String> slug;

    /** @param backend the Keep's backend: the self-signed key (no steward) is on its curve, as Enarx */
    public AttestedIdentity(Source source, Trust trust, Backend backend, Clock clock) {
        this(source, trust, backend, clock, Optional.empty());
    }

    private AttestedIdentity(Source source, Trust trust, Backend backend, Clock clock, Optional<String> slug) {
        this.source = source;
        this.trust = trust;
        this.backend = backend;
        this.clock = clock;
        this.slug = slug;
    }

    /**
     * The identity of a Keep whose evidence comes from {@code platform} (empty: a Keep without a TEE platform, which
     * serves self-signed and cannot enroll): with a Steward it enrolls through {@link #enroll}.
     */
    public static AttestedIdentity on(Optional<Platform> platform, Trust trust) {
        Source source = new Source() {
            @Override
            public KeepIdentity create(Optional<byte[]> nonce, Extension... extra) throws PlatformException {
                return enroll(platform, nonce, extra);
            }

            @Override
            public void requireEvidence() throws PlatformException {
                if (platform.isEmpty()) throw noPlatform();
            }
        };
        return new AttestedIdentity(
                source, trust, platform.map(Platform::backend).orElse(Backend.NIL), Clock.systemUTC());
    }

    /**
     * The one place a Keep's enrollment identity is made: a fresh key on the backend's curve, evidence from
     * {@code platform} binding it, and a CSR carrying both (and {@code extra}); hardware evidence goes with the
     * collateral the host cached (PlatformSettings from the environment). With the Steward's {@code nonce} the evidence
     * binds it beside the key (freshness); without one it is Enarx's CSR.
     */
    public static KeepIdentity enroll(Optional<Platform> platform, Optional<byte[]> nonce, Extension... extra)
            throws PlatformException {
        Platform p = platform.orElseThrow(AttestedIdentity::noPlatform);
        PlatformSettings settings = PlatformSettings.fromEnvironment(System.getenv());
        CachedCollateral collateral = p.backend().hardware()
                ? CachedCollateral.read(settings.amdCache(), settings.intelCache())
                : CachedCollateral.none();
        return KeepIdentity.create(p, collateral, nonce, extra);
    }

    /** The same identity for a workload that came from a registry as {@code slug}: the CSR names it. */
    public AttestedIdentity withSlug(Optional<String> slug) {
        return new AttestedIdentity(source, trust, backend, clock, slug);
    }

    @Override
    public SSLContext identify(Optional<URI> steward) {
        return tls(steward).connect();
    }

    /** Without a workload the CSR names none (and the Steward's certificate carries no {@code workload} claim). */
    @Override
    public KeepTls tls(Optional<URI> steward) {
        return tls(steward, new Extension[0]);
    }

    /** The CSR names the workload: the SHA-256 of the module bytes this Keep runs, and the slug when known. */
    @Override
    public KeepTls tls(Optional<URI> steward, Workload workload) {
        return tls(
                steward,
                steward.isPresent()
                        ? new Extension[] {
                            WorkloadIdentity.ofModule(slug, workload.module()).toExtension()
                        }
                        : new Extension[0]);
    }

    private KeepTls tls(Optional<URI> steward, Extension[] extra) {
        KeyPair key;
        List<X509Certificate> chain;
        try {
            if (steward.isPresent()) {
                source.requireEvidence();
                StewardClient client = new StewardClient(Tls.trusting(trust.steward()));
                // fresh evidence where the Steward offers a nonce; Enarx's CSR where it does not
                KeepIdentity identity = source.create(client.nonce(steward.get()), extra);
                key = identity.keyPair();
                chain = leafFirst(key, client.enroll(steward.get(), identity.csr()));
                X509Certificate leaf = chain.getFirst();
                LOG.info(() -> "enrolled with the Steward at " + steward.get() + " (" + identity.backend()
                        + " evidence): certificate " + leaf.getSerialNumber().toString(16) + " from "
                        + leaf.getIssuerX500Principal().getName() + ", valid until "
                        + leaf.getNotAfter().toInstant());
            } else {
                key = KeepIdentity.newKeyPair(backend);
                chain = List.of(SelfSignedIdentity.localhost(key, clock));
            }
            SSLContext connect = Tls.context(key.getPrivate(), chain, trust.peers());
            KeyPair keys = key;
            List<X509Certificate> issued = chain;
            Optional<KeepTls.Presenting> presenting =
                    Optional.of(anchors -> Tls.context(keys.getPrivate(), issued, anchors));
            if (trust.clientCa().isEmpty()) return new KeepTls(connect, connect, false, presenting);
            return new KeepTls(connect, Tls.context(key.getPrivate(), chain, trust.clientCa()), true, presenting);
        } catch (PlatformException e) {
            throw new KeepException("cannot make the Keep's identity: " + e.getMessage(), e);
        }
    }

    private static PlatformException noPlatform() {
        return new PlatformException(
                "this Keep has no TEE platform (nil backend): it has no evidence to enroll with the Steward");
    }

    /**
     * The issued certificates ordered for TLS: the one for our key first, then each issuer. Refuses a chain that does
     * not certify our key, is not linked by signatures, or is not valid now.
     */
    public static List<X509Certificate> leafFirst(KeyPair key, List<X509Certificate> issued) {
        List<X509Certificate> rest = new ArrayList<>(issued);
        X509Certificate leaf = rest.stream()
                .filter(c -> Arrays.equals(
                        c.getPublicKey().getEncoded(), key.getPublic().getEncoded()))
                .findFirst()
                .orElseThrow(() -> new KeepException("the Steward issued no certificate for this Keep's key"));
        rest.remove(leaf);
        List<X509Certificate> chain = new ArrayList<>(List.of(leaf));
        while (!rest.isEmpty()) {
            X509Certificate last = chain.getLast();
            X509Certificate issuer = rest.stream()
                    .filter(c -> c.getSubjectX500Principal().equals(last.getIssuerX500Principal()))
                    .findFirst()
                    .orElseThrow(() -> new KeepException("the Steward's chain has a certificate that does not issue "
                            + last.getSubjectX500Principal().getName()));
            try {
                last.verify(issuer.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new KeepException("the Steward's chain does not verify: " + e.getMessage(), e);
            }
            rest.remove(issuer);
            chain.add(issuer);
        }
        try {
            leaf.checkValidity(java.util.Date.from(java.time.Instant.now()));
        } catch (GeneralSecurityException e) {
            throw new KeepException("the Steward issued a certificate that is not valid now: " + e.getMessage(), e);
        }
        return List.copyOf(chain);
    }
}
