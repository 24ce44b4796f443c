package dev.donjon.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "user",
        description = "Manage your user on a Drawbridge registry.",
        subcommands = {UserCommand.Register.class, UserCommand.Info.class})
final class UserCommand {

    @Command(name = "register", description = "Register a user owned by the token's subject.")
    static final class Register implements Callable<Integer> {
        @Parameters(paramLabel = "[HOST/]USER")
        String spec;

        @Option(
                names = "--subject",
                description =
                        "Subject to own the user: the SUBJECT of your token's line in the registry's --tokens file. Default: an OIDC (JWT) token's 'sub'.")
        String subject;

        @Mixin
        RegistryOptions registry;

        @Override
        public Integer call() throws Exception {
            var name = RegistryOptions.split(spec, 1);
            String sub = subject != null
                    ? subject
                    : registry.token()
                            .flatMap(RegistryOptions::jwtSubject)
                            .orElseThrow(
                                    () -> new ExitCodeException(
                                            OneLineErrors.USAGE,
                                            "give --subject SUBJECT: who owns the user, the SUBJECT of your token's line in"
                                                    + " the registry's --tokens file (only a JWT access token names its subject itself)"));
            registry.client(name.host()).registerUser(name.parts()[0], sub);
            System.out.println("registered user " + name.parts()[0]);
            return 0;
        }
    }

    @Command(name = "info", description = "Show a user's record (owner only).")
    static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "[HOST/]USER")
        String spec;

        @Mixin
        RegistryOptions registry;

        @Override
        public Integer call() throws Exception {
            var name = RegistryOptions.split(spec, 1);
            System.out.println(new String(
                    registry.client(name.host()).userInfo(name.parts()[0]).toJson()));
            return 0;
        }
    }
}
