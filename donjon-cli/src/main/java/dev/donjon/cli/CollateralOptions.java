package dev.donjon.cli;

import dev.donjon.collateral.CollateralChecks;
import dev.donjon.collateral.CollateralService;
import dev.donjon.collateral.CollateralSource;
import dev.donjon.collateral.CollateralStore;
import dev.donjon.collateral.KdsClient;
import dev.donjon.collateral.PcsClient;
import dev.donjon.common.Tls;
import dev.donjon.keep.TrustAnchorFiles;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/**
 * Where Intel and AMD collateral comes from: the cache directory, Intel's PCS (or the operator's PCCS) and AMD's KDS.
 * Shared by {@code donjon collateral}, {@code donjon deploy} and {@code donjon steward serve}.
 */
final class CollateralOptions {

    @Option(
            names = "--collateral-cache",
            paramLabel = "DIR",
            description =
                    "Collateral cache directory. Default: $XDG_CACHE_HOME/donjon/collateral, else ~/.cache/donjon/collateral.")
    Path cache;

    @Option(
            names = "--pcs",
            paramLabel = "URL",
            description =
                    "Intel's PCS (API v4) or a PCCS with the same paths. Default: $DONJON_PCS_URL, else https://api.trustedservices.intel.com.")
    URI pcs;

    @Option(
            names = "--pcs-ca",
            paramLabel = "FILE",
            description = "Also trust the CA certificate(s) in FILE for the PCS's HTTPS (a PCCS with its own CA).")
    Path pcsCa;

    @Option(
            names = "--kds",
            paramLabel = "URL",
            defaultValue = "${env:DONJON_KDS_URL:-https://kdsintf.amd.com}",
            description = "AMD's Key Distribution Service. Default: ${DEFAULT-VALUE}.")
    URI kds;

    @Option(
            names = "--offline-collateral",
            description =
                    "Never fetch: judge with the cache only (fill it with 'donjon collateral fetch' or 'import').")
    boolean offline;

    /** True when any collateral option was given (the Steward uses the cache only then). */
    boolean given() {
        return cache != null || pcs != null || pcsCa != null || offline;
    }

    URI pcsUrl() {
        if (pcs != null) return pcs;
        String env = System.getenv("DONJON_PCS_URL");
        return env != null && !env.isBlank() ? URI.create(env) : PcsClient.INTEL;
    }

    Path directory() {
        return cache != null ? cache : CollateralStore.defaultDirectory(System.getenv());
    }

    CollateralService service(Clock clock) {
        return service(clock, Optional.empty());
    }

    /** @param intelRoot the Intel root the pieces must chain to (DER or PEM); empty: Intel's production root */
    CollateralService service(Clock clock, Optional<byte[]> intelRoot) {
        List<CollateralSource> sources = new ArrayList<>();
        if (!offline) {
            Optional<SSLContext> tls = pcsCa == null
                    ? Optional.empty()
                    : Optional.of(
                            Tls.trusting(Optional.of(Tls.jdkAnchorsPlus(TrustAnchorFiles.read(pcsCa, "--pcs-ca")))));
            try {
                sources.add(PcsClient.of(pcsUrl(), tls));
            } catch (IllegalArgumentException e) {
                throw new ExitCodeException(OneLineErrors.USAGE, "--pcs: " + e.getMessage());
            }
            sources.add(KdsClient.of(kds, KdsClient.DEFAULT_MIN_INTERVAL));
        }
        CollateralChecks checks;
        try {
            checks = new CollateralChecks(intelRoot, dev.donjon.attestation.snp.SnpTrustAnchors.amd());
        } catch (dev.donjon.attestation.MalformedEvidenceException e) {
            throw new ExitCodeException(OneLineErrors.USAGE, "the Intel root: " + e.getMessage());
        }
        return new CollateralService(
                new CollateralStore(directory()), sources, checks, clock, CollateralService.Settings.defaults());
    }
}
