package dev.donjon.collateral;

import dev.donjon.abi.csr.EvidenceExtension;
import dev.donjon.abi.csr.HostCollateralFiles;
import dev.donjon.abi.snp.ProductLine;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.intel.PcsCollateral.PckCa;
import dev.donjon.common.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Writes a TEE host's collateral files (donjon-abi {@link HostCollateralFiles}: Enarx's platform cache layout) from the
 * collateral cache, so that the CSRs of the host's Keeps carry the CRLs and the TCB Info a Steward verifies them with.
 * Every piece comes through {@link CollateralService#get}: verified under the pinned Intel root or AMD ARK and valid now.
 * A file is replaced whole (a temporary file renamed over it), and is readable by everyone: it holds public data, and
 * the Keeps may run as another user than the operator.
 */
public final class HostCache {

    /** One file written: what it holds, and when its first piece expires (refresh before then). */
    public record Written(Path file, List<String> pieces, Instant validUntil) {}

    private final CollateralService service;

    public HostCache(CollateralService service) {
        this.service = service;
    }

    /**
     * The Intel directory: {@code crls.der} (the root CRL and the CRLs of {@code pckCas}), {@code tcb.der} for the SGX
     * FMSPC and {@code tdx-tcb.der} for the TDX FMSPC, each when asked for.
     */
    public List<Written> writeIntel(
            Path dir, Optional<String> sgxFmspc, Optional<String> tdxFmspc, Collection<PckCa> pckCas)
            throws CollateralUnavailableException, IOException {
        List<Written> out = new ArrayList<>();
        if (!pckCas.isEmpty()) {
            List<CollateralKey> keys = new ArrayList<>();
            keys.add(new CollateralKey.IntelRootCrl());
            for (PckCa ca : pckCas) keys.add(new CollateralKey.IntelPckCrl(ca));
            out.add(crls(dir, keys));
        }
        if (sgxFmspc.isPresent())
            out.add(tcb(
                    dir.resolve(HostCollateralFiles.SGX_TCB), new CollateralKey.IntelTcbInfo(Tee.SGX, sgxFmspc.get())));
        if (tdxFmspc.isPresent())
            out.add(tcb(
                    dir.resolve(HostCollateralFiles.TDX_TCB), new CollateralKey.IntelTcbInfo(Tee.TDX, tdxFmspc.get())));
        return out;
    }

    /** The AMD directory: {@code crls.der} with the ARK CRL of each product (a host has one; several are allowed). */
    public Written writeAmd(Path dir, Collection<ProductLine> products)
            throws CollateralUnavailableException, IOException {
        List<CollateralKey> keys = new ArrayList<>();
        for (ProductLine p : products) keys.add(new CollateralKey.AmdCrl(p));
        return crls(dir, keys);
    }

    private Written crls(Path dir, List<CollateralKey> keys) throws CollateralUnavailableException, IOException {
        List<EvidenceExtension.Crl> crls = new ArrayList<>();
        List<String> pieces = new ArrayList<>();
        Instant until = Instant.MAX;
        for (CollateralKey k : keys) {
            CollateralEntry.Verified v = service.get(k);
            crls.add(new EvidenceExtension.Crl(
                    Optional.of(v.entry().source()), v.entry().body()));
            pieces.add(v.subject());
            if (v.nextUpdate().isBefore(until)) until = v.nextUpdate();
        }
        Path file = dir.resolve(HostCollateralFiles.CRLS);
        write(file, EvidenceExtension.encodeCrlList(crls));
        return new Written(file, pieces, until);
    }

    private Written tcb(Path file, CollateralKey.IntelTcbInfo key) throws CollateralUnavailableException, IOException {
        CollateralEntry.Verified v = service.get(key);
        String pem = v.entry()
                .issuerChain()
                .orElseThrow(() ->
                        new CollateralUnavailableException("the cached " + key.describe() + " has no issuer chain"));
        List<byte[]> chain =
                Pem.blocks(pem.getBytes(StandardCharsets.US_ASCII), "CERTIFICATE", key.describe() + " issuer chain");
        write(
                file,
                EvidenceExtension.encodeTcbPackage(
                        new EvidenceExtension.TcbPackage(chain, v.entry().body())));
        return new Written(file, List.of(v.subject()), v.nextUpdate());
    }

    private static void write(Path file, byte[] der) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".tmp-", "");
        try {
            Files.write(tmp, der);
            PosixFileAttributeView posix = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            if (posix != null) posix.setPermissions(PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
