package dev.donjon.steward;

import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;

/** What the Steward answers to one certification request. */
public sealed interface Enrollment {

    /** A short label for metrics and logs: "issued", "malformed", "no_attestation:signature", "refused:snp.hash"... */
    String label();

    /**
     * The certificate was issued; {@code certificates} is CA first, then the Keep's certificate (as Enarx), as
     * BouncyCastle holds them: their DER goes on the wire as it is, without a round trip through JCA objects.
     */
    record Issued(List<X509CertificateHolder> certificates, AttestedKeep keep) implements Enrollment {
        private static final JcaX509CertificateConverter CONVERTER = new JcaX509CertificateConverter();

        public Issued {
            certificates = List.copyOf(certificates);
        }

        /** The chain as JCA certificates (parsed on each call). */
        public List<X509Certificate> chain() {
            return certificates.stream().map(Issued::jca).toList();
        }

        /** The Keep's certificate as a JCA certificate. */
        public X509Certificate certificate() {
            return jca(certificates.getLast());
        }

        private static X509Certificate jca(X509CertificateHolder holder) {
            try {
                return CONVERTER.getCertificate(holder);
            } catch (java.security.cert.CertificateException e) {
                throw new IllegalStateException("an issued certificate does not parse: " + e.getMessage(), e);
            }
        }

        public String label() {
            return "issued";
        }
    }

    /** The request itself is broken: not DER, bad CSR signature, several attestation extensions (HTTP 400). */
    record Malformed(String reason) implements Enrollment {
        public String label() {
            return "malformed";
        }
    }

    /**
     * Nothing proves the Keep runs in a TEE: no evidence, evidence that proves nothing (KVM), or evidence that does not
     * verify or is not bound to the CSR key (HTTP 401). {@code cause} is "missing", "kvm", or the verifier's reason class.
     */
    record NoAttestation(String cause, String reason) implements Enrollment {
        public String label() {
            return "no_attestation:" + cause;
        }
    }

    /** Authentic evidence that the policy does not accept; {@code rule} names the policy key (HTTP 403). */
    record Refused(String rule, String reason) implements Enrollment {
        public String label() {
            return "refused:" + rule;
        }
    }
}
