package dev.donjon.platform;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses the backend a Keep runs on, as Enarx: a backend named by {@code --backend} (else {@code ENARX_BACKEND}) is
 * used if usable and refused otherwise; without a name, the first usable of sgx, snp, tdx is taken, and only a
 * local {@code run} falls back to {@code nil}. {@code sim} is never chosen unless named. A Keep that must run in a TEE
 * never gets {@code nil} or {@code sim}, not even when named, unless the caller explicitly allows insecure backends.
 */
public final class PlatformSelector {

    public static final String ENVIRONMENT_VARIABLE = "ENARX_BACKEND";

    /** What the Keep about to start needs. */
    public enum Requirement {
        /** A local {@code donjon run}: any usable backend, {@code nil} when no TEE is found. */
        LOCAL_RUN,
        /** A deployment that asked for a TEE: only sgx, snp or tdx. */
        TEE,
        /** A TEE, except that a {@code nil} or {@code sim} backend named explicitly is accepted (the caller warns). */
        TEE_OR_NAMED_INSECURE
    }

    /**
     * @param insecure the backend gives no hardware protection ({@code nil}, {@code sim}); whoever shows the selection must say so
     * @param why      how it was chosen, for logs and {@code platform info}
     */
    public record Selection(Platform platform, boolean insecure, String why) {}

    private final Map<Backend, Platform> platforms = new EnumMap<>(Backend.class);

    public PlatformSelector(List<Platform> available) {
        for (Platform p : available) platforms.put(p.backend(), p);
    }

    public Selection select(Optional<String> option, Map<String, String> environment, Requirement requirement)
            throws PlatformException {
        Optional<String> named = option.filter(s -> !s.isBlank());
        String source = "--backend";
        if (named.isEmpty()) {
            named = Optional.ofNullable(environment.get(ENVIRONMENT_VARIABLE)).filter(s -> !s.isBlank());
            source = ENVIRONMENT_VARIABLE;
        }
        return named.isPresent() ? named(named.get(), source, requirement) : automatic(requirement);
    }

    private Selection named(String name, String source, Requirement requirement) throws PlatformException {
        Backend backend = Backend.named(name)
                .orElseThrow(() -> new PlatformException("unknown backend '" + name.strip() + "' (from " + source
                        + "); known: nil, sim, snp, tdx, sgx, and Enarx's sev (snp) and kvm (nil)"));
        boolean enarxName = Backend.fromWireName(name).isEmpty();
        String label = "'" + backend + "'" + (enarxName ? " (Enarx's '" + name.strip() + "')" : "");
        if (!backend.hardware() && requirement == Requirement.TEE) {
            throw new PlatformException("backend " + label + " (from " + source + ") is not a hardware TEE"
                    + (backend == Backend.SIM ? " (it is simulated)" : "") + " and this Keep must run in one");
        }
        Platform platform = platforms.get(backend);
        if (platform == null) throw new PlatformException("backend " + label + " is not available in this build");
        PlatformInfo info = platform.info();
        if (!info.usable()) {
            throw new PlatformException(
                    "backend " + label + " (from " + source + ") is not usable here: " + firstFailure(info));
        }
        return new Selection(
                platform,
                !backend.hardware(),
                "named by " + source + (enarxName ? " as Enarx's '" + name.strip() + "'" : ""));
    }

    private Selection automatic(Requirement requirement) throws PlatformException {
        List<String> refusals = new ArrayList<>();
        for (Backend b : Backend.HARDWARE_PREFERENCE) {
            Platform p = platforms.get(b);
            if (p == null) continue;
            PlatformInfo info = p.info();
            if (info.usable()) return new Selection(p, false, "first usable of sgx, snp, tdx");
            refusals.add(b + ": " + firstFailure(info));
        }
        String none = refusals.isEmpty() ? "no TEE backend in this build" : String.join("; ", refusals);
        if (requirement == Requirement.LOCAL_RUN && platforms.containsKey(Backend.NIL)) {
            return new Selection(platforms.get(Backend.NIL), true, "no TEE found (" + none + ")");
        }
        throw new PlatformException("no TEE is usable on this machine (" + none + ") and this Keep must run in one");
    }

    /** The first failing check, depth first, at its most precise (a failing sub-check of a failing check). */
    static String firstFailure(PlatformInfo info) {
        return failing(info.checks()).map(c -> c.name() + ": " + c.detail()).orElse("not usable");
    }

    private static Optional<Check> failing(List<Check> checks) {
        for (Check c : checks) {
            Optional<Check> below = failing(c.children());
            if (below.isPresent()) return below;
            if (!c.ok()) return Optional.of(c);
        }
        return Optional.empty();
    }
}
