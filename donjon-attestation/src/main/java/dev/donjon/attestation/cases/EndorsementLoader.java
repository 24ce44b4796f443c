package dev.donjon.attestation.cases;

import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.IntelCollateral;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads the files a manifest case names into {@link Endorsements}; the verifiers parse the bytes. */
final class EndorsementLoader {

    private final Path baseDir;

    EndorsementLoader(Path baseDir) {
        this.baseDir = baseDir;
    }

    Endorsements load(Manifest.EndorsementPaths paths) throws IOException {
        if (paths == null) return Endorsements.none();
        List<byte[]> crls = new ArrayList<>();
        if (paths.crls() != null) for (String crl : paths.crls()) crls.add(read(crl));
        return new Endorsements(
                optional(paths.vcek()),
                optional(paths.vlek()),
                optional(paths.amdChain()),
                crls,
                collateral(paths.collateral()),
                optional(paths.rootCa()));
    }

    private Optional<IntelCollateral> collateral(Manifest.Collateral c) throws IOException {
        if (c == null) return Optional.empty();
        if (c.format() == null) throw new IOException("collateral without \"format\"");
        return switch (c.format()) {
            case "dcap-qvl-json" -> Optional.of(new IntelCollateral.DcapQvlJson(read(required(c.file(), "file"))));
            case "files" ->
                Optional.of(new IntelCollateral.Files(
                        read(required(c.tcbInfo(), "tcb_info")),
                        read(required(c.tcbInfoIssuerChain(), "tcb_info_issuer_chain")),
                        optional(c.qeIdentity()),
                        optional(c.qeIdentityIssuerChain()),
                        optional(c.pckCrl()),
                        optional(c.pckCrlIssuerChain()),
                        optional(c.rootCaCrl())));
            default ->
                throw new IOException(
                        "unknown collateral format '" + c.format() + "' (expected dcap-qvl-json or files)");
        };
    }

    private static String required(String path, String key) throws IOException {
        if (path == null) throw new IOException("collateral lacks \"" + key + "\"");
        return path;
    }

    private Optional<byte[]> optional(String path) throws IOException {
        return path == null ? Optional.empty() : Optional.of(read(path));
    }

    byte[] read(String relative) throws IOException {
        Path p = baseDir.resolve(relative);
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new IOException("cannot read " + p + ": " + e.getClass().getSimpleName(), e);
        }
    }
}
