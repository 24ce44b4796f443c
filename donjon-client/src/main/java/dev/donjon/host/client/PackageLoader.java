package dev.donjon.host.client;

import dev.donjon.config.ConfigException;
import dev.donjon.config.DonjonConfig;
import dev.donjon.host.protocol.ProtocolException;
import dev.donjon.host.protocol.WorkloadPackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads what {@code donjon deploy PACKAGE} names: a {@code .wasm} file, or a directory holding {@code main.wasm}, an
 * optional {@code Enarx.toml}, an optional {@code secrets/} directory whose regular files become the guest's
 * environment variables (file name = variable name), and an optional {@code steward-ca.pem}: CA certificates the Keep
 * trusts, besides the JDK's, for the HTTPS server of the Steward its Enarx.toml names; an optional {@code Donjon.toml}
 * (secrets the Keep fetches from a secret broker, checked here before anything is sent) and {@code secrets-ca.pem}
 * (the broker's CA certificates).
 */
public final class PackageLoader {
    private PackageLoader() {}

    public static WorkloadPackage load(Path path) throws IOException, ProtocolException {
        if (!Files.exists(path)) throw new IOException(path + ": no such file or directory");
        if (!Files.isDirectory(path)) {
            return checked(new WorkloadPackage(Files.readAllBytes(path), Optional.empty(), Map.of()));
        }
        Path wasm = path.resolve("main.wasm");
        if (!Files.isRegularFile(wasm)) throw new IOException(path + ": the package directory has no main.wasm");
        Path toml = path.resolve("Enarx.toml");
        Optional<byte[]> config = Files.isRegularFile(toml) ? Optional.of(Files.readAllBytes(toml)) : Optional.empty();
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        Path dir = path.resolve("secrets");
        if (Files.isDirectory(dir)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.sorted().toList();
            }
            for (Path f : files) {
                if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException(f + ": secrets/ may hold only regular files");
                }
                secrets.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        Optional<byte[]> stewardCa = optional(path.resolve("steward-ca.pem"));
        Optional<byte[]> donjon = optional(path.resolve(DonjonConfig.FILE_NAME));
        if (donjon.isPresent()) {
            try {
                DonjonConfig.parse(new String(donjon.get(), java.nio.charset.StandardCharsets.UTF_8));
            } catch (ConfigException e) {
                throw new ProtocolException(DonjonConfig.FILE_NAME + ": " + e.getMessage());
            }
        }
        return checked(new WorkloadPackage(
                Files.readAllBytes(wasm),
                config,
                secrets,
                stewardCa,
                donjon,
                optional(path.resolve("secrets-ca.pem")),
                List.of()));
    }

    private static Optional<byte[]> optional(Path file) throws IOException {
        return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
    }

    private static WorkloadPackage checked(WorkloadPackage p) throws ProtocolException {
        p.validate();
        return p;
    }
}
