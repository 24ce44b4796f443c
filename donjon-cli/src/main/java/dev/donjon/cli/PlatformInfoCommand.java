package dev.donjon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.donjon.platform.Backend;
import dev.donjon.platform.Check;
import dev.donjon.platform.Platform;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformInfo;
import dev.donjon.platform.PlatformSelector;
import dev.donjon.platform.PlatformSettings;
import dev.donjon.platform.Platforms;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code donjon platform info}: per backend, a tree of checks (✔/✗ name: detail) as {@code enarx platform info}, then
 * what auto-selection would pick for a local run and for a Keep that must run in a TEE. Exit 1 when a backend named
 * with {@code --backend} is not usable here.
 */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description =
                "Show what each backend finds on this machine; exit 1 if the backend named with --backend is not usable.")
final class PlatformInfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", paramLabel = "B", description = "only this backend: sgx, snp, tdx, sim or nil")
    String backend;

    @Option(names = "--json", description = "print JSON instead of the tree")
    boolean json;

    /** The environment the backends are configured from; tests replace it. */
    static Map<String, String> environment = System.getenv();

    @Override
    public Integer call() throws Exception {
        List<Platform> all = Platforms.all(PlatformSettings.fromEnvironment(environment), Clock.systemUTC());
        List<Platform> shown = all;
        if (backend != null) {
            Backend b = Backend.named(backend)
                    .orElseThrow(() -> new IllegalArgumentException("--backend: unknown backend '" + backend
                            + "' (known: sgx, snp, tdx, sim, nil; Enarx's sev, kvm)"));
            shown = all.stream().filter(p -> p.backend() == b).toList();
        }
        List<PlatformInfo> infos = shown.stream().map(Platform::info).toList();
        PlatformSelector selector = new PlatformSelector(all);
        String forRun = selection(selector, PlatformSelector.Requirement.LOCAL_RUN);
        String forTee = selection(selector, PlatformSelector.Requirement.TEE);

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper()
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsString(toJson(infos, forRun, forTee)));
        } else {
            for (PlatformInfo info : infos) print(out, info);
            if (backend == null) {
                out.println();
                out.println("selected for donjon run:       " + forRun);
                out.println("selected when TEE required:    " + forTee);
            }
        }
        out.flush();
        return backend != null && !infos.getFirst().usable() ? OneLineErrors.FAILURE : 0;
    }

    /** What {@code --backend}/ENARX_BACKEND (or auto-selection) gives for this requirement, or why nothing. */
    private String selection(PlatformSelector selector, PlatformSelector.Requirement requirement) {
        try {
            PlatformSelector.Selection s = selector.select(Optional.empty(), environment, requirement);
            return s.platform().backend() + (s.insecure() ? " (INSECURE: no hardware protection)" : "") + " - "
                    + s.why();
        } catch (PlatformException e) {
            return "none - " + e.getMessage();
        }
    }

    private static void print(PrintWriter out, PlatformInfo info) {
        String note = info.simulated()
                ? "  SIMULATED: proves nothing about hardware"
                : info.backend() == Backend.NIL ? "  no TEE: no protection" : "";
        out.println(mark(info.usable()) + " " + info.backend() + (info.usable() ? ": usable" : ": not usable") + note);
        for (Check c : info.checks()) print(out, c, "    ");
    }

    private static void print(PrintWriter out, Check c, String indent) {
        out.println(indent + mark(c.ok()) + " " + c.name() + ": " + c.detail());
        for (Check child : c.children()) print(out, child, indent + "    ");
    }

    private static String mark(boolean ok) {
        return ok ? "✔" : "✗";
    }

    private static ObjectNode toJson(List<PlatformInfo> infos, String forRun, String forTee) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        ArrayNode backends = root.putArray("backends");
        for (PlatformInfo info : infos) {
            ObjectNode b = backends.addObject();
            b.put("backend", info.backend().wireName());
            b.put("usable", info.usable());
            b.put("hardware", info.backend().hardware());
            b.put("simulated", info.simulated());
            checks(b.putArray("checks"), info.checks());
        }
        ObjectNode selected = root.putObject("selected");
        selected.put("run", forRun);
        selected.put("tee", forTee);
        return root;
    }

    private static void checks(ArrayNode into, List<Check> checks) {
        for (Check c : checks) {
            ObjectNode o = into.addObject();
            o.put("name", c.name());
            o.put("ok", c.ok());
            o.put("detail", c.detail());
            if (!c.children().isEmpty()) checks(o.putArray("children"), c.children());
        }
    }
}
