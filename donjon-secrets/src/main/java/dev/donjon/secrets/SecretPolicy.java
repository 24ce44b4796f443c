package dev.donjon.secrets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.donjon.abi.csr.ClaimsExtension;
import dev.donjon.abi.csr.WorkloadIdentity;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Who may have one secret: the attested claims a Keep's Steward-issued certificate must carry ({@link ClaimsExtension}).
 * Every constraint given must hold; a debug TEE never qualifies. A policy must name the TEEs and the workload (by
 * digest and/or registry slug): a secret released to "any Keep" is refused when it is stored.
 *
 * @param tees        "snp", "sgx", "tdx" (and "sim", only when named: simulated, proves nothing)
 * @param measurements launch measurements of the Keep runtime (hex); empty: any the Steward certified
 * @param workloadDigests workload module digests, {@code sha-256:HEX}
 * @param slugs       registry package slugs, e.g. {@code registry.example/alice/app:1.0.0}
 * @param tcbStatuses Intel TCB statuses accepted (e.g. UpToDate); empty: whatever the Steward accepted
 */
public record SecretPolicy(
        SortedSet<String> tees,
        SortedSet<String> measurements,
        SortedSet<String> workloadDigests,
        SortedSet<String> slugs,
        SortedSet<String> tcbStatuses) {

    private static final Set<String> TEES = Set.of("snp", "sgx", "tdx", "sim");
    private static final Pattern HEX = Pattern.compile("([0-9a-f]{2}){16,64}");
    private static final Pattern DIGEST = Pattern.compile("sha-(256|384|512):[0-9a-f]+");
    private static final ObjectMapper JSON = new ObjectMapper();

    public SecretPolicy {
        tees = normalized(tees, s -> s.toLowerCase(Locale.ROOT));
        measurements = normalized(measurements, s -> s.toLowerCase(Locale.ROOT));
        workloadDigests = normalized(workloadDigests, SecretPolicy::digest);
        slugs = normalized(slugs, s -> s);
        tcbStatuses = normalized(tcbStatuses, s -> s);
        if (tees.isEmpty())
            throw new IllegalArgumentException("a policy must name the TEEs it releases to (tee: snp, sgx, tdx, sim)");
        for (String t : tees)
            if (!TEES.contains(t))
                throw new IllegalArgumentException("unknown TEE '" + t + "' (expected snp, sgx, tdx or sim)");
        for (String m : measurements) {
            if (!HEX.matcher(m).matches())
                throw new IllegalArgumentException("measurement '" + m + "' is not hex of 16 to 64 bytes");
        }
        if (workloadDigests.isEmpty() && slugs.isEmpty()) {
            throw new IllegalArgumentException(
                    "a policy must name the workload: a digest (sha-256:HEX) and/or a registry slug");
        }
        for (String s : slugs) new WorkloadIdentity(Optional.of(s), Optional.empty()); // the claims' own slug rules
    }

    private interface Normalizer {
        String apply(String s);
    }

    private static SortedSet<String> normalized(Collection<String> in, Normalizer n) {
        SortedSet<String> out = new TreeSet<>();
        for (String s : in) out.add(n.apply(s.strip()));
        return java.util.Collections.unmodifiableSortedSet(out);
    }

    /** {@code sha-256:HEX}, {@code sha-384:HEX}, {@code sha-512:HEX}, or bare hex of a SHA-256. */
    private static String digest(String s) {
        String d = s.toLowerCase(Locale.ROOT);
        if (!d.contains(":")) d = "sha-256:" + d;
        if (!DIGEST.matcher(d).matches())
            throw new IllegalArgumentException("workload digest '" + s + "' is not sha-256:HEX (or sha-384, sha-512)");
        // WorkloadIdentity.Digest checks the length for the algorithm
        new WorkloadIdentity.Digest(
                d.substring(0, d.indexOf(':')), java.util.HexFormat.of().parseHex(d.substring(d.indexOf(':') + 1)));
        return d;
    }

    /** Why {@code claims} do not satisfy this policy, phrased about the Keep (never listing what is allowed); empty: they do. */
    public Optional<String> refusal(ClaimsExtension claims) {
        if (claims.debug()) return Optional.of("the Keep's TEE runs in debug mode (the host can read its memory)");
        if (!tees.contains(claims.tee()))
            return Optional.of("the Keep's TEE " + claims.tee() + " is not one the policy allows");
        if (!measurements.isEmpty() && !measurements.contains(claims.measurementHex())) {
            return Optional.of("the Keep's measurement " + claims.measurementHex() + " is not one the policy allows");
        }
        if (!tcbStatuses.isEmpty()
                && claims.tcbStatus().map(st -> !tcbStatuses.contains(st)).orElse(true)) {
            return Optional.of(
                    "the Keep's TCB status " + claims.tcbStatus().orElse("(none)") + " is not one the policy allows");
        }
        Optional<WorkloadIdentity> w = claims.workload();
        if (!workloadDigests.isEmpty()) {
            Optional<String> d = w.flatMap(WorkloadIdentity::digest).map(WorkloadIdentity.Digest::toString);
            if (d.isEmpty()) return Optional.of("the Keep's certificate names no workload digest");
            if (!workloadDigests.contains(d.get()))
                return Optional.of("the Keep's workload " + d.get() + " is not one the policy allows");
        }
        if (!slugs.isEmpty()) {
            Optional<String> s = w.flatMap(WorkloadIdentity::slug);
            if (s.isEmpty()) return Optional.of("the Keep's certificate names no registry slug");
            if (!slugs.contains(s.get()))
                return Optional.of("the Keep's workload slug " + s.get() + " is not one the policy allows");
        }
        return Optional.empty();
    }

    /**
     * Canonical JSON (sorted arrays, fixed member order, empty members left out): the form stored and bound, with the
     * name and version, into the secret's encryption, so that a policy changed in the store does not release anything.
     */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        put(n, "tee", tees);
        put(n, "measurement", measurements);
        put(n, "workload_digest", workloadDigests);
        put(n, "slug", slugs);
        put(n, "tcb_status", tcbStatuses);
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] canonicalBytes() {
        return toJson().getBytes(StandardCharsets.UTF_8);
    }

    private static void put(ObjectNode n, String member, SortedSet<String> values) {
        if (values.isEmpty()) return;
        ArrayNode a = n.putArray(member);
        values.forEach(a::add);
    }

    /** Reads {@link #toJson()}'s form; unknown members are refused. */
    public static SecretPolicy fromJson(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("policy is not JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException("policy is not a JSON object");
        Set<String> known = Set.of("tee", "measurement", "workload_digest", "slug", "tcb_status");
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f))
                throw new IllegalArgumentException("policy has an unknown member \"" + f + "\" (expected "
                        + String.join(", ", new TreeSet<>(known)) + ")");
        }
        return new SecretPolicy(
                strings(n, "tee"),
                strings(n, "measurement"),
                strings(n, "workload_digest"),
                strings(n, "slug"),
                strings(n, "tcb_status"));
    }

    private static SortedSet<String> strings(JsonNode n, String member) {
        SortedSet<String> out = new TreeSet<>();
        JsonNode a = n.get(member);
        if (a == null) return out;
        if (!a.isArray()) throw new IllegalArgumentException("policy " + member + " is not a list of strings");
        for (JsonNode e : a) {
            if (!e.isTextual()) throw new IllegalArgumentException("policy " + member + " holds a non-string");
            out.add(e.asText());
        }
        return out;
    }

    public static SecretPolicy of(
            List<String> tees, List<String> measurements, List<String> digests, List<String> slugs, List<String> tcb) {
        return new SecretPolicy(
                new TreeSet<>(tees),
                new TreeSet<>(measurements),
                new TreeSet<>(digests),
                new TreeSet<>(slugs),
                new TreeSet<>(tcb));
    }

    @Override
    public String toString() {
        return toJson();
    }
}
