package dev.donjon.host.client;

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
 * trusts, besides the JDK's, for the HTTPS server of the Steward its Enarx.toml names.
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
        Path ca = path.resolve("steward-ca.pem");
        Optional<byte[]> stewardCa = Files.isRegularFile(ca) ? Optional.of(Files.readAllBytes(ca)) : Optional.empty();
        return checked(new WorkloadPackage(Files.readAllBytes(wasm), config, secrets, stewardCa));
    }

    private static WorkloadPackage checked(WorkloadPackage p) throws ProtocolException {
        p.validate();
        return p;
    }
}
