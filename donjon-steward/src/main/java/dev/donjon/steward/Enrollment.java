package dev.donjon.steward;

import java.security.cert.X509Certificate;
import java.util.List;

/** What the Steward answers to one certification request. */
public sealed interface Enrollment {

    /** A short label for metrics and logs: "issued", "malformed", "no_attestation:signature", "refused:snp.hash"... */
    String label();

    /** The certificate was issued; {@code chain} is CA first, then the Keep's certificate (as Enarx). */
    record Issued(List<X509Certificate> chain, AttestedKeep keep) implements Enrollment {
        public Issued {
            chain = List.copyOf(chain);
        }

        public X509Certificate certificate() { return chain.getLast(); }

        public String label() { return "issued"; }
    }

    /** The request itself is broken: not DER, bad CSR signature, several attestation extensions (HTTP 400). */
    record Malformed(String reason) implements Enrollment {
        public String label() { return "malformed"; }
    }

    /**
     * Nothing proves the Keep runs in a TEE: no evidence, evidence that proves nothing (KVM), or evidence that does not
     * verify or is not bound to the CSR key (HTTP 401). {@code cause} is "missing", "kvm", or the verifier's reason class.
     */
    record NoAttestation(String cause, String reason) implements Enrollment {
        public String label() { return "no_attestation:" + cause; }
    }

    /** Authentic evidence that the policy does not accept; {@code rule} names the policy key (HTTP 403). */
    record Refused(String rule, String reason) implements Enrollment {
        public String label() { return "refused:" + rule; }
    }
}
