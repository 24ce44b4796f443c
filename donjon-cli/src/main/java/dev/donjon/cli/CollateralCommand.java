package dev.donjon.cli;

import dev.donjon.abi.snp.ProductLine;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.intel.PcsCollateral;
import dev.donjon.collateral.CollateralEntry;
import dev.donjon.collateral.CollateralKey;
import dev.donjon.collateral.CollateralService;
import dev.donjon.collateral.CollateralUnavailableException;
import dev.donjon.collateral.OfflineBundle;
import dev.donjon.common.OwnerOnlyFiles;
import dev.donjon.platform.PlatformSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code donjon collateral ...}: the Intel and AMD collateral cache that SGX, TDX and SEV-SNP appraisal uses. */
@Command(
        name = "collateral",
        mixinStandardHelpOptions = true,
        description = {
            "Manage the collateral cache (Intel TCB Info, QE Identity and CRLs; AMD KDS certificates and CRLs).",
            "Pieces come from Intel's PCS API v4 (or a PCCS) and AMD's KDS, are verified against the pinned Intel root and",
            "AMD ARKs before they are kept, and are kept until their nextUpdate."
        },
        subcommands = {
            CollateralCommand.Fetch.class,
            CollateralCommand.Show.class,
            CollateralCommand.Export.class,
            CollateralCommand.Import.class,
            CollateralCommand.HostCache.class
        })
final class CollateralCommand {

    static Clock clock(String now) {
        if (now == null) return Clock.systemUTC();
        try {
            return Clock.fixed(Instant.parse(now), ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new ExitCodeException(
                    OneLineErrors.USAGE,
                    "--now: '" + now + "' is not an RFC 3339 UTC instant (e.g. 2025-07-10T00:00:00Z)");
        }
    }

    @Command(
            name = "fetch",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description =
                    "Fetch (or confirm in the cache) the collateral of platforms: what a quote needs, FMSPCs, AMD products.")
    static final class Fetch implements Callable<Integer> {
        @Option(
                names = "--quote",
                paramLabel = "FILE",
                description = "An SGX or TDX quote (raw bytes): its TCB Info, QE Identity and CRLs.")
        List<Path> quotes = new ArrayList<>();

        @Option(
                names = "--sgx",
                paramLabel = "FMSPC",
                description = "SGX TCB Info of this FMSPC (12 hex digits), with the SGX QE Identity.")
        List<String> sgx = new ArrayList<>();

        @Option(
                names = "--tdx",
                paramLabel = "FMSPC",
                description = "TDX TCB Info of this FMSPC, with the TDX QE Identity.")
        List<String> tdx = new ArrayList<>();

        @Option(
                names = "--amd",
                paramLabel = "PRODUCT",
                description = "AMD KDS cert_chain and CRL of Milan, Genoa or Turin.")
        List<String> amd = new ArrayList<>();

        @Option(
                names = "--now",
                paramLabel = "RFC3339",
                description = "Judge validity at this instant (replayed collateral).")
        String now;

        @Mixin
        CollateralOptions options;

        @Override
        public Integer call() throws Exception {
            Set<CollateralKey> keys = new LinkedHashSet<>();
            for (Path q : quotes) {
                PcsCollateral.Needs n = needs(q);
                intel(keys, n.tee(), n.fmspc());
                keys.add(new CollateralKey.IntelPckCrl(n.pckCa()));
            }
            try {
                for (String f : sgx) intel(keys, Tee.SGX, f);
                for (String f : tdx) intel(keys, Tee.TDX, f);
            } catch (IllegalArgumentException e) {
                throw new ExitCodeException(OneLineErrors.USAGE, e.getMessage());
            }
            if (!sgx.isEmpty() || !tdx.isEmpty()) {
                for (PcsCollateral.PckCa ca : PcsCollateral.PckCa.values()) keys.add(new CollateralKey.IntelPckCrl(ca));
            }
            if (keys.stream().anyMatch(k -> k instanceof CollateralKey.IntelPckCrl))
                keys.add(new CollateralKey.IntelRootCrl());
            for (String p : amd) {
                ProductLine product = product(p);
                keys.add(new CollateralKey.AmdCertChain(product));
                keys.add(new CollateralKey.AmdCrl(product));
            }
            if (keys.isEmpty())
                throw new ExitCodeException(OneLineErrors.USAGE, "name what to fetch: --quote, --sgx, --tdx or --amd");
            CollateralService service = options.service(clock(now));
            int failed = 0;
            for (CollateralKey k : keys) {
                try {
                    CollateralEntry.Verified v = service.get(k);
                    System.out.println(v.subject() + ": valid until " + v.nextUpdate() + " (from "
                            + v.entry().source() + ")");
                } catch (CollateralUnavailableException e) {
                    System.err.println("donjon: " + e.getMessage());
                    failed++;
                }
            }
            return failed == 0 ? 0 : OneLineErrors.FAILURE;
        }

        private static void intel(Set<CollateralKey> keys, Tee tee, String fmspc) {
            keys.add(new CollateralKey.IntelTcbInfo(tee, fmspc.toLowerCase(Locale.ROOT)));
            keys.add(new CollateralKey.IntelQeIdentity(tee));
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "List the cached collateral, each piece verified now.")
    static final class Show implements Callable<Integer> {
        @Option(names = "--now", paramLabel = "RFC3339", description = "Judge validity at this instant.")
        String now;

        @Mixin
        CollateralOptions options;

        @Override
        public Integer call() throws Exception {
            List<String> unreadable = new ArrayList<>();
            CollateralService service = options.service(clock(now));
            List<CollateralService.Status> all = service.inspect(unreadable);
            if (all.isEmpty() && unreadable.isEmpty())
                System.out.println("the collateral cache " + options.directory() + " is empty");
            for (CollateralService.Status s : all) {
                String state = s.verified()
                        .map(v -> "valid " + v.issued() + " .. " + v.nextUpdate())
                        .orElseGet(() -> "NOT USABLE: " + s.problem().orElse("?"));
                System.out.println(
                        s.entry().key().id() + "  " + s.entry().key().describe() + "  " + state + "  (fetched "
                                + s.entry().fetched() + " from " + s.entry().source() + ")");
            }
            unreadable.forEach(u -> System.out.println("unreadable: " + u));
            return all.stream().allMatch(s -> s.verified().isPresent()) && unreadable.isEmpty()
                    ? 0
                    : OneLineErrors.FAILURE;
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = "Write every cached piece to one offline bundle (JSON).")
    static final class Export implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The bundle to write.")
        Path out;

        @Mixin
        CollateralOptions options;

        @Override
        public Integer call() throws Exception {
            List<String> unreadable = new ArrayList<>();
            List<CollateralEntry> entries =
                    new dev.donjon.collateral.CollateralStore(options.directory()).all(unreadable);
            if (entries.isEmpty())
                throw new ExitCodeException(
                        OneLineErrors.FAILURE,
                        "the collateral cache " + options.directory() + " is empty: nothing to export");
            unreadable.forEach(u -> System.err.println("donjon: skipped unreadable " + u));
            Files.write(out, OfflineBundle.encode(entries));
            System.out.println("exported " + entries.size() + " pieces to " + out);
            return 0;
        }
    }

    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            description = "Verify the pieces of an offline bundle and add them to the cache.")
    static final class Import implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "BUNDLE")
        Path bundle;

