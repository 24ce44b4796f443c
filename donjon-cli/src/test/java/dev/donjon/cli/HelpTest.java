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
        collect(Donjon.commandLine(), new ArrayList<>(), paths);
        assertEquals(true, paths.size() > 15, "commands found: " + paths);
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            assertEquals(0, Donjon.execute(args.toArray(String[]::new)), "donjon " + String.join(" ", args));
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
