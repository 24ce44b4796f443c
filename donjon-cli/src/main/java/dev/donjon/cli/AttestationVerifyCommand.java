package dev.donjon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.IntelCollateral;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.TeeVerifier;
import dev.donjon.attestation.VerificationResult;
import dev.donjon.attestation.Verifiers;
import dev.donjon.attestation.cases.Encoding;
import dev.donjon.attestation.policy.Policy;
import dev.donjon.attestation.policy.PolicyDecision;
import dev.donjon.attestation.policy.PolicyToml;
import dev.donjon.attestation.snp.SnpTrustAnchors;
import dev.donjon.attestation.snp.SnpVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code donjon attestation verify}: verify one piece of evidence, optionally against a policy. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Verify TEE evidence with its endorsements at a given instant; exit 0 when accepted, 1 when rejected.",
            "Without --policy, evidence from a TEE in debug mode (whose host can read its memory) is rejected unless --allow-debug."
        })
final class AttestationVerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--tee", required = true, description = "snp, sgx or tdx")
    String tee;

    @Option(names = "--evidence", required = true, paramLabel = "FILE", description = "the evidence file")
    Path evidence;

    @Option(
            names = "--encoding",
            defaultValue = "raw",
            description = "raw, hex, base64 or base64url (default: ${DEFAULT-VALUE})")
    String encoding;

    @Option(
            names = "--container",
            description = "snp-report, intel-quote, tsm-json or enarx-csr (default: inferred from the content)")
    String container;

    @Option(names = "--vcek", paramLabel = "FILE", description = "AMD VCEK certificate (DER or PEM)")
    Path vcek;

    @Option(names = "--vlek", paramLabel = "FILE", description = "AMD VLEK certificate (DER or PEM)")
    Path vlek;

    @Option(
            names = "--chain",
            paramLabel = "FILE",
            description = "AMD PEM bundle: ASK/ASVK then ARK (the ARK is the trust anchor)")
    Path chain;

    @Option(names = "--crl", paramLabel = "FILE", description = "an extra CRL (DER or PEM); repeatable")
    List<Path> crls = new ArrayList<>();

    @Option(names = "--collateral", paramLabel = "FILE", description = "Intel collateral as dcap-qvl JSON")
    Path collateral;

    @Option(names = "--tcb-info", paramLabel = "FILE", description = "Intel TCB Info JSON, exact bytes as served")
    Path tcbInfo;

    @Option(names = "--tcb-info-chain", paramLabel = "FILE", description = "TCB Info issuer chain (PEM)")
    Path tcbInfoChain;

    @Option(names = "--qe-identity", paramLabel = "FILE", description = "Intel QE Identity JSON")
    Path qeIdentity;

    @Option(names = "--qe-identity-chain", paramLabel = "FILE", description = "QE Identity issuer chain (PEM)")
    Path qeIdentityChain;

    @Option(names = "--pck-crl", paramLabel = "FILE", description = "PCK CRL (DER)")
    Path pckCrl;

    @Option(names = "--pck-crl-chain", paramLabel = "FILE", description = "PCK CRL issuer chain (PEM)")
    Path pckCrlChain;

    @Option(names = "--root-ca-crl", paramLabel = "FILE", description = "Intel root CA CRL (DER)")
    Path rootCaCrl;

    @Option(
            names = "--root-ca",
            paramLabel = "FILE",
            description = "the Intel SGX Root CA to pin (DER or PEM; default: Intel's production root, built in)")
    Path rootCa;

    @Option(
            names = "--sim-root",
            paramLabel = "FILE",
            description =
                    "ALSO TRUST this simulated SEV-SNP root (the sim platform's"
                            + " locally generated ARK, PEM or DER). Evidence under it is reported as SIMULATED: it proves nothing about hardware.")
    Path simRoot;

    @Option(
            names = "--policy",
            paramLabel = "FILE",
            description = "policy TOML ([snp]/[sgx]/[tdx], Enarx steward.toml keys)")
    Path policy;

    @Option(
            names = "--allow-debug",
            description =
                    "accept evidence from a TEE in debug mode (without --policy; a policy says allow_debug itself)")
    boolean allowDebug;

    @Option(
            names = "--now",
            paramLabel = "RFC3339",
            description = "the instant to judge validity at (default: the current time)")
    String now;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Tee t = Tee.fromWireName(tee);
        Instant at = instant();
        if (allowDebug && policy != null) {
            throw new ExitCodeException(
                    OneLineErrors.USAGE,
                    "--allow-debug applies without --policy (in a policy, allow_debug = true says it)");
        }
        Optional<Policy> pol = policy == null ? Optional.empty() : Optional.of(PolicyToml.read(policy));
        byte[] bytes = Encoding.fromWireName(encoding).decode(read(evidence));
        Container c = container != null ? Container.fromWireName(container) : inferContainer(t, bytes);
        EvidenceInput input = new EvidenceInput(t, c, bytes, endorsements());

        VerificationResult result = verifier(t).verify(input, at);
        Optional<PolicyDecision> decision = pol.isPresent() && result instanceof VerificationResult.Accepted a
                ? Optional.of(pol.get().evaluate(a))
                : Optional.empty();
        // without a policy, the default one: debug TEEs are refused (their host can read the Keep's memory) unless
        // asked for
        boolean debugRefused = pol.isEmpty()
                && !allowDebug
                && result instanceof VerificationResult.Accepted a
                && a.claims().debug();
        boolean accepted =
                result.accepted() && decision.map(PolicyDecision::accepted).orElse(true) && !debugRefused;

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper()
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsString(toJson(result, decision, debugRefused, accepted, at)));
        } else {
            printReadable(out, result, decision, debugRefused, accepted, at);
        }
        out.flush();
        return accepted ? 0 : OneLineErrors.FAILURE;
    }

    /** The registered verifier (AMD/Intel roots only), or an SNP verifier that also trusts the --sim-root. */
    private TeeVerifier verifier(Tee t) throws IOException {
        if (simRoot == null) return Verifiers.load().forTee(t);
        if (t != Tee.SNP)
            throw new IllegalArgumentException(
                    "--sim-root applies to --tee snp only (the sim platform's evidence is in the SEV-SNP layout)");
        try {
            return new SnpVerifier(SnpTrustAnchors.amd().withSimulatedRoots(read(simRoot)));
        } catch (dev.donjon.attestation.MalformedEvidenceException e) {
            throw new IllegalArgumentException("--sim-root " + simRoot + ": " + e.getMessage());
        }
    }

    private static boolean simulated(VerificationResult result) {
        return result instanceof VerificationResult.Accepted a && a.claims().simulated();
    }

    private static final String SIMULATED_WARNING =
            "SIMULATED evidence: signed under a locally generated root, not the TEE vendor's; it proves nothing about hardware";

    private Instant instant() {
        if (now == null) return Instant.now();
        try {
            return Instant.parse(now);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "--now: '" + now + "' is not an RFC 3339 UTC instant (e.g. 2024-06-01T00:00:00Z)");
        }
    }

    /** A JSON object is configfs-tsm; a DER SEQUENCE is a CSR; otherwise the TEE's native format. */
    static Container inferContainer(Tee tee, byte[] bytes) {
        int i = 0;
        while (i < bytes.length && Character.isWhitespace(bytes[i])) i++;
        if (i < bytes.length && bytes[i] == '{') return Container.TSM_JSON;
        if (bytes.length > 4 && (bytes[0] & 0xFF) == 0x30 && (bytes[1] & 0xFF) >= 0x80) return Container.ENARX_CSR;
        return tee == Tee.SNP ? Container.SNP_REPORT : Container.INTEL_QUOTE;
    }

    private Endorsements endorsements() throws IOException {
        List<byte[]> crlBytes = new ArrayList<>();
        for (Path p : crls) crlBytes.add(read(p));
        Optional<IntelCollateral> intel = Optional.empty();
        if (collateral != null && tcbInfo != null) {
            throw new IllegalArgumentException(
                    "give either --collateral (dcap-qvl JSON) or --tcb-info and friends, not both");
        }
        if (collateral != null) {
            intel = Optional.of(new IntelCollateral.DcapQvlJson(read(collateral)));
        } else if (tcbInfo != null) {
            if (tcbInfoChain == null) throw new IllegalArgumentException("--tcb-info needs --tcb-info-chain");
            intel = Optional.of(new IntelCollateral.Files(
                    read(tcbInfo),
                    read(tcbInfoChain),
                    optional(qeIdentity),
                    optional(qeIdentityChain),
                    optional(pckCrl),
                    optional(pckCrlChain),
                    optional(rootCaCrl)));
        } else if (qeIdentity != null || pckCrl != null || rootCaCrl != null) {
            throw new IllegalArgumentException("--qe-identity, --pck-crl and --root-ca-crl need --tcb-info");
        }
        return new Endorsements(optional(vcek), optional(vlek), optional(chain), crlBytes, intel, optional(rootCa));
    }

    private static Optional<byte[]> optional(Path p) throws IOException {
        return p == null ? Optional.empty() : Optional.of(read(p));
    }

    private static byte[] read(Path p) throws IOException {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new IOException("no such file: " + p);
        } catch (IOException e) {
            throw new IOException("cannot read " + p + ": " + e.getClass().getSimpleName());
        }
    }

    static final String DEBUG_REFUSED =
            "the TEE runs in DEBUG mode: the host can read its memory (--allow-debug accepts it)";

    private static void printReadable(
            PrintWriter out,
            VerificationResult result,
            Optional<PolicyDecision> decision,
            boolean debugRefused,
            boolean accepted,
            Instant at) {
        out.println("tee:      " + result.tee().wireName());
        out.println("at:       " + at);
        switch (result) {
            case VerificationResult.Rejected r ->
                out.println("evidence: REJECTED (" + r.reason().wireName() + "): " + r.detail());
            case VerificationResult.Accepted a -> {
                if (a.claims().simulated()) {
                    out.println("evidence: SIMULATED (authentic under the configured simulated root, NOT under AMD's)");
                    out.println("WARNING:  " + SIMULATED_WARNING);
                } else {
                    out.println("evidence: authentic");
                }
                a.tcbStatus().ifPresent(s -> out.println("tcb:      " + s.wireName()));
                if (!a.advisories().isEmpty()) out.println("advisories: " + String.join(", ", a.advisories()));
                if (a.claims().debug() && !debugRefused)
                    out.println("WARNING:  the TEE runs in DEBUG mode: the host can read its memory");
                out.println("claims:");
                for (Map.Entry<String, String> e : a.claims().fields().entrySet()) {
                    out.println("  " + e.getKey() + ": " + e.getValue());
                }
            }
        }
        decision.ifPresent(d -> {
            switch (d) {
                case PolicyDecision.Accept ok -> {
                    out.println("policy:   accepted");
                    ok.notes().forEach(n -> out.println("WARNING:  " + n));
                }
                case PolicyDecision.Reject no -> out.println("policy:   REJECTED (policy): " + no.message());
            }
        });
        if (debugRefused) out.println("debug:    REJECTED: " + DEBUG_REFUSED);
        out.println("verdict:  " + (accepted ? "ACCEPTED" : "REJECTED") + (simulated(result) ? " (SIMULATED)" : ""));
    }

    private static ObjectNode toJson(
            VerificationResult result,
            Optional<PolicyDecision> decision,
            boolean debugRefused,
            boolean accepted,
            Instant at) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("tee", result.tee().wireName());
        root.put("at", at.toString());
        root.put("accepted", accepted);
        switch (result) {
            case VerificationResult.Rejected r -> {
                root.put("reason", r.reason().wireName());
                root.put("detail", r.detail());
            }
            case VerificationResult.Accepted a -> {
                root.put("simulated", a.claims().simulated());
                if (a.claims().simulated()) root.put("warning", SIMULATED_WARNING);
                a.tcbStatus().ifPresent(s -> root.put("tcb_status", s.wireName()));
                a.advisories().forEach(root.putArray("advisories")::add);
                root.put("debug", a.claims().debug());
                ObjectNode claims = root.putObject("claims");
                a.claims().fields().forEach(claims::put);
            }
        }
        if (debugRefused) {
            root.put("reason", dev.donjon.attestation.RejectReason.POLICY.wireName());
            root.put("detail", "debug: " + DEBUG_REFUSED);
        }
        decision.ifPresent(d -> {
            ObjectNode p = root.putObject("policy");
            p.put("accepted", d.accepted());
            switch (d) {
                case PolicyDecision.Accept ok -> ok.notes().forEach(p.putArray("notes")::add);
                case PolicyDecision.Reject no -> {
                    p.put("rule", no.rule());
                    p.put("detail", no.detail());
                    if (result.accepted()) {
                        root.put("reason", no.reason().wireName());
                        root.put("detail", no.message());
                    }
                }
            }
        });
        return root;
    }
}