        @Option(names = "--now", paramLabel = "RFC3339", description = "Judge validity at this instant.")
        String now;

        @Mixin
        CollateralOptions options;

        @Override
        public Integer call() throws Exception {
            List<CollateralEntry> entries;
            try {
                entries = OfflineBundle.decode(Files.readAllBytes(bundle));
            } catch (NoSuchFileException e) {
                throw new ExitCodeException(OneLineErrors.FAILURE, bundle + ": no such file");
            } catch (IllegalArgumentException | IOException e) {
                throw new ExitCodeException(OneLineErrors.FAILURE, bundle + ": " + e.getMessage());
            }
            OwnerOnlyFiles.createDirectories(options.directory());
            options.offline = true; // an import never fetches
            List<String> refused = new ArrayList<>();
            List<String> done = options.service(clock(now)).importEntries(entries, refused);
            done.forEach(d -> System.out.println("imported " + d));
            refused.forEach(r -> System.err.println("donjon: refused " + r));
            return refused.isEmpty() ? 0 : OneLineErrors.FAILURE;
        }
    }

    @Command(
            name = "host-cache",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Write the collateral files a TEE host's Keeps put in their CSRs, from the verified cache.",
                "The layout is Enarx's platform cache:",
                "Intel directory: crls.der (root and PCK CA CRLs), tcb.der (SGX TCB Info), tdx-tcb.der (TDX TCB Info);",
                "AMD directory: crls.der (the ARK's CRL). Run it again before the printed expiry (e.g. daily, from cron)."
            })
    static final class HostCache implements Callable<Integer> {
        @Option(
                names = "--quote",
                paramLabel = "FILE",
                description = "A quote of this host (raw bytes): its TEE, FMSPC and PCK CA.")
        Path quote;

        @Option(names = "--sgx", paramLabel = "FMSPC", description = "This host's SGX FMSPC (12 hex digits).")
        String sgx;

        @Option(names = "--tdx", paramLabel = "FMSPC", description = "This host's TDX FMSPC (12 hex digits).")
        String tdx;

        @Option(
                names = "--amd",
                paramLabel = "PRODUCT",
                description = "This host's AMD product: Milan, Genoa or Turin.")
        String amd;

        @Option(
                names = "--intel-dir",
                paramLabel = "DIR",
                description = "Default: $DONJON_INTEL_CACHE, else /var/cache/intel-sgx (where Keeps read it).")
        Path intelDir;

        @Option(
                names = "--amd-dir",
                paramLabel = "DIR",
                description = "Default: $DONJON_AMD_CACHE, else /var/cache/amd-sev (where Keeps read it).")
        Path amdDir;

        @Option(
                names = "--now",
                paramLabel = "RFC3339",
                description = "Judge validity at this instant (replayed collateral).")
        String now;

        @Mixin
        CollateralOptions options;

        @Override
        public Integer call() throws Exception {
            Optional<String> sgxFmspc = Optional.ofNullable(sgx);
            Optional<String> tdxFmspc = Optional.ofNullable(tdx);
            Set<PcsCollateral.PckCa> cas = new LinkedHashSet<>();
            if (quote != null) {
                PcsCollateral.Needs n = needs(quote);
                if (n.tee() == Tee.SGX ? sgxFmspc.isPresent() : tdxFmspc.isPresent()) {
                    throw new ExitCodeException(
                            OneLineErrors.USAGE,
                            "--quote already names this host's " + n.tee().wireName() + " FMSPC (" + n.fmspc() + ")");
                }
                if (n.tee() == Tee.SGX) sgxFmspc = Optional.of(n.fmspc());
                else tdxFmspc = Optional.of(n.fmspc());
                cas.add(n.pckCa());
            } else if (sgxFmspc.isPresent() || tdxFmspc.isPresent()) {
                cas.addAll(List.of(PcsCollateral.PckCa.values())); // which CA issued this host's PCK is not known: both
            }
            if (cas.isEmpty() && amd == null)
                throw new ExitCodeException(
                        OneLineErrors.USAGE, "name this host's platform: --quote, --sgx, --tdx or --amd");
            Optional<ProductLine> product = amd == null ? Optional.empty() : Optional.of(product(amd));
            PlatformSettings settings = PlatformSettings.fromEnvironment(System.getenv());
            dev.donjon.collateral.HostCache cache = new dev.donjon.collateral.HostCache(options.service(clock(now)));
            List<dev.donjon.collateral.HostCache.Written> written = new ArrayList<>();
            try {
                if (!cas.isEmpty()) {
                    written.addAll(cache.writeIntel(
                            intelDir != null ? intelDir : settings.intelCache(), sgxFmspc, tdxFmspc, cas));
                }
                if (product.isPresent())
                    written.add(cache.writeAmd(amdDir != null ? amdDir : settings.amdCache(), List.of(product.get())));
            } catch (IllegalArgumentException e) {
                throw new ExitCodeException(OneLineErrors.USAGE, e.getMessage());
            } catch (CollateralUnavailableException e) {
                throw new ExitCodeException(OneLineErrors.FAILURE, e.getMessage());
            } catch (IOException e) {
                throw new ExitCodeException(
                        OneLineErrors.FAILURE, "cannot write the host's collateral: " + e.getMessage());
            }
            for (var w : written)
                System.out.println(
                        "wrote " + w.file() + ": " + String.join(", ", w.pieces()) + "; valid until " + w.validUntil());
            return 0;
        }
    }

    private static PcsCollateral.Needs needs(Path quote) {
        try {
            return PcsCollateral.needs(Files.readAllBytes(quote));
        } catch (NoSuchFileException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, quote + ": no such file");
        } catch (IOException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, quote + ": " + e.getMessage());
        } catch (dev.donjon.attestation.VerificationException e) {
            throw new ExitCodeException(OneLineErrors.FAILURE, quote + ": " + e.getMessage());
        }
    }

    private static ProductLine product(String name) {
        return ProductLine.fromName(name)
                .filter(x -> x.kdsName().equalsIgnoreCase(name))
                .orElseThrow(() -> new ExitCodeException(
                        OneLineErrors.USAGE, "--amd: '" + name + "' is not Milan, Genoa or Turin"));
    }
}
