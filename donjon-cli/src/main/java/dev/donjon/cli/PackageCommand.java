package dev.donjon.cli;

import dev.donjon.common.OwnerOnlyFiles;
import dev.donjon.common.Pem;
import dev.donjon.drawbridge.DigestAlgorithm;
import dev.donjon.drawbridge.DrawbridgeClient;
import dev.donjon.drawbridge.Meta;
import dev.donjon.drawbridge.PackageSpec;
import dev.donjon.drawbridge.PackageTree;
import dev.donjon.drawbridge.RegistryJson;
import dev.donjon.drawbridge.SignedTag;
import dev.donjon.drawbridge.TreePath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "package",
        description = "Publish and inspect packages (main.wasm + Enarx.toml) on a Drawbridge registry.",
        subcommands = {
            PackageCommand.Publish.class,
            PackageCommand.Info.class,
            PackageCommand.Fetch.class,
            PackageCommand.Keygen.class
        })
final class PackageCommand {

    static PackageSpec.Registry spec(String s, RegistryOptions registry) throws IOException {
        if (PackageSpec.parse(s, registry.defaultRegistry()) instanceof PackageSpec.Registry r) {
            if (PackageSpec.SLUG.matcher(s).matches()) registry.requireHttpsWhereNamed(r.base(), s);
            return r;
        }
        throw new ExitCodeException(
                OneLineErrors.USAGE, "a Drawbridge package [host/]user/repo:tag is needed here, not " + s);
    }

    @Command(
            name = "publish",
            description =
                    "Publish PATH (a directory with main.wasm and Enarx.toml, or a .wasm) as [HOST/]USER/REPO:TAG.")
    static final class Publish implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "[HOST/]USER/REPO:TAG")
        String spec;

        @Parameters(index = "1", paramLabel = "PATH")
        Path path;

        @Option(
                names = "--sign-key",
                paramLabel = "PEM",
                description = "Sign the tag with this EC P-256/P-384 private key (JWS ES256/ES384).")
        Path signKey;

        @Mixin
        RegistryOptions registry;

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
            new DrawbridgeClient(r.base(), registry.tls(), registry.token())
                    .publish(r.user(), r.repo(), r.tag(), tree, signer);
            System.out.println("published " + r.user() + "/" + r.repo() + ":" + r.tag() + " ("
                    + String.join(", ", tree.files().keySet()) + (signer.isPresent() ? "; signed" : "") + ")");
            List<String> leftOut = PackageTree.leftOut(path);
            if (!leftOut.isEmpty())
                System.out.println("not part of the package, left out: " + String.join(", ", leftOut));
            return 0;
        }
    }

    @Command(
            name = "keygen",
            description = {
                "Make a publisher key pair for signed tags (EC P-256, ES256).",
                "PREFIX.key: the private key, 0600, for package publish --sign-key. PREFIX.pub: the public key, for deploy --tag-key"
                        + " and package fetch --verify-key. Never overwrites a file."
            })
    static final class Keygen implements Callable<Integer> {
        @Parameters(paramLabel = "PREFIX")
        Path prefix;

        @Override
        public Integer call() throws Exception {
            Path key = Path.of(prefix + ".key"), pub = Path.of(prefix + ".pub");
            for (Path p : List.of(key, pub)) {
                if (Files.exists(p)) throw new ExitCodeException(OneLineErrors.FAILURE, "not overwriting " + p);
            }
            KeyPair pair = NewKeys.p256();
            try {
                OwnerOnlyFiles.write(
                        key, Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded()));
                Files.write(
                        pub, Pem.encode("PUBLIC KEY", pair.getPublic().getEncoded()), StandardOpenOption.CREATE_NEW);
            } catch (IOException e) {
                throw new ExitCodeException(
                        OneLineErrors.FAILURE,
                        "cannot write " + key + " and " + pub + ": " + OneLineErrors.describe(e));
            }
            System.out.println("wrote " + key + " (private: package publish --sign-key) and " + pub
                    + " (public: deploy --tag-key)");
            return 0;
        }
    }

    @Command(name = "info", description = "Show a published package's tag and files.")
    static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "[HOST/]USER/REPO:TAG")
        String spec;

        @Mixin
        RegistryOptions registry;

        @Override
        public Integer call() throws Exception {
            PackageSpec.Registry r = spec(spec, registry);
            var client = new DrawbridgeClient(r.base(), registry.tls(), registry.token());
            var tag = client.tag(r.user(), r.repo(), r.tag());
            boolean signed = tag.type().equals(Meta.JWS_TYPE);
            Meta root = signed ? SignedTag.entryOf(tag.body()) : RegistryJson.readEntry(tag.body());
            System.out.println(r.user() + "/" + r.repo() + ":" + r.tag() + (signed ? " (signed tag)" : ""));
            System.out.println("tree " + sha256(root));
            var dir = RegistryJson.readDirectory(
                    client.node(r.user(), r.repo(), r.tag(), TreePath.ROOT, PackageTree.MAX_OTHER)
                            .body());
            dir.forEach(
                    (name, m) -> System.out.printf("  %-20s %10d  %-20s %s%n", name, m.length(), m.type(), sha256(m)));
            return 0;
        }
    }

    /** A node's SHA-256 as the rest of the CLI writes digests (--expect-wasm-sha256, oci://...@sha256:): sha256:hex. */
    static String sha256(Meta m) {
        byte[] h = m.digest().hashes().get(DigestAlgorithm.SHA_256);
        return h == null
                ? m.digest().toHeader()
                : "sha256:" + HexFormat.of().formatHex(h); // a foreign registry may omit sha-256
    }

    @Command(
            name = "fetch",
            description = "Fetch a package, verify every file's digest and size, and write it to a directory.")
    static final class Fetch implements Callable<Integer> {
        @Parameters(
                index = "0",
                paramLabel = "SPEC",
                description = "[host/]user/repo:tag, a tag URL, oci://host/name:tag or file://path.")
        String spec;

        @Option(
                names = {"-o", "--out"},
                required = true,
                paramLabel = "DIR",
                description = "Directory to write the package files into (made if missing).")
        Path out;

        @Option(
                names = "--verify-key",
                paramLabel = "PEM",
                description = "Accept only a tag signed by this EC public key.")
        Path verifyKey;

        @Mixin
        RegistryOptions registry;

        @Override
        public Integer call() throws Exception {
            Optional<java.security.interfaces.ECPublicKey> key = Optional.empty();
            if (verifyKey != null) {
                if (!(Pem.publicKey(verifyKey) instanceof java.security.interfaces.ECPublicKey ec))
                    throw new ExitCodeException(OneLineErrors.FAILURE, verifyKey + " is not an EC public key");
                key = Optional.of(ec);
            }
            if (PackageSpec.SLUG.matcher(spec).matches()
                    && PackageSpec.parse(spec, registry.defaultRegistry()) instanceof PackageSpec.Registry r) {
                registry.requireHttpsWhereNamed(r.base(), spec);
            }
            var pkg = new dev.donjon.drawbridge.PackageFetcher(
                            registry.tls(), registry.token(), key, registry.defaultRegistry())
                    .fetch(spec);
            java.nio.file.Files.createDirectories(out);
            for (var f : pkg.files().entrySet()) java.nio.file.Files.write(out.resolve(f.getKey()), f.getValue());
            System.out.println("fetched " + pkg.source() + " (" + pkg.files().size() + " files"
                    + (pkg.signed() ? ", tag signature verified" : "") + ") into " + out);
            return 0;
        }
    }
}
