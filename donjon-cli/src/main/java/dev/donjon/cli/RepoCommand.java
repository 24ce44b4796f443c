package dev.donjon.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "repo",
        description = "Manage repositories on a Drawbridge registry.",
        subcommands = {RepoCommand.Register.class, RepoCommand.Info.class})
final class RepoCommand {

    @Command(name = "register", description = "Create a repository (private unless --public).")
    static final class Register implements Callable<Integer> {
        @Parameters(paramLabel = "[HOST/]USER/REPO")
        String spec;

        @Option(names = "--public", description = "Readable by anyone; otherwise only the owner and attested Keeps.")
        boolean isPublic;

        @Mixin
        RegistryOptions registry;

        @Override
        public Integer call() throws Exception {
            var name = RegistryOptions.split(spec, 2);
            registry.client(name.host()).registerRepository(name.parts()[0], name.parts()[1], isPublic);
            System.out.println("registered " + (isPublic ? "public" : "private") + " repository " + name.parts()[0]
                    + "/" + name.parts()[1]);
            return 0;
        }
    }

    @Command(name = "info", description = "Show a repository's config and tags.")
    static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "[HOST/]USER/REPO")
        String spec;

        @Mixin
        RegistryOptions registry;

        @Override
        public Integer call() throws Exception {
            var name = RegistryOptions.split(spec, 2);
            var client = registry.client(name.host());
            var config = client.repositoryInfo(name.parts()[0], name.parts()[1]);
            System.out.println("public: " + config.isPublic());
            System.out.println("tags: " + String.join(" ", client.tags(name.parts()[0], name.parts()[1])));
            return 0;
        }
    }
}
