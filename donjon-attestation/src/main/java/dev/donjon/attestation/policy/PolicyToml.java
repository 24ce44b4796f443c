package dev.donjon.attestation.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.donjon.attestation.TcbStatus;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads a policy from TOML: Enarx's steward.toml ([snp], [sgx]) with the same meaning, plus [tdx] and Donjon's keys
 * (see {@link SnpRules}, {@link SgxRules}, {@link TdxRules}). Unknown keys are errors, so a typo never widens a policy.
 */
public final class PolicyToml {

    private static final TomlMapper TOML = new TomlMapper();

    private PolicyToml() {}

    public static Policy read(Path file) throws IOException {
        String text = readText(file);
        try {
            return parse(text);
        } catch (PolicyException e) {
            throw new PolicyException(file + ": " + e.getMessage());
        }
    }

    /** A policy file's text, or an error naming the file (for readers that add keys of their own, like the Steward's). */
    public static String readText(Path file) throws IOException {
        try {
            return Files.readString(file);
        } catch (CharacterCodingException e) {
            // the file was read; its content is wrong, like any other policy error
            throw new PolicyException(file + ": not UTF-8 text (a TOML file must be UTF-8)");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("cannot read policy " + file + ": no such file", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("cannot read policy " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new IOException(
                    "cannot read policy " + file + ": " + (e.getMessage() == null ? "read error" : e.getMessage()), e);
        }
    }

    /**
     * Thrown for a policy that cannot be read; the message names the key and the problem, on one printable line: the
     * keys, values and paths it quotes come from the operator's file, and a line break or terminal escape in them would
     * otherwise reach the console and the log as is.
     */
    public static final class PolicyException extends IOException {
        public PolicyException(String message) {
            super(printable(message));
        }

        private static String printable(String message) {
            StringBuilder out = new StringBuilder(message.length());
            message.codePoints().forEach(c -> {
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029')
                            out.append(String.format("\\u%04x", c));
                        else out.appendCodePoint(c);
                    }
                }
            });
            return out.toString();
        }
    }

    public static Policy parse(String text) throws PolicyException {
        JsonNode root;
        try {
            root = TOML.readTree(text);
        } catch (IOException e) {
            String m = e.getMessage() == null
                    ? "syntax error"
                    : e.getMessage().lines().findFirst().orElse("syntax error");
            throw new PolicyException("invalid TOML: " + m);
        }
        if (root == null || !root.isObject()) root = TOML.createObjectNode();
        try {
            return build((ObjectNode) root);
        } catch (UncheckedPolicy e) {
            throw new PolicyException(e.getMessage());
        }
    }

    private static Policy build(ObjectNode root) {
        Section top = new Section("", root);
        Optional<SnpRules> snp = top.table("snp").map(PolicyToml::snp);
        Optional<SgxRules> sgx = top.table("sgx").map(PolicyToml::sgx);
        Optional<TdxRules> tdx = top.table("tdx").map(PolicyToml::tdx);
        // simulated evidence (the sim platform) is accepted only under its own, explicit section, with the [snp] keys
        Optional<SnpRules> sim = top.table("sim").map(PolicyToml::snp);
        top.rejectUnknown();
        if (snp.isEmpty() && sgx.isEmpty() && tdx.isEmpty() && sim.isEmpty()) {
            throw new UncheckedPolicy("the policy has none of the sections [snp], [sgx], [tdx], [sim]");
        }
        return new Policy(snp, sgx, tdx, sim);
    }

