package dev.donjon.steward;

import dev.donjon.attestation.Tee;
import dev.donjon.attestation.Verifiers;
import dev.donjon.attestation.policy.Policy;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.Extension;

/**
 * The Steward's core, without HTTP: a Keep's DER CSR in, an {@link Enrollment} out. Checks, in order: the CSR's form
 * and self-signature, exactly one attestation extension, the evidence (verifiers, pinned anchors, the clock), the
 * binding of REPORT_DATA to the CSR key, the policy; then issues a certificate carrying the claims.
 * Thread-safe; one instance serves all requests (verifiers memoize validated chains).
 */
public final class Steward {

    /**
     * @param validity lifetime of issued certificates (Enarx: 28 days)
     * @param dnsNames subjectAltName DNS names put in every issued certificate
     */
    public record Config(CertificateAuthority ca, StewardPolicy policy, TrustAnchors anchors, Clock clock, Duration validity,
                         List<String> dnsNames) {
        public static final Duration DEFAULT_VALIDITY = Duration.ofDays(28);

        public Config {
            dnsNames = List.copyOf(dnsNames);
            if (validity.isNegative() || validity.isZero()) throw new IllegalArgumentException("certificate validity must be positive");
        }
    }

    private final Config config;
    private final AtomicReference<StewardPolicy> policy;
    private final Map<ASN1ObjectIdentifier, EvidenceCheck> checks;

    public Steward(Config config) {
        this.config = config;
        this.policy = new AtomicReference<>(config.policy());
        Verifiers verifiers = Verifiers.load();
        // One line per kind of evidence: the OID a Keep puts in its CSR and what checks it.
        Map<ASN1ObjectIdentifier, EvidenceCheck> c = new LinkedHashMap<>();
        c.put(DonjonOids.ENARX_KVM, new NoEvidence("kvm"));
        c.put(DonjonOids.ENARX_SGX, new VerifiedEvidence("sgx", Tee.SGX, verifiers.forTee(Tee.SGX), config.anchors().intel(),
                KeyBinding.SHA_256, () -> section(p -> p.hardware().sgx().isPresent(), StewardPolicy::hardware)));
        c.put(DonjonOids.ENARX_SNP, new VerifiedEvidence("snp", Tee.SNP, verifiers.forTee(Tee.SNP), config.anchors().amd(),
                KeyBinding.SHA_384, () -> section(p -> p.hardware().snp().isPresent(), StewardPolicy::hardware)));
        c.put(DonjonOids.DONJON_SIM, SimEvidence.check(config.policy(), () -> policy.get().sim()));
        this.checks = Map.copyOf(c);
    }

    private Optional<Policy> section(java.util.function.Predicate<StewardPolicy> present, java.util.function.Function<StewardPolicy, Policy> get) {
        StewardPolicy p = policy.get();
        return present.test(p) ? Optional.of(get.apply(p)) : Optional.empty();
    }

    public Config config() { return config; }

    public CertificateAuthority ca() { return config.ca(); }

    public Instant now() { return config.clock().instant(); }

    /** Replaces the policy for the requests that follow (e.g. after the file changed). */
    public void policy(StewardPolicy next) { policy.set(next); }

    /** Checks one DER CSR and, if everything holds, issues its certificate. Never throws for bad input. */
    public Enrollment enroll(byte[] der) {
        try {
            return issue(attest(der));
        } catch (Denial d) {
            return d.verdict();
        }
    }

    /** Everything but issuing: what a certificate or a token would say about the Keep that made {@code der}. */
    public AttestedCsr attest(byte[] der) throws Denial {
        KeepCsr csr = KeepCsr.parse(der, checks.keySet());
        Extension evidence = csr.attestation().orElseThrow(() -> Denial.noAttestation("missing",
                "the CSR carries no attestation extension (" + DonjonOids.ENARX_SNP + ", " + DonjonOids.ENARX_SGX + ", ...)"));
        EvidenceCheck check = checks.get(evidence.getExtnId());
        AttestedKeep keep = check.check(csr, evidence, now()).withWorkload(csr.workload());
        return new AttestedCsr(csr, keep);
    }

    /** A CSR whose evidence verified and passed the policy. */
    public record AttestedCsr(KeepCsr csr, AttestedKeep keep) {}

    Enrollment.Issued issue(AttestedCsr attested) {
        X509Certificate cert = config.ca().issue(attested.csr().publicKey(), ClaimsExtension.of(attested.keep()), config.dnsNames(),
                now(), config.validity());
        return new Enrollment.Issued(List.of(config.ca().certificate(), cert), attested.keep());
    }
}
