package dev.donjon.host.keep;

import dev.donjon.host.protocol.KeepEvidence;
import java.util.Optional;

/**
 * Where a Keep's evidence comes from: the platform backend it runs on. The seam for donjon-platform's backends
 * (sim, snp, tdx, sgx); {@code nil} has none.
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
        public String backend() { return "nil"; }

        @Override
        public Optional<KeepEvidence> attest(byte[] reportData) { return Optional.empty(); }
    };

    /** The source for a backend name; a backend this build cannot provide is refused with the reason. */
    static EvidenceSource forBackend(String name) {
        return switch (name) {
            case "nil" -> NIL;
            case "sim", "snp", "tdx", "sgx" -> throw new IllegalStateException("backend " + name
                    + " cannot make deploy evidence yet: the platform backends are not merged into this build");
            default -> throw new IllegalArgumentException("unknown backend \"" + name + "\" (expected nil, sim, snp, tdx or sgx)");
        };
    }
}