    private static SnpRules snp(Section s) {
        Set<String> signer = s.digests("signer", 48),
                hash = s.digests("hash", 48),
                deny = s.digests("hash_blacklist", 48);
        s.requireMeasurement(signer, hash, deny);
        OptionalLong flags = OptionalLong.empty();
        Optional<Set<String>> flagNames = s.strings("policy_flags");
        if (flagNames.isPresent()) {
            long mask = 0;
            for (String n : flagNames.get())
                mask |= s.convert("policy_flags", () -> SnpGuestPolicy.fromTomlName(n))
                        .mask();
            flags = OptionalLong.of(mask);
        }
        OptionalLong platform = OptionalLong.empty();
        Optional<Set<String>> platformNames = s.stringOrStrings("platform_info_flags");
        if (platformNames.isPresent()) {
            long mask = 0;
            for (String n : platformNames.get()) {
                mask |= switch (n.toUpperCase(Locale.ROOT)) {
                    case "SME" -> 1;
                    case "TSME" -> 2;
                    default -> throw s.error("platform_info_flags", "unknown flag '" + n + "' (expected SME or TSME)");
                };
            }
            platform = OptionalLong.of(mask);
        }
        Optional<VersionRequirement> abi =
                s.string("abi").map(a -> s.convert("abi", () -> VersionRequirement.parse(a)));
        Optional<PolicyFacts.SnpTcb> minTcb = s.table("min_tcb").map(t -> {
            var tcb = new PolicyFacts.SnpTcb(
                    t.uint("bootloader", 255).orElse(0),
                    t.uint("tee", 255).orElse(0),
                    t.uint("snp", 255).orElse(0),
                    t.uint("microcode", 255).orElse(0),
                    t.uint("fmc", 255).orElse(0));
            t.rejectUnknown();
            return tcb;
        });
        var rules = new SnpRules(
                signer,
                hash,
                deny,
                s.digests("id_key_digest", 48),
                s.digests("id_key_digest_blacklist", 48),
                abi,
                flags,
                platform,
                minTcb,
                s.uint("vmpl", 3),
                s.bool("allow_debug"),
                s.bool("allow_migration_agent"));
        s.rejectUnknown();
        return rules;
    }

    private static SgxRules sgx(Section s) {
        Set<String> signer = s.digests("signer", 32),
                hash = s.digests("hash", 32),
                deny = s.digests("hash_blacklist", 32);
        s.requireMeasurement(signer, hash, deny);
        OptionalLong features = OptionalLong.empty();
        Optional<Set<String>> featureNames = s.strings("features");
        if (featureNames.isPresent()) {
            // as Enarx: INIT and MODE64BIT are always expected of an enclave
            long mask = SgxAttribute.INIT.mask() | SgxAttribute.MODE64BIT.mask();
            for (String n : featureNames.get())
                mask |= s.convert("features", () -> SgxAttribute.fromTomlName(n))
                        .mask();
            features = OptionalLong.of(mask);
        }
        OptionalInt misc = OptionalInt.empty();
        Optional<Set<String>> miscNames = s.strings("misc_select");
        if (miscNames.isPresent()) {
            int mask = 0;
            for (String n : miscNames.get()) {
                if (!n.equalsIgnoreCase("EXINFO"))
                    throw s.error("misc_select", "unknown flag '" + n + "' (expected EXINFO)");
                mask |= 1;
            }
            misc = OptionalInt.of(mask);
        }
        var rules = new SgxRules(
                signer,
                hash,
                deny,
                features,
                misc,
                s.uint("enclave_security_version", 0xFFFF),
                s.uint("enclave_product_id", 0xFFFF),
                intelTcb(s),
                s.bool("allow_debug"));
        s.rejectUnknown();
        return rules;
    }

    private static TdxRules tdx(Section s) {
        Set<String> hash = s.digests("hash", 48),
                deny = s.digests("hash_blacklist", 48),
                owner = s.digests("mr_owner", 48);
        if (hash.isEmpty() && deny.isEmpty() && owner.isEmpty()) {
            throw s.error("hash", "one of hash, hash_blacklist or mr_owner must be given");
        }
        s.checkDisjoint(hash, deny);
        Optional<String> minSvn = s.string("min_tee_tcb_svn").map(v -> s.hex("min_tee_tcb_svn", v, 16));
        var rules = new TdxRules(hash, deny, owner, minSvn, intelTcb(s), s.bool("allow_debug"));
        s.rejectUnknown();
        return rules;
    }

    private static IntelTcbRules intelTcb(Section s) {
        Set<TcbStatus> statuses = new HashSet<>();
        for (String n : s.strings("tcb_statuses").orElse(Set.of())) {
            statuses.add(s.convert("tcb_statuses", () -> TcbStatus.fromWireName(n)));
        }
        return new IntelTcbRules(statuses, s.strings("allowed_advisories").orElse(Set.of()));
    }

