package dev.donjon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.donjon.attestation.VerificationResult;
import dev.donjon.attestation.Verifiers;
import dev.donjon.attestation.cases.CaseOutcome;
import dev.donjon.attestation.cases.CaseRunner;
import dev.donjon.attestation.cases.Manifest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code donjon attestation verify-cases MANIFEST.json}: run a test-vector manifest (../shared/vectors/README.md schema). */
@Command(
        name = "verify-cases",
        mixinStandardHelpOptions = true,
        description =
                "Run every case of an attestation test-vector manifest; one line per case, then 'N passed, M failed'. "
                        + "Exit 1 if any case failed.")
final class AttestationVerifyCasesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MANIFEST.json", description = "the manifest; paths in it are relative to its directory")
    Path manifest;

    @Option(names = "--json", description = "print one JSON document instead of lines")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Manifest m = Manifest.read(manifest);
        List<CaseOutcome> outcomes = new CaseRunner(Verifiers.load()).run(m);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(outcomes)));
        } else {
            for (CaseOutcome o : outcomes) out.println(o.line());
            out.println(CaseRunner.summary(outcomes));
        }
        out.flush();
        return outcomes.stream().allMatch(CaseOutcome::passed) ? 0 : OneLineErrors.FAILURE;
    }

    private static ObjectNode toJson(List<CaseOutcome> outcomes) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        ArrayNode cases = root.putArray("cases");
        for (CaseOutcome o : outcomes) {
            ObjectNode c = cases.addObject();
            c.put("id", o.id());
            c.put("tee", o.tee());
            c.put("passed", o.passed());
            o.result().ifPresent(r -> {
                c.put("result", r.accepted() ? "accept" : "reject");
                switch (r) {
                    case VerificationResult.Accepted a -> {
                        a.tcbStatus().ifPresent(s -> c.put("tcb_status", s.wireName()));
                        a.advisories().forEach(c.putArray("advisories")::add);
                    }
                    case VerificationResult.Rejected j -> {
                        c.put("reason", j.reason().wireName());
                        c.put("detail", j.detail());
                    }
                }
            });
            o.problems().forEach(c.putArray("problems")::add);
            o.warnings().forEach(c.putArray("warnings")::add);
        }
        long passed = outcomes.stream().filter(CaseOutcome::passed).count();
        root.put("passed", passed);
        root.put("failed", outcomes.size() - passed);
        return root;
    }
}
