package dev.donjon.attestation.cases;

import com.fasterxml.jackson.databind.JsonNode;
import dev.donjon.attestation.Container;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.TeeVerifier;
import dev.donjon.attestation.VerificationResult;
import dev.donjon.attestation.Verifiers;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs manifest cases against the registered verifiers, each at the case's pinned {@code now}, and compares the
 * outcome with the expectation as ../shared/vectors/README.md asks: result, reason class (a different reason is a
 * warning), TCB status, advisories as a set, and the listed fields.
 */
public final class CaseRunner {

    private final Verifiers verifiers;

    public CaseRunner(Verifiers verifiers) {
        this.verifiers = verifiers;
    }

    public List<CaseOutcome> run(Manifest manifest) {
        EndorsementLoader loader = new EndorsementLoader(manifest.baseDir());
        List<CaseOutcome> outcomes = new ArrayList<>();
        for (Manifest.Case c : manifest.cases()) outcomes.add(run(c, loader));
        return outcomes;
    }

    public CaseOutcome run(Manifest manifest, Manifest.Case c) {
        return run(c, new EndorsementLoader(manifest.baseDir()));
    }

    private CaseOutcome run(Manifest.Case c, EndorsementLoader loader) {
        Tee tee;
        Instant now;
        TeeVerifier verifier;
        EvidenceInput input;
        try {
            tee = Tee.fromWireName(c.tee());
            now = Instant.parse(c.now());
            verifier = verifiers.forTee(tee);
            input = input(c, tee, loader);
        } catch (IOException | IllegalArgumentException | IllegalStateException | DateTimeParseException e) {
            return new CaseOutcome(
                    c.id(), c.tee(), false, List.of("cannot run case: " + e.getMessage()), List.of(), Optional.empty());
        } catch (MalformedEvidenceException e) {
            // undecodable evidence is the verifier-level "malformed" verdict, judged like any other
            return judge(c, new VerificationResult.Rejected(tee(c), RejectReason.MALFORMED, e.getMessage()));
        }
        VerificationResult result;
        try {
            result = verifier.verify(input, now);
        } catch (RuntimeException e) {
            return new CaseOutcome(
                    c.id(),
                    c.tee(),
                    false,
                    List.of("verifier threw " + e.getClass().getName() + ": " + e.getMessage()),
                    List.of(),
                    Optional.empty());
        }
        return judge(c, result);
    }

    private static Tee tee(Manifest.Case c) {
        return Tee.fromWireName(c.tee());
    }

    private static EvidenceInput input(Manifest.Case c, Tee tee, EndorsementLoader loader)
            throws IOException, MalformedEvidenceException {
        Manifest.Evidence ev = c.evidence();
        Encoding encoding = Encoding.fromWireName(ev.encoding() == null ? "raw" : ev.encoding());
        if (ev.container() == null) throw new IllegalArgumentException("evidence.container is missing");
        Container container = Container.fromWireName(ev.container());
        byte[] bytes = encoding.decode(loader.read(ev.file()));
        return new EvidenceInput(tee, container, bytes, loader.load(c.endorsements()));
    }

    /** Compares a verifier result with the case's expectation. */
    static CaseOutcome judge(Manifest.Case c, VerificationResult result) {
        Manifest.Expect expect = c.expect();
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        String got = result.accepted() ? "accept" : "reject";
        if (!expect.result().equals(got)) {
            problems.add("expected " + expect.result() + (expect.reason() == null ? "" : "/" + expect.reason()));
        } else if (result instanceof VerificationResult.Rejected r) {
            if (expect.reason() != null && !expect.reason().equals(r.reason().wireName())) {
                warnings.add("expected reason " + expect.reason() + ", got "
                        + r.reason().wireName());
            }
        } else if (result instanceof VerificationResult.Accepted a) {
            compareAccepted(expect, a, problems);
        }
        return new CaseOutcome(c.id(), c.tee(), problems.isEmpty(), problems, warnings, Optional.of(result));
    }

    private static void compareAccepted(Manifest.Expect expect, VerificationResult.Accepted a, List<String> problems) {
        if (expect.tcbStatus() != null) {
            String got = a.tcbStatus().map(s -> s.wireName()).orElse("(none)");
            if (!expect.tcbStatus().equals(got))
                problems.add("expected TCB status " + expect.tcbStatus() + ", got " + got);
        }
        if (expect.advisories() != null) {
            Set<String> want = new HashSet<>(expect.advisories());
            Set<String> have = new HashSet<>(a.advisories());
            if (!want.equals(have)) {
                problems.add("expected advisories " + new TreeSet<>(want) + ", got " + new TreeSet<>(have));
            }
        }
        if (expect.fields() != null) {
            Map<String, String> fields = a.claims().fields();
            for (Map.Entry<String, JsonNode> e : expect.fields().entrySet()) {
                String want = e.getValue().asText().toLowerCase(Locale.ROOT);
                String have = fields.get(e.getKey());
                if (have == null) {
                    problems.add("field " + e.getKey() + " not reported");
                } else if (!want.equals(have.toLowerCase(Locale.ROOT))) {
                    problems.add("field " + e.getKey() + ": expected " + want + ", got " + have);
                }
            }
        }
    }

    /** The closing line of a run: {@code N passed, M failed}. */
    public static String summary(List<CaseOutcome> outcomes) {
        long passed = outcomes.stream().filter(CaseOutcome::passed).count();
        return passed + " passed, " + (outcomes.size() - passed) + " failed";
    }
}
