package dev.donjon.cli;

import dev.donjon.common.Pem;
import dev.donjon.drawbridge.DrawbridgeClient;
import dev.donjon.drawbridge.Meta;
import dev.donjon.drawbridge.PackageSpec;
import dev.donjon.drawbridge.PackageTree;
import dev.donjon.drawbridge.RegistryJson;
import dev.donjon.drawbridge.SignedTag;
import dev.donjon.drawbridge.TreePath;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "package", description = "Publish and inspect packages (main.wasm + Enarx.toml) on a Drawbridge registry.",
        subcommands = {PackageCommand.Publish.class, PackageCommand.Info.class, PackageCommand.Fetch.class})
final class PackageCommand {

    static PackageSpec.Registry spec(String s, RegistryOptions registry) {
        if (PackageSpec.parse(s, registry.defaultRegistry()) instanceof PackageSpec.Registry r) return r;
        throw new ExitCodeException(OneLineErrors.USAGE, "a Drawbridge package [host/]user/repo:tag is needed here, not " + s);
    }

    @Command(name = "publish", description = "Publish PATH (a directory with main.wasm and Enarx.toml, or a .wasm) as [HOST/]USER/REPO:TAG.")
    static final class Publish implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "[HOST/]USER/REPO:TAG") String spec;
        @Parameters(index = "1", paramLabel = "PATH") Path path;
        @Option(names = "--sign-key", paramLabel = "PEM", description = "Sign the tag with this EC P-256/P-384 private key (JWS ES256/ES384).")
        Path signKey;
        @Mixin RegistryOptions registry;

        @Override
        public Integer call() throws Exception {
            PackageSpec.Registry r = spec(spec, registry);
            PackageTree tree = PackageTree.read(path);
            Optional<ECPrivateKey> signer = Optional.empty();
            if (signKey != null) {
                if (!(Pem.privateKey(signKey) instanceof ECPrivateKey ec))
                    throw new ExitCodeException(OneLineErrors.FAILURE, signKey + " is not an EC private key");
                signer = Optional.of(ec);
            }
            new DrawbridgeClient(r.base(), registry.tls(), registry.token()).publish(r.user(), r.repo(), r.tag(), tree, signer);
            System.out.println("published " + r.user() + "/" + r.repo() + ":" + r.tag() + " (" + tree.files().size() + " files"
                    + (signer.isPresent() ? ", signed" : "") + ")");
            return 0;
        }
    }

    @Command(name = "info", description = "Show a published package's tag and files.")
    static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "[HOST/]USER/REPO:TAG") String spec;
        @Mixin RegistryOptions registry;

        @Override
        public Integer call() throws Exception {
            PackageSpec.Registry r = spec(spec, registry);
            var client = new DrawbridgeClient(r.base(), registry.tls(), registry.token());
            var tag = client.tag(r.user(), r.repo(), r.tag());
            boolean signed = tag.type().equals(Meta.JWS_TYPE);
            Meta root = signed ? SignedTag.entryOf(tag.body()) : RegistryJson.readEntry(tag.body());
            System.out.println(r.user() + "/" + r.repo() + ":" + r.tag() + (signed ? " (signed tag)" : ""));
            System.out.println("tree " + root.digest().toHeader());
            var dir = RegistryJson.readDirectory(client.node(r.user(), r.repo(), r.tag(), TreePath.ROOT, PackageTree.MAX_OTHER).body());
            dir.forEach((name, m) -> System.out.printf("  %-20s %10d  %-28s sha-256=%s%n", name, m.length(), m.type(),
                    java.util.Base64.getEncoder().encodeToString(m.digest().hashes().get(dev.donjon.drawbridge.DigestAlgorithm.SHA_256))));
            return 0;
        }
    }

    @Command(name = "fetch", description = "Fetch a package, verify every file's digest and size, and write it to a directory.")
    static final class Fetch implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SPEC", description = "[host/]user/repo:tag, a tag URL, oci://host/name:tag or file://path.")
        String spec;
        @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR") Path out;
        @Option(names = "--verify-key", paramLabel = "PEM", description = "Accept only a tag signed by this EC public key.") Path verifyKey;
        @Mixin RegistryOptions registry;

        @Override
        public Integer call() throws Exception {
            Optional<java.security.interfaces.ECPublicKey> key = Optional.empty();
            if (verifyKey != null) {
                if (!(Pem.publicKey(verifyKey) instanceof java.security.interfaces.ECPublicKey ec))
                    throw new ExitCodeException(OneLineErrors.FAILURE, verifyKey + " is not an EC public key");
                key = Optional.of(ec);
            }
            var pkg = new dev.donjon.drawbridge.PackageFetcher(registry.tls(), registry.token(), key, registry.defaultRegistry()).fetch(spec);
            java.nio.file.Files.createDirectories(out);
            for (var f : pkg.files().entrySet()) java.nio.file.Files.write(out.resolve(f.getKey()), f.getValue());
            System.out.println("fetched " + pkg.source() + " (" + pkg.files().size() + " files" + (pkg.signed() ? ", tag signature verified" : "") + ") into " + out);
            return 0;
        }
    }
}
