package dev.donjon.host.keep;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Keep's attested identity for TLS: its private key (made inside the Keep, never leaves it) and the certificate
 * chain a Steward issued for it, leaf first. The registry releases private workloads to a client presenting such a
 * chain. This is the seam for Steward enrollment: whatever enrolls the Keep hands the result here.
 */
public record KeepTlsIdentity(PrivateKey key, List<X509Certificate> chain) {
    public KeepTlsIdentity {
        if (chain.isEmpty()) throw new IllegalArgumentException("a Keep identity needs its certificate chain");
        chain = List.copyOf(chain);
    }

    /** Where a Keep gets its identity when it needs one; asked at most once, when a fetch needs it. */
    @FunctionalInterface
    public interface Source extends Supplier<Optional<KeepTlsIdentity>> {
        /** A Keep without a Steward certificate: it fetches anonymously (or with the owner's token). */
        Source NONE = Optional::empty;

        static Source of(KeepTlsIdentity identity) {
            return () -> Optional.of(identity);
        }
    }

    @Override
    public String toString() {
        return "KeepTlsIdentity[" + chain.getFirst().getSubjectX500Principal() + "]";
    }
}
