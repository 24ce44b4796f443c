package dev.donjon.host.keep;

import dev.donjon.common.Pem;
import dev.donjon.host.protocol.KeepEvidence;
import dev.donjon.platform.Backend;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.Platform;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformSettings;
import dev.donjon.platform.Platforms;
import java.time.Clock;
import java.util.Optional;

/**
 * Where a Keep's evidence comes from: the donjon-platform backend it runs on ({@code nil} has none). The Keep asks
 * for evidence over exactly the deployment's report data and passes what the platform returned on unchanged.
 */
public interface EvidenceSource {

    /** The backend name the Keep reports ("nil", "sim", "snp", ...). */
    String backend();

    /**
     * Evidence whose report data is exactly {@code reportData} (64 bytes), or empty for a backend without a TEE.
     *
     * @throws IllegalStateException when the platform cannot produce evidence; the message says why
     */
    Optional<KeepEvidence> attest(byte[] reportData);

    /** The {@code nil} backend: no TEE, no evidence. A client accepts it only when told to run insecurely. */
    EvidenceSource NIL = new EvidenceSource() {
        @Override
        public String backend() {
            return "nil";
        }

        @Override
        public Optional<KeepEvidence> attest(byte[] reportData) {
            return Optional.empty();
        }
    };

    /** The source for a backend name, configured from the environment as {@code donjon platform info} is. */
    static EvidenceSource forBackend(String name) {
        Backend backend = Backend.fromWireName(name)
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown backend \"" + name + "\" (expected nil, sim, snp, tdx or sgx)"));
        if (backend == Backend.NIL) return NIL;
        Platform platform = Platforms.all(PlatformSettings.fromEnvironment(System.getenv()), Clock.systemUTC()).stream()
                .filter(p -> p.backend() == backend)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("this build has no " + name + " platform"));
        return new PlatformEvidence(platform);
    }

    /** Evidence from a donjon-platform backend, in the attestation module's container formats. */
    record PlatformEvidence(Platform platform) implements EvidenceSource {
        @Override
        public String backend() {
            return platform.backend().wireName();
        }

        @Override
        public Optional<KeepEvidence> attest(byte[] reportData) {
            Evidence evidence;
            try {
                evidence = platform.attest(reportData);
            } catch (PlatformException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            return switch (evidence) {
                case Evidence.None n -> Optional.empty();
                // the VCEK first (the verifier takes the first certificate as the signer), then any CA the host
                // supplied
                case Evidence.SnpReport r ->
                    Optional.of(new KeepEvidence(
                            "snp",
                            "snp-report",
                            r.report(),
                            Pem.certificates(
                                    r.vcek().map(v -> prepend(v, r.caCerts())).orElse(r.caCerts()))));
                case Evidence.IntelQuote q ->
                    Optional.of(new KeepEvidence(q.backend().wireName(), "intel-quote", q.quote(), new byte[0]));
            };
        }

        private static java.util.List<byte[]> prepend(byte[] first, java.util.List<byte[]> rest) {
            java.util.List<byte[]> all = new java.util.ArrayList<>();
            all.add(first);
            all.addAll(rest);
            return all;
        }
    }
}
