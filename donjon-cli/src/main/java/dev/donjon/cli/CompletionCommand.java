package dev.donjon.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code donjon completion}: the bash/zsh completion script for every command and option, made by picocli. */
@Command(
        name = "completion",
        mixinStandardHelpOptions = true,
        description = {
            "Print a bash (and zsh) completion script for donjon.",
            "In this shell: source <(donjon completion). For every new bash: donjon completion > ~/.local/share/bash-completion/completions/donjon"
        })
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine()
                .getOut()
                .print(AutoComplete.bash("donjon", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
