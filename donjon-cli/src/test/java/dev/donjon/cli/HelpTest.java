package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command and subcommand answers {@code --help} with exit 0, even when it has required options; {@code --version}
 * (answered without picocli) prints what picocli would; log lines read {@code LEVEL: message}.
 */
class HelpTest {

    @Test
    void everyCommandAnswersHelp() {
        List<List<String>> paths = new ArrayList<>();
        collect(Donjon.commandLine(), new ArrayList<>(), paths);
        assertEquals(true, paths.size() > 15, "commands found: " + paths);
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            assertEquals(0, Donjon.execute(args.toArray(String[]::new)), "donjon " + String.join(" ", args));
        }
    }

    /**
     * {@code donjon --help} lists each command with the first line of its description only: that line must be a whole
     * sentence. Every option says what it is for.
     */
    @Test
    void everyCommandSummaryIsASentenceAndEveryOptionIsDescribed() {
        List<String> problems = new ArrayList<>();
        List<CommandLine> all = new ArrayList<>();
        walk(Donjon.commandLine(), all);
        for (CommandLine c : all) {
            String name = c.getCommandSpec().qualifiedName();
            String[] description = c.getCommandSpec().usageMessage().description();
            if (description.length == 0 || !description[0].strip().matches(".*[.)]$")) {
                problems.add(name + ": summary "
                        + (description.length == 0 ? "missing" : "'" + description[0] + "' is not a whole sentence"));
            }
            for (var option : c.getCommandSpec().options()) {
                if (option.description().length == 0 || option.description()[0].isBlank())
                    problems.add(name + " " + option.longestName() + ": no description");
            }
        }
        assertEquals(List.of(), problems);
    }

    private static void walk(CommandLine cmd, List<CommandLine> out) {
        out.add(cmd);
        cmd.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) walk(sub, out);
        });
    }

    @Test
    void completionScriptKnowsEveryCommand() {
        var r = RegistryCommandsTest.run("completion");
        assertEquals(0, r.code(), r.err());
        assertEquals(
                true,
                r.out().contains("complete -F")
                        && r.out().contains("--wasmcfgfile")
                        && r.out().contains("--allow-insecure-backend"),
                "a bash completion script with run's and deploy's options");
        List<List<String>> paths = new ArrayList<>();
        collect(Donjon.commandLine(), new ArrayList<>(), paths);
        for (List<String> path : paths) {
            assertEquals(true, r.out().contains(path.getLast()), "completion for " + path);
        }
    }

    @Test
    void versionIsWhatPicocliPrints() {
        StringWriter picocli = new StringWriter();
        Donjon.commandLine().printVersionHelp(new PrintWriter(picocli, true));
        assertTrue(picocli.toString().startsWith("donjon "), picocli.toString());
        for (String flag : List.of("--version", "-V")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream stdout = System.out;
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            try {
                assertEquals(0, Donjon.execute(flag));
            } finally {
                System.setOut(stdout);
            }
            assertEquals(picocli.toString(), out.toString(StandardCharsets.UTF_8), flag);
        }
    }

    @Test
    void logLinesNameTheLevelAndCarryTheTraceOnlyWhenAttached() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Donjon.execute("--log-level", "info", "--version")); // two arguments: through picocli
            Logger log = Logger.getLogger("dev.donjon.cli.HelpTest");
            log.info("one line");
            log.fine("not at info");
            log.log(Level.WARNING, "with a cause", new IOException("boom"));
        } finally {
            System.setErr(stderr);
            Donjon.execute("--log-level", "warn", "--version");
        }
        String n = System.lineSeparator();
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(
                text.startsWith("INFO: one line" + n + "WARNING: with a cause" + n + "java.io.IOException: boom" + n),
                text);
        assertTrue(!text.contains("not at info"), text);
    }

    private static void collect(CommandLine cmd, List<String> path, List<List<String>> out) {
        for (var e : cmd.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            List<String> sub = new ArrayList<>(path);
            sub.add(e.getKey());
            out.add(sub);
            collect(e.getValue(), sub, out);
        }
    }
}
