package dev.donjon.steward;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.csr.EvidenceOids;
import dev.donjon.abi.csr.KeepCsr;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.IntelCollateral;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.Verifiers;
import dev.donjon.attestation.crypto.CsrSignature;
import dev.donjon.attestation.snp.SnpTrustAnchors;
import dev.donjon.attestation.snp.SnpVerifier;
import dev.donjon.collateral.CollateralUnavailableException;
import dev.donjon.collateral.QuoteCollateral;
import dev.donjon.common.OneLine;
import dev.donjon.common.Pem;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * The Steward's core, without HTTP: a Keep's DER CSR in, an {@link Enrollment} out. Checks, in order: the CSR's form
 * and self-signature, exactly one attestation extension, the evidence (verifiers, pinned anchors, the clock), the
 * binding of REPORT_DATA to the CSR key, the policy; then issues a certificate carrying the claims.
 * Thread-safe; one instance serves all requests (the verifiers memoize validated chains, still judged at each instant).
 */
public final class Steward {

    /**
     * @param validity lifetime of issued certificates (Enarx: 28 days)
     * @param dnsNames subjectAltName DNS names put in every issued certificate
     */
    public record Config(
            CertificateAuthority ca,
            StewardPolicy policy,
            TrustAnchors anchors,
            Clock clock,
            Duration validity,
            List<String> dnsNames,
            Optional<QuoteCollateral> collateral) {
        public static final Duration DEFAULT_VALIDITY = Duration.ofDays(28);

        /**
         * @param collateral where SGX and TDX quotes get their TCB Info, QE Identity and CRLs (the collateral cache); empty:
         *                   only what the CSR carries (Enarx's TCB package, no QE Identity)
         */
        public Config {
            dnsNames = List.copyOf(dnsNames);
            if (validity.isNegative() || validity.isZero())
                throw new IllegalArgumentException("certificate validity must be positive");
        }

        /** Without a collateral cache: SGX and TDX are judged with what their CSR carries. */
        public Config(
                CertificateAuthority ca,
                StewardPolicy policy,
                TrustAnchors anchors,
                Clock clock,
                Duration validity,
                List<String> dnsNames) {
            this(ca, policy, anchors, clock, validity, dnsNames, Optional.empty());
        }
    }

    /**
     * Whether evidence must be fresh. Either way the Steward hands out nonces ({@link #issueNonce}) and a CSR that
     * carries one must bind it and may use it once.
     *
     * @param required      refuse CSRs without a nonce (freshness mode); false: Enarx's CSRs, which carry none, are
     *                      accepted as Enarx's Steward accepts them (see README, "Freshness")
     * @param nonceLifetime how long an issued nonce may be used
     */
    public record Freshness(boolean required, Duration nonceLifetime) {
        public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(2);
        public static final Freshness ENARX_COMPATIBLE = new Freshness(false, DEFAULT_LIFETIME);

        public Freshness {
            if (!nonceLifetime.isPositive()) throw new IllegalArgumentException("the nonce lifetime must be positive");
        }
    }

    private final Config config;
    private final Freshness freshness;
    private final EnrollmentNonces nonces;
    private final Map<ASN1ObjectIdentifier, EvidenceCheck> checks;

    /** A Steward in Enarx-compatible mode: CSRs without a nonce are accepted. */
    public Steward(Config config) {
        this(config, Freshness.ENARX_COMPATIBLE);
    }

    public Steward(Config config, Freshness freshness) {
        this.config = config;
        this.freshness = freshness;
        this.nonces = new EnrollmentNonces(freshness.nonceLifetime(), config.clock());
        var policy = config.policy().policy();
        byte[] amd = config.anchors().amdChains(), intel = config.anchors().intelRoot();
        Verifiers verifiers = Verifiers.load();
        // One line per kind of evidence: the OID a Keep puts in its CSR, how its extension is read, who verifies it.
        Map<ASN1ObjectIdentifier, EvidenceCheck> c = new LinkedHashMap<>();
        c.put(EvidenceOids.KVM, new NoEvidence("kvm"));
        c.put(
                EvidenceOids.SNP,
                new VerifiedEvidence(
                        "snp",
                        (csr, ext) -> EvidenceAsn1.snp(ext, amd),
                        new SnpVerifier(SnpTrustAnchors.amd()),
                        KeyBinding.SHA_384,
                        policy));
        c.put(
                EvidenceOids.SGX,
                new VerifiedEvidence(
                        "sgx",
                        (csr, ext) -> withCollateral("sgx", EvidenceAsn1.sgx(ext, intel)),
                        verifiers.forTee(Tee.SGX),
                        KeyBinding.SHA_256,
                        policy));
        c.put(
                EvidenceOids.TDX,
                new VerifiedEvidence(
                        "tdx",
                        (csr, ext) -> withCollateral("tdx", EvidenceAsn1.tdx(ext, intel)),
                        verifiers.forTee(Tee.TDX),
                        KeyBinding.SHA_256,
                        policy));
        c.put(
                EvidenceOids.SIM,
                config.policy()
                        .simChain()
                        .<EvidenceCheck>map(chain -> new VerifiedEvidence(
                                "sim",
                                (csr, ext) -> EvidenceAsn1.snp(ext, chain),
                                new SnpVerifier(simAnchors(chain)),
                                KeyBinding.SHA_384,
                                policy))
                        .orElseGet(() -> new Refusal(
                                "sim", "SIMULATED evidence is not accepted: the policy has no [sim] section")));
        this.checks = Map.copyOf(c);
    }

