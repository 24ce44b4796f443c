package dev.donjon.collateral;

import dev.donjon.attestation.IntelCollateral;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.VerificationException;
import dev.donjon.attestation.intel.PcsCollateral;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The collateral cache: answers from memory or the cache directory while a piece is inside its window, fetches a
 * fresh one when it is missing, past its {@code nextUpdate} or older than {@link Settings#refreshAfter}, and keeps
 * serving the cached piece while the service is down (until its {@code nextUpdate}: an expired piece is refused).
 * Every piece is verified ({@link CollateralChecks}) when fetched, before it is stored, and when read back from disk.
 * A failed fetch backs off exponentially per piece (or for the service's Retry-After), so an outage is not hammered.
 * Thread-safe: one fetch per piece at a time.
 */
public final class CollateralService implements QuoteCollateral {

    private static final Logger LOG = Logger.getLogger(CollateralService.class.getName());

    /**
     * @param refreshAfter a piece older than this is fetched again (kept if that fails), so that TCB recoveries reach
     *                     the cache before the old piece's nextUpdate
     * @param backoffBase  the wait after a first failure; doubled after each further one
     * @param backoffMax   the longest wait between attempts
     */
    public record Settings(Duration refreshAfter, Duration backoffBase, Duration backoffMax) {
        public static Settings defaults() {
            return new Settings(Duration.ofHours(24), Duration.ofSeconds(5), Duration.ofMinutes(30));
        }
    }

    private record Failure(Instant at, String reason, Instant retryAt, int count) {}

    private final CollateralStore store;
    private final List<CollateralSource> sources;
    private final CollateralChecks checks;
    private final Clock clock;
    private final Settings settings;
    private final Map<CollateralKey, CollateralEntry.Verified> memory = new ConcurrentHashMap<>();
    private final Map<CollateralKey, Failure> failures = new ConcurrentHashMap<>();
    private final Map<CollateralKey, Object> locks = new ConcurrentHashMap<>();

    /** @param sources the services to fetch from; none: offline, the cache only (filled by import or fetch) */
    public CollateralService(
            CollateralStore store,
            List<CollateralSource> sources,
            CollateralChecks checks,
            Clock clock,
            Settings settings) {
        this.store = store;
        this.sources = List.copyOf(sources);
        this.checks = checks;
        this.clock = clock;
        this.settings = settings;
    }

    public CollateralStore store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    /** A verified piece, usable now; fetched when needed. */
    public CollateralEntry.Verified get(CollateralKey key) throws CollateralUnavailableException {
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            Instant now = clock.instant();
            CollateralEntry.Verified known = memory.get(key);
            String diskProblem = null;
            if (known == null || !known.validAt(now)) {
                try {
                    known = fromDisk(key, now).orElse(known);
                } catch (IOException | VerificationException e) {
                    diskProblem = e.getMessage();
                }
            }
            boolean usable = known != null && known.validAt(now);
            if (usable && !known.entry().fetched().plus(settings.refreshAfter()).isBefore(now)) return known;
            Optional<CollateralSource> source =
                    sources.stream().filter(s -> s.serves(key)).findFirst();
            if (source.isEmpty()) {
                if (usable) return known;
                throw unavailable(
                        key,
                        known,
                        diskProblem,
                        now,
                        "(offline: fetch it with `donjon collateral fetch` or import a bundle)");
            }
            Failure failed = failures.get(key);
            if (failed != null && now.isBefore(failed.retryAt())) {
                if (usable) return known;
                throw unavailable(
                        key,
                        known,
                        diskProblem,
                        now,
                        "and " + source.get().name() + " failed at " + failed.at() + " (" + failed.reason()
                                + "); next attempt after " + failed.retryAt());
            }
            try {
                CollateralEntry.Verified fresh = fetch(source.get(), key, now);
                failures.remove(key);
                return fresh;
            } catch (CollateralSource.FetchException e) {
                backOff(key, now, e.getMessage(), e.retryAfter());
                if (usable) {
                    LOG.warning(() -> "serving the cached " + key.describe() + " (valid until "
                            + known(key).nextUpdate() + "): " + e.getMessage());
                    return known;
                }
                throw unavailable(
                        key,
                        known,
                        diskProblem,
                        now,
                        "and " + source.get().name() + " cannot supply "
                                + (known == null && diskProblem == null ? "it" : "a fresh one") + ": "
                                + e.getMessage());
            } catch (VerificationException e) {
                backOff(key, now, "it served one that does not verify: " + e.getMessage(), Optional.empty());
                if (usable) return known;
                throw unavailable(
                        key,
                        known,
                        diskProblem,
                        now,
                        "and what " + source.get().name() + " served does not verify: " + e.getMessage());
            }
        }
    }

    private CollateralEntry.Verified known(CollateralKey key) {
        return memory.get(key);
    }

    private CollateralEntry.Verified fetch(CollateralSource source, CollateralKey key, Instant now)
            throws CollateralSource.FetchException, VerificationException, CollateralUnavailableException {
        CollateralEntry entry = source.fetch(key, now);
        CollateralEntry.Verified verified = checks.check(entry, now, this::get);
        try {
            store.write(entry);
        } catch (IOException e) {
            LOG.warning(() -> "cannot write " + key.describe() + " to the collateral cache " + store.directory() + ": "
                    + e.getMessage());
        }
        memory.put(key, verified);
        return verified;
    }

    private Optional<CollateralEntry.Verified> fromDisk(CollateralKey key, Instant now)
            throws IOException, VerificationException, CollateralUnavailableException {
        Optional<CollateralEntry> stored = store.read(key);
        if (stored.isEmpty()) return Optional.empty();
        CollateralEntry.Verified v = checks.check(stored.get(), now, this::get);
        memory.put(key, v);
        return Optional.of(v);
    }

    private void backOff(CollateralKey key, Instant now, String reason, Optional<Duration> retryAfter) {
        Failure last = failures.get(key);
        int count = last == null ? 1 : last.count() + 1;
        long factor = 1L << Math.min(count - 1, 20);
        Duration wait = settings.backoffBase().multipliedBy(factor);
        if (wait.compareTo(settings.backoffMax()) > 0) wait = settings.backoffMax();
        if (retryAfter.isPresent() && retryAfter.get().compareTo(wait) > 0) wait = retryAfter.get();
        failures.put(key, new Failure(now, reason, now.plus(wait), count));
    }

    private CollateralUnavailableException unavailable(
            CollateralKey key, CollateralEntry.Verified known, String diskProblem, Instant now, String why) {
        String what = key.describe();
        String head;
        if (diskProblem != null)
            head = "the cached " + what + " in " + store.directory() + " is not usable (" + diskProblem + ")";
        else if (known == null) head = "no " + what + " in the collateral cache " + store.directory();
        else if (now.isAfter(known.nextUpdate())) head = "the cached " + what + " expired at " + known.nextUpdate();
        else head = "the cached " + what + " is not valid before " + known.issued();
        return new CollateralUnavailableException(head + " " + why);
    }

    /** TCB Info, QE Identity, PCK CRL and root CRL for {@code quote}, each verified and valid now. */
    @Override
    public IntelCollateral.Files forQuote(byte[] quote) throws CollateralUnavailableException {
        PcsCollateral.Needs needs;
        try {
            needs = PcsCollateral.needs(quote);
        } catch (MalformedEvidenceException e) {
            throw new CollateralUnavailableException("cannot tell which collateral the quote needs: " + e.getMessage());
        }
        CollateralEntry.Verified tcb = get(new CollateralKey.IntelTcbInfo(needs.tee(), needs.fmspc()));
        CollateralEntry.Verified qe = get(new CollateralKey.IntelQeIdentity(needs.tee()));
        CollateralEntry.Verified pck = get(new CollateralKey.IntelPckCrl(needs.pckCa()));
        CollateralEntry.Verified root = get(new CollateralKey.IntelRootCrl());
        return new IntelCollateral.Files(
                tcb.entry().body(),
                chain(tcb),
                Optional.of(qe.entry().body()),
                Optional.of(chain(qe)),
                Optional.of(pck.entry().body()),
                Optional.of(chain(pck)),
                Optional.of(root.entry().body()));
    }

    /**
     * Refreshes every cached piece older than {@link Settings#refreshAfter} (what {@link #get} does when a piece is
     * used), so that a service that sees no quotes for a while still has fresh collateral when one comes, and a TCB
     * recovery reaches it early. A piece that cannot be refreshed stays cached until its {@code nextUpdate}.
     *
     * @return one line per piece that is not usable now (refresh failed and the cached one expired, or unreadable)
     */
    public List<String> refreshDue() {
        List<String> problems = new ArrayList<>();
        List<CollateralEntry> cached;
        try {
            cached = store.all(problems);
        } catch (IOException e) {
            return List.of("the collateral cache " + store.directory() + " cannot be listed: " + e.getMessage());
        }
        Instant now = clock.instant();
        for (CollateralEntry e : cached) {
            if (e.fetched().plus(settings.refreshAfter()).isAfter(now)) continue;
            try {
                get(e.key());
            } catch (CollateralUnavailableException x) {
                problems.add(x.getMessage());
            }
        }
        return problems;
    }

    /** The AMD CRLs in the cache that are valid now (no fetch): extra revocation data for SEV-SNP appraisal. */
    public List<byte[]> cachedAmdCrls() {
        List<byte[]> out = new ArrayList<>();
        for (var p : dev.donjon.abi.snp.ProductLine.values()) {
            CollateralKey key = new CollateralKey.AmdCrl(p);
            try {
                Optional<CollateralEntry.Verified> v =
                        Optional.ofNullable(memory.get(key)).filter(x -> x.validAt(clock.instant()));
                if (v.isEmpty()) v = fromDisk(key, clock.instant()).filter(x -> x.validAt(clock.instant()));
                v.ifPresent(x -> out.add(x.entry().body()));
            } catch (IOException | VerificationException | CollateralUnavailableException e) {
                LOG.fine(() -> "cached " + key.describe() + " not used: " + e.getMessage());
            }
        }
        return out;
    }

    /** A stored entry as judged now: verified (and whether inside its window) or the reason it does not verify. */
    public record Status(
            CollateralEntry entry, Optional<CollateralEntry.Verified> verified, Optional<String> problem) {}

    /** Every entry of the cache directory judged at the clock's instant, without fetching anything. */
    public List<Status> inspect(List<String> unreadable) throws IOException {
        Instant now = clock.instant();
        List<Status> out = new ArrayList<>();
        for (CollateralEntry e : store.all(unreadable)) {
            try {
                out.add(new Status(e, Optional.of(checks.check(e, now, this::storedChain)), Optional.empty()));
            } catch (VerificationException | CollateralUnavailableException x) {
                out.add(new Status(e, Optional.empty(), Optional.of(x.getMessage())));
            }
        }
        return out;
    }

    private CollateralEntry.Verified storedChain(CollateralKey.AmdCertChain key) throws CollateralUnavailableException {
        try {
            CollateralEntry e = store.read(key)
                    .orElseThrow(() -> new CollateralUnavailableException(
                            "no " + key.describe() + " in the cache to check it under"));
            return checks.check(e, clock.instant(), k -> {
                throw new CollateralUnavailableException("nested chain");
            });
        } catch (IOException | VerificationException x) {
            throw new CollateralUnavailableException(
                    "the cached " + key.describe() + " is not usable: " + x.getMessage());
        }
    }

    /** Verifies and stores entries from an offline bundle; returns a line per entry, refusals included. */
    public List<String> importEntries(List<CollateralEntry> entries, List<String> refused) {
        List<String> done = new ArrayList<>();
        Instant now = clock.instant();
        // cert chains first: AMD CRLs and VCEKs are checked under them
        List<CollateralEntry> ordered = new ArrayList<>(entries);
        ordered.sort((a, b) -> Boolean.compare(
                !(a.key() instanceof CollateralKey.AmdCertChain), !(b.key() instanceof CollateralKey.AmdCertChain)));
        for (CollateralEntry e : ordered) {
            try {
                CollateralEntry.Verified v = checks.check(e, now, k -> importedChain(k, ordered, now));
                store.write(e);
                memory.put(e.key(), v);
                done.add(v.subject() + ", valid until " + v.nextUpdate());
            } catch (VerificationException | CollateralUnavailableException | IOException x) {
                refused.add(e.key().describe() + ": " + x.getMessage());
            }
        }
        return done;
    }

    private CollateralEntry.Verified importedChain(
            CollateralKey.AmdCertChain key, List<CollateralEntry> bundle, Instant now)
            throws CollateralUnavailableException {
        for (CollateralEntry e : bundle) {
            if (e.key().equals(key)) {
                try {
                    return checks.check(e, now, k -> {
                        throw new CollateralUnavailableException("nested chain");
                    });
                } catch (VerificationException x) {
                    throw new CollateralUnavailableException(
                            key.describe() + " in the bundle does not verify: " + x.getMessage());
                }
            }
        }
        return get(key);
    }

    private static byte[] chain(CollateralEntry.Verified v) {
        return v.entry().issuerChain().orElseThrow().getBytes(StandardCharsets.US_ASCII);
    }
}
