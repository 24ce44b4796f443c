package dev.donjon.cli;

import dev.donjon.common.Pem;
import dev.donjon.config.ConfigException;
import dev.donjon.config.DonjonConfig;
import dev.donjon.drawbridge.PackageSpec;
import dev.donjon.drawbridge.RegistryException;
import dev.donjon.drawbridge.SignedTag;
import dev.donjon.host.protocol.PackageReference;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code donjon deploy} from a registry: PACKAGE is then {@code [host/]user/repo:tag}, a tag URL, {@code file://} or
 * {@code oci://}, and the Keep fetches it itself. These options travel sealed to the attested Keep inside the
 * {@link PackageReference}; the host never sees them.
 */
final class RegistryDeployOptions {
    @Option(
            names = "--registry",
            paramLabel = "URL",
            defaultValue = "${env:DONJON_REGISTRY}",
            description = "Registry for a PACKAGE user/repo:tag without a host (default: DONJON_REGISTRY).")
    String registry;

    @Option(
            names = "--ca-cert",
            paramLabel = "PEM",
            description = "CA certificates the Keep trusts for the registry's TLS (default: the JDK's).")
    Path caCert;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description =
                    "Bearer token the Keep presents to the registry (a private repository, for a Keep without a Steward certificate).")
    Path tokenFile;

    @Option(
            names = "--steward",
            paramLabel = "URL",
            description =
                    "Steward (https) the Keep enrolls with before fetching, to present its attested certificate to the registry (private repositories served with --client-ca).")
    String steward;

    @Option(
            names = "--steward-ca",
            paramLabel = "PEM",
            description = "CA certificates the Keep trusts for the Steward's TLS, besides the JDK's.")
    Path stewardCa;

    @Option(
            names = "--expect-wasm-sha256",
            paramLabel = "HEX",
            description = "The Keep runs main.wasm only if it has this SHA-256.")
    String wasmSha256;

    @Option(
            names = "--tag-key",
            paramLabel = "PEM",
            description =
                    "Publisher public key (EC P-256/P-384 PEM, or a certificate): the Keep runs the package only if its Drawbridge tag is "
                            + "signed by this key. Repeat to accept any of several publishers. Slugs and tag URLs only.")
    List<Path> tagKeys = new ArrayList<>();

    @Option(
            names = "--donjon-config",
            paramLabel = "FILE",
            description =
                    "Donjon.toml for the fetched workload: secrets the Keep fetches from a secret broker (a package directory carries its own Donjon.toml).")
    Path donjonConfig;

    @Option(
            names = "--secrets-ca",
            paramLabel = "PEM",
            description =
                    "CA certificates the Keep trusts for the secret broker's HTTPS, besides the JDK's (a package directory carries secrets-ca.pem).")
    Path secretsCa;

    @Option(
            names = "--sealed-secret",
            paramLabel = "NAME=FILE",
            description =
                    "Seal FILE's contents into the reference; the guest gets it as environment variable NAME (a package directory carries secrets/NAME). Repeatable.")
    List<String> sealedSecrets = new ArrayList<>();

    /** A registry reference, or empty when PACKAGE names a local file or directory (sent in the sealed package itself). */
    Optional<PackageReference> reference(String packageArg) throws IOException {
        boolean url = packageArg.startsWith("file:")
                || packageArg.startsWith("https://")
                || packageArg.startsWith("http://")
                || packageArg.startsWith("oci://");
        if (!url
                && (Files.exists(Path.of(packageArg))
                        || !PackageSpec.SLUG.matcher(packageArg).matches())) {
            if (caCert != null
                    || tokenFile != null
                    || wasmSha256 != null
                    || steward != null
                    || stewardCa != null
                    || !tagKeys.isEmpty()
                    || donjonConfig != null
                    || secretsCa != null
                    || !sealedSecrets.isEmpty()) {
                throw new ExitCodeException(
                        OneLineErrors.USAGE,
                        "--ca-cert, --token-file, --steward, --steward-ca, --expect-wasm-sha256, --donjon-config, "
                                + "--secrets-ca, --sealed-secret and --tag-key apply to a registry PACKAGE only (a package directory carries its own files)");
            }
            return Optional.empty();
        }
        PackageSpec spec;
        try {
            spec = PackageSpec.parse(
                    packageArg,
                    Optional.ofNullable(registry).filter(r -> !r.isBlank()).map(URI::create));
        } catch (RegistryException | IllegalArgumentException e) {
            throw new ExitCodeException(OneLineErrors.USAGE, e.getMessage());
        }
        // the Keep has no --registry of its own: send it the full location
        String canonical = switch (spec) {
            case PackageSpec.Registry r -> r.toString();
            case PackageSpec.Local l -> l.path().toAbsolutePath().toUri().toString();
            case PackageSpec.Oci o -> packageArg;
        };
        List<byte[]> cas = derCertificates(caCert);
        Optional<String> token =
                tokenFile == null ? Optional.empty() : Optional.of(RegistryOptions.readToken(tokenFile));
        PackageReference ref = new PackageReference(
                canonical, Optional.ofNullable(wasmSha256).map(RegistryDeployOptions::sha256), token, cas);
        if (!tagKeys.isEmpty()) {
            if (!PackageReference.canCarryTagKeys(canonical))
                throw new ExitCodeException(
                        OneLineErrors.USAGE,
                        "--tag-key applies to Drawbridge tags ([host/]user/repo:tag or a tag URL), not to "
                                + (spec instanceof PackageSpec.Oci ? "oci://" : "file://")
                                + " packages, which carry no tag signature");
            ref = ref.withTagKeys(publisherKeys());
        }
        if (steward != null) {
            if (!steward.startsWith("https://"))
                throw new ExitCodeException(OneLineErrors.USAGE, "--steward must be an https:// URL");
            ref = ref.withSteward(steward, derCertificates(stewardCa));
        } else if (stewardCa != null) {
            // no fetch enrollment: the CAs serve the guest's own enrollment (its Enarx.toml's steward)
            ref = new PackageReference(
                    ref.spec(),
                    ref.wasmSha256(),
                    ref.token(),
                    ref.registryCas(),
                    Optional.empty(),
                    derCertificates(stewardCa),
                    ref.tagKeys());
        }
        if (donjonConfig != null || secretsCa != null || !sealedSecrets.isEmpty()) {
            Optional<String> toml = Optional.empty();
            if (donjonConfig != null) {
                try {
                    toml = Optional.of(Files.readString(donjonConfig));
                    DonjonConfig.parse(toml.get());
                } catch (NoSuchFileException e) {
                    throw new ExitCodeException(
                            OneLineErrors.USAGE, "--donjon-config " + donjonConfig + ": no such file");
                } catch (ConfigException e) {
                    throw new ExitCodeException(OneLineErrors.FAILURE, donjonConfig + ": " + e.getMessage());
                }
            }
            ref = ref.withDonjon(toml, derCertificates(secretsCa), sealed());
        }
        return Optional.of(ref);
    }

    /** Each --sealed-secret NAME=FILE, read now: the value travels inside the sealed reference only. */
    private Map<String, byte[]> sealed() throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String s : sealedSecrets) {
            int eq = s.indexOf('=');
            if (eq <= 0)
                throw new ExitCodeException(
                        OneLineErrors.USAGE, "--sealed-secret must be NAME=FILE, not \"" + s + "\"");
            Path file = Path.of(s.substring(eq + 1));
            try {
                out.put(s.substring(0, eq), Files.readAllBytes(file));
            } catch (NoSuchFileException e) {
                throw new ExitCodeException(
                        OneLineErrors.USAGE, "--sealed-secret " + s.substring(0, eq) + ": " + file + ": no such file");
            }
        }
        return out;
    }

    /** Each --tag-key as DER SubjectPublicKeyInfo, refused here (not in the Keep) when it is no P-256/P-384 key. */
    private List<byte[]> publisherKeys() throws IOException {
        if (tagKeys.size() > 16)
            throw new ExitCodeException(OneLineErrors.USAGE, "--tag-key is accepted at most 16 times");
        List<byte[]> keys = new ArrayList<>();
        for (Path pem : tagKeys) {
            byte[] der;
            try {
                der = Pem.publicKey(pem).getEncoded();
            } catch (NoSuchFileException e) {
                throw new ExitCodeException(OneLineErrors.USAGE, "--tag-key " + pem + ": no such file");
            } catch (IOException | RuntimeException e) {
                throw new ExitCodeException(OneLineErrors.USAGE, "--tag-key " + e.getMessage());
            }
            try {
                SignedTag.publisherKey(der);
            } catch (IllegalArgumentException e) {
                throw new ExitCodeException(OneLineErrors.USAGE, "--tag-key " + pem + " is " + e.getMessage());
            }
            keys.add(der);
        }
        return keys;
    }

    private static List<byte[]> derCertificates(Path pem) throws IOException {
        List<byte[]> cas = new ArrayList<>();
        if (pem == null) return cas;
        for (X509Certificate c : Pem.certificates(pem)) {
            try {
                cas.add(c.getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IOException(pem + ": " + e.getMessage());
            }
        }
        return cas;
    }

    private static String sha256(String hex) {
        String h = hex.strip().toLowerCase(Locale.ROOT);
        try {
            HexFormat.of().parseHex(h);
        } catch (IllegalArgumentException e) {
            throw new ExitCodeException(OneLineErrors.USAGE, "--expect-wasm-sha256 is not hex");
        }
        if (h.length() != 64)
            throw new ExitCodeException(OneLineErrors.USAGE, "--expect-wasm-sha256 must be 32 bytes (64 hex digits)");
        return h;
    }
}