    /** A TOML table being read; remembers which keys were used so that the rest can be reported as unknown. */
    private static final class Section {
        private final String name;
        private final ObjectNode node;
        private final Set<String> used = new HashSet<>();

        Section(String name, ObjectNode node) {
            this.name = name;
            this.node = node;
        }

        UncheckedPolicy error(String key, String detail) {
            return new UncheckedPolicy((name.isEmpty() ? key : name + "." + key) + ": " + detail);
        }

        private Optional<JsonNode> get(String key) {
            used.add(key);
            return Optional.ofNullable(node.get(key));
        }

        <T> T convert(String key, java.util.function.Supplier<T> parse) {
            try {
                return parse.get();
            } catch (IllegalArgumentException e) {
                throw error(key, e.getMessage());
            }
        }

        Optional<Section> table(String key) {
            return get(key).map(v -> {
                if (!v.isObject()) throw error(key, "expected a table");
                return new Section(name.isEmpty() ? key : name + "." + key, (ObjectNode) v);
            });
        }

        Optional<String> string(String key) {
            return get(key).map(v -> {
                if (!v.isTextual()) throw error(key, "expected a string");
                return v.asText();
            });
        }

        Optional<Set<String>> strings(String key) {
            return get(key).map(v -> {
                if (!v.isArray()) throw error(key, "expected an array of strings");
                Set<String> out = new LinkedHashSet<>();
                for (JsonNode e : v) {
                    if (!e.isTextual()) throw error(key, "expected an array of strings");
                    out.add(e.asText());
                }
                return out;
            });
        }

        Optional<Set<String>> stringOrStrings(String key) {
            JsonNode v = node.get(key);
            if (v != null && v.isTextual()) {
                used.add(key);
                return Optional.of(Set.of(v.asText()));
            }
            return strings(key);
        }

        OptionalInt uint(String key, int max) {
            Optional<JsonNode> v = get(key);
            if (v.isEmpty()) return OptionalInt.empty();
            JsonNode n = v.get();
            // canConvertToLong: asLong() of an integer beyond 64 bits keeps its low bits (2^64 + 1 would read as 1)
            if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0 || n.asLong() > max) {
                throw error(key, "expected an integer from 0 to " + max);
            }
            return OptionalInt.of(n.asInt());
        }

        boolean bool(String key) {
            return get(key).map(v -> {
                        if (!v.isBoolean()) throw error(key, "expected true or false");
                        return v.asBoolean();
                    })
                    .orElse(false);
        }

        Set<String> digests(String key, int bytes) {
            Set<String> out = new LinkedHashSet<>();
            for (String d : strings(key).orElse(Set.of())) out.add(hex(key, d, bytes));
            return out;
        }

        String hex(String key, String value, int bytes) {
            byte[] raw;
            try {
                raw = HexFormat.of().parseHex(value);
            } catch (IllegalArgumentException e) {
                throw error(key, "invalid hex '" + value + "'");
            }
            if (raw.length != bytes) {
                throw error(key, "expected " + bytes + " bytes of hex, got " + raw.length);
            }
            return HexFormat.of().formatHex(raw);
        }

        /** As Enarx: a section must name at least one of signer, hash, hash_blacklist; no hash both allowed and denied. */
        void requireMeasurement(Set<String> signer, Set<String> hash, Set<String> deny) {
            if (signer.isEmpty() && hash.isEmpty() && deny.isEmpty()) {
                throw error("signer", "one of signer, hash or hash_blacklist must be given");
            }
            checkDisjoint(hash, deny);
        }

        void checkDisjoint(Set<String> hash, Set<String> deny) {
            for (String h : hash) {
                if (deny.contains(h)) throw error("hash", "same hash " + h + " in both hash and hash_blacklist");
            }
        }

        void rejectUnknown() {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!used.contains(key)) throw error(key, "unknown key");
            }
        }
    }

    /** Carries a PolicyException out of lambdas; unwrapped in {@link #parse}. */
    private static final class UncheckedPolicy extends RuntimeException {
        UncheckedPolicy(String message) {
            super(message);
        }
    }
}
