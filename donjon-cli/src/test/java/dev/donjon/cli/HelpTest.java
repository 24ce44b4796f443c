package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command and subcommand answers {@code --help} with exit 0, even when it has required options. */
class HelpTest {

    @Test
    void everyCommandAnswersHelp() {
        List<List<String>> paths = new ArrayList<>();
        collect(new CommandLine(new Donjon()), new ArrayList<>(), paths);
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
        walk(new CommandLine(new Donjon()), all);
        for (CommandLine c : all) {
            String name = c.getCommandSpec().qualifiedName();
            String[] description = c.getCommandSpec().usageMessage().description();
            if (description.length == 0 || !description[0].strip().matches(".*[.)]$")) {
                problems.add(name + ": summary " + (description.length == 0 ? "missing" : "'" + description[0] + "' is not a whole sentence"));
            }
            for (var option : c.getCommandSpec().options()) {
                if (option.description().length == 0 || option.description()[0].isBlank()) problems.add(name + " " + option.longestName() + ": no description");
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
        assertEquals(true, r.out().contains("complete -F") && r.out().contains("--wasmcfgfile") && r.out().contains("--allow-insecure-backend"),
                "a bash completion script with run's and deploy's options");
        List<List<String>> paths = new ArrayList<>();
        collect(new CommandLine(new Donjon()), new ArrayList<>(), paths);
        for (List<String> path : paths) {
            assertEquals(true, r.out().contains(path.getLast()), "completion for " + path);
        }
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