    /**
     * With a collateral cache, an SGX or TDX quote is judged with the cache's TCB Info, QE Identity, PCK CRL and root CRL
     * (fetched from Intel's PCS or the operator's PCCS, verified against the pinned root) instead of the TCB package the
     * CSR may carry; the CSR's CRLs still apply. Missing or stale collateral refuses the CSR, naming the piece.
     */
    private EvidenceInput withCollateral(String kind, EvidenceInput in) throws Denial {
        if (config.collateral().isEmpty()) return in;
        try {
            IntelCollateral fetched = config.collateral().get().forQuote(in.evidence());
            Endorsements e = in.endorsements();
            return new EvidenceInput(
                    in.tee(),
                    in.container(),
                    in.evidence(),
                    new Endorsements(e.vcek(), e.vlek(), e.amdChain(), e.crls(), Optional.of(fetched), e.rootCa()));
        } catch (CollateralUnavailableException e) {
            throw Denial.noAttestation("collateral", kind + " evidence cannot be judged: " + e.getMessage());
        }
    }

    /** AMD's ARKs plus the self-signed certificate(s) of the sim chain as simulated roots. */
    private static SnpTrustAnchors simAnchors(byte[] chainPem) {
        List<byte[]> arks = new ArrayList<>();
        try {
            for (byte[] der : Pem.blocks(chainPem, "CERTIFICATE", "sim.chain")) {
                X509CertificateHolder h = new X509CertificateHolder(der);
                if (h.getSubject().equals(h.getIssuer())) arks.add(der);
            }
            if (arks.isEmpty()) throw new IllegalArgumentException("sim.chain holds no self-signed ARK");
            return SnpTrustAnchors.amd().withSimulatedRoots(Pem.certificates(arks));
        } catch (IOException | MalformedEvidenceException e) {
            throw new IllegalArgumentException("sim.chain: " + OneLine.of(e), e);
        }
    }

    public Config config() {
        return config;
    }

    public Freshness freshness() {
        return freshness;
    }

    /**
     * A nonce for one fresh enrollment ({@code POST /nonce}): the Keep binds it, with its key, in its evidence's report
     * data and names it in its CSR; it is good for {@link Freshness#nonceLifetime()}, once.
     */
    public byte[] issueNonce() {
        return nonces.issue();
    }

    public CertificateAuthority ca() {
        return config.ca();
    }

    public Instant now() {
        return config.clock().instant();
    }

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
        KeepCsr csr;
        try {
            csr = KeepCsr.parse(der, checks.keySet(), CsrSignature::verifies);
        } catch (FormatException e) {
            throw Denial.malformed(e.getMessage());
        }
        Extension evidence = csr.attestation()
                .orElseThrow(() -> Denial.noAttestation(
                        "missing",
                        "the CSR carries no attestation extension (" + EvidenceOids.SNP + ", " + EvidenceOids.SGX
                                + ", ...)"));
        if (csr.nonce().isEmpty() && freshness.required()) {
            throw Denial.noAttestation(
                    "freshness",
                    "this Steward requires fresh evidence: get a nonce with POST /nonce and bind it "
                            + "with the key in the report data (the CSR carries none)");
        }
        if (csr.nonce().isPresent()) nonces.checkIssued(csr.nonce().get());
        // the evidence check binds the nonce (with the key) to the evidence; only then is it spent
        AttestedKeep keep =
                checks.get(evidence.getExtnId()).check(csr, evidence, now()).withWorkload(csr.workload());
        if (csr.nonce().isPresent() && !nonces.use(csr.nonce().get())) {
            throw Denial.noAttestation(
                    "freshness", "the CSR's nonce was already used: this CSR (or its evidence) is a replay");
        }
        return new AttestedCsr(csr, keep);
    }

    /** A CSR whose evidence verified and passed the policy. */
    public record AttestedCsr(KeepCsr csr, AttestedKeep keep) {}

    Enrollment.Issued issue(AttestedCsr attested) {
        X509CertificateHolder cert = config.ca()
                .issue(
                        attested.csr().publicKey(),
                        attested.keep().claims(),
                        config.dnsNames(),
                        now(),
                        config.validity());
        return new Enrollment.Issued(List.of(config.ca().certificateHolder(), cert), attested.keep());
    }
}
