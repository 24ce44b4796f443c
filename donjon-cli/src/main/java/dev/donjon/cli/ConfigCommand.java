package dev.donjon.cli;

import dev.donjon.config.ConfigTemplate;
import dev.donjon.config.EnarxConfig;
import dev.donjon.config.WorkloadFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = "Workload configuration (Enarx.toml).",
        subcommands = {ConfigCommand.Init.class, ConfigCommand.Check.class})
final class ConfigCommand {

    @Command(
            name = "init",
            mixinStandardHelpOptions = true,
            description = "Write a commented template Enarx.toml (never overwrites a file).")
    static final class Init implements Callable<Integer> {
        @Parameters(
                index = "0",
                arity = "0..1",
                paramLabel = "PATH",
                defaultValue = "Enarx.toml",
                description = "Default: ${DEFAULT-VALUE}.")
        Path path;

        @Override
        public Integer call() {
            try {
                Files.writeString(
                        path,
                        ConfigTemplate.text(),
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                throw new ExitCodeException(OneLineErrors.FAILURE, path + " already exists; not overwriting it");
            } catch (IOException e) {
                Path dir = path.toAbsolutePath().getParent();
                String why = dir != null && !Files.isDirectory(dir)
                        ? "the directory " + path.getParent() + " does not exist"
                        : OneLineErrors.describe(e).replace(path + ": ", "");
                throw new ExitCodeException(OneLineErrors.FAILURE, "cannot write " + path + ": " + why);
            }
            System.out.println("wrote " + path);
            return 0;
        }
    }

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = "Check an Enarx.toml and print the guest's files as fds.")
    static final class Check implements Callable<Integer> {
        @Parameters(
                index = "0",
                arity = "0..1",
                paramLabel = "PATH",
                defaultValue = "Enarx.toml",
                description = "Default: ${DEFAULT-VALUE}.")
        Path path;

        @Override
        public Integer call() {
            EnarxConfig config = EnarxConfig.read(path);
            System.out.println(path + ": OK");
            config.steward().ifPresent(s -> System.out.println("steward: " + s));
            for (int i = 0; i < config.files().size(); i++) {
                System.out.println("fd " + i + ": " + describe(config.files().get(i)));
            }
            return 0;
        }

        private static String describe(WorkloadFile f) {
            return switch (f) {
                case WorkloadFile.Null n -> "null " + n.fdName();
                case WorkloadFile.Stdin in -> "stdin " + in.fdName();
                case WorkloadFile.Stdout out -> "stdout " + out.fdName();
                case WorkloadFile.Stderr err -> "stderr " + err.fdName();
                case WorkloadFile.Listen l ->
                    "listen " + l.prot().key() + " " + hostPort(l.addr(), l.port()) + " " + l.name();
                case WorkloadFile.Connect c ->
                    "connect " + c.prot().key() + " " + hostPort(c.host(), c.port()) + " " + c.name();
            };
        }

        private static String hostPort(String host, int port) {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }
}
