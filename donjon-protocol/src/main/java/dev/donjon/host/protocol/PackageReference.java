package dev.donjon.host.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.donjon.common.Pem;
import dev.donjon.config.ConfigException;
import dev.donjon.config.DonjonConfig;
import dev.donjon.drawbridge.SignedTag;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A package the Keep fetches itself: a Drawbridge slug {@code [host/]user/repo:tag}, a tag URL or a {@code file://}
 * URL, with what the Keep needs to fetch it safely. Sealed to the Keep like a package, so the host learns neither the
 * workload nor which one it is, nor the owner's registry token.
 *
 * <p>Encoding (inside HPKE only): "DJRF", version byte 1, then UTF-8 JSON
 * {@code {"spec", "wasmSha256"?, "token"?, "registryCas"?: [base64 DER], "steward"?, "stewardCas"?: [base64 DER],
 * "tagKeys"?: [base64 DER SubjectPublicKeyInfo], "donjonToml"?: text, "secretsCas"?: [base64 DER],
 * "secrets"?: {NAME: base64}, "args"?: [string]}}. Absent optional fields mean what they meant before they existed
 * (no tag key: no signature required), so older references decode unchanged; a Keep that predates a field refuses it
 * as unknown rather than ignoring a requirement.
 *
 * <p>The Steward travels here, not in the package's Enarx.toml, because a private package cannot be read before the
 * Keep has its certificate: with {@code steward} the Keep enrolls first (its CSR names the slug, no module digest:
 * there is no module yet) and presents the issued certificate to the registry.
 *
 * @param spec        where the package is
 * @param wasmSha256  when present, the SHA-256 (hex) main.wasm must have: pins the exact module beyond the tag
 * @param token       bearer token for the registry (private repositories without a Keep certificate)
 * @param registryCas DER certificates the Keep trusts for the registry's TLS; empty: the JDK's defaults
 * @param steward     the Steward's URL: the Keep enrolls there and fetches with the issued certificate (mTLS)
 * @param stewardCas  DER certificates the Keep trusts for the Steward's HTTPS, besides the JDK's
 * @param tagKeys     publisher keys (DER SubjectPublicKeyInfo, EC P-256/P-384): when any, the Keep runs the package only
 *                    if its Drawbridge tag is signed by one of them
 * @param donjonToml  the Donjon.toml the owner gives the fetched workload (secrets from a broker); a registry package
 *                    carries none of its own, since the owner, not the publisher, chooses where secrets come from
 * @param secretsCas  DER certificates the Keep trusts for the secret broker's HTTPS, besides the JDK's
 * @param secrets     secrets sealed in the reference itself (name -> value), given to the guest as environment variables
 *                    like a package's {@code secrets/} files: for a registry package, which holds none
 * @param args        the guest's arguments from the command line, after argv[0] and the fetched Enarx.toml's {@code args}
 */
public record PackageReference(
        String spec,
        Optional<String> wasmSha256,
        Optional<String> token,
        List<byte[]> registryCas,
        Optional<String> steward,
        List<byte[]> stewardCas,
        List<byte[]> tagKeys,
        Optional<String> donjonToml,
        List<byte[]> secretsCas,
        Map<String, byte[]> secrets,
        List<String> args)
        implements Delivery {

    private static final byte[] MAGIC = {'D', 'J', 'R', 'F'};
    private static final int VERSION = 1;
    private static final int MAX_BYTES = 1 << 20;
    /** Enough for a team of publishers; a bound on what the Keep parses. */
    static final int MAX_TAG_KEYS = 16;

    private static final ObjectMapper JSON = new ObjectMapper();

    public PackageReference {
        wasmSha256 = wasmSha256.map(h -> h.strip().toLowerCase(Locale.ROOT));
        registryCas = registryCas.stream().map(byte[]::clone).toList();
        stewardCas = stewardCas.stream().map(byte[]::clone).toList();
        tagKeys = tagKeys.stream().map(byte[]::clone).toList();
        Objects.requireNonNull(donjonToml, "donjonToml");
        secretsCas = secretsCas.stream().map(byte[]::clone).toList();
        Map<String, byte[]> copy = new LinkedHashMap<>();
        secrets.forEach((k, v) -> copy.put(k, v.clone()));
        secrets = Collections.unmodifiableMap(copy);
        args = List.copyOf(args);
    }

    /** A reference without Donjon.toml or secrets of its own. */
    public PackageReference(
            String spec,
            Optional<String> wasmSha256,
            Optional<String> token,
            List<byte[]> registryCas,
            Optional<String> steward,
            List<byte[]> stewardCas,
            List<byte[]> tagKeys) {
        this(
                spec,
                wasmSha256,
                token,
                registryCas,
                steward,
                stewardCas,
                tagKeys,
                Optional.empty(),
                List.of(),
                Map.of(),
                List.of());
    }

    /** A reference without tag keys: the tag need not be signed. */
    public PackageReference(
            String spec,
            Optional<String> wasmSha256,
            Optional<String> token,
            List<byte[]> registryCas,
            Optional<String> steward,
            List<byte[]> stewardCas) {
        this(spec, wasmSha256, token, registryCas, steward, stewardCas, List.of());
    }

    /** A reference without a Steward: the Keep fetches anonymously or with the token. */
    public PackageReference(
            String spec, Optional<String> wasmSha256, Optional<String> token, List<byte[]> registryCas) {
        this(spec, wasmSha256, token, registryCas, Optional.empty(), List.of());
    }

    /** The same reference, fetched by a Keep that first enrolls with {@code stewardUrl} (trusting {@code cas} too). */
    public PackageReference withSteward(String stewardUrl, List<byte[]> cas) {
        return new PackageReference(
                spec,
                wasmSha256,
                token,
                registryCas,
                Optional.of(stewardUrl),
                cas,
                tagKeys,
                donjonToml,
                secretsCas,
                secrets,
                args);
    }

    /** The same reference, run only if its tag is signed by one of {@code keys} (DER SubjectPublicKeyInfo). */
    public PackageReference withTagKeys(List<byte[]> keys) {
        return new PackageReference(
                spec, wasmSha256, token, registryCas, steward, stewardCas, keys, donjonToml, secretsCas, secrets, args);
    }

    /** The same reference, its guest run with these arguments. */
    public PackageReference withArgs(List<String> guestArgs) {
        return new PackageReference(
                spec,
                wasmSha256,
                token,
                registryCas,
                steward,
                stewardCas,
                tagKeys,
                donjonToml,
                secretsCas,
                secrets,
                guestArgs);
    }

    /** The same reference with the owner's Donjon.toml, the broker's CAs (DER) and secrets sealed in it. */
    public PackageReference withDonjon(
            Optional<String> toml, List<byte[]> brokerCas, Map<String, byte[]> sealedSecrets) {
        return new PackageReference(
                spec,
                wasmSha256,
                token,
                registryCas,
                steward,
                stewardCas,
                tagKeys,
                toml,
                brokerCas,
                sealedSecrets,
                args);
    }

    /**
     * The fetched package with what this reference carries for it: Donjon.toml, the broker's CAs and secrets; and the
     * Steward CAs, which the guest's own enrollment (its Enarx.toml's steward) trusts too when the package brings none.
     */
    public WorkloadPackage carriedInto(WorkloadPackage fetched) {
        WorkloadPackage p = fetched;
        if (p.stewardCa().isEmpty() && !stewardCas.isEmpty()) {
            p = new WorkloadPackage(
                    p.wasm(),
                    p.enarxToml(),
                    p.secrets(),
                    Optional.of(Pem.certificates(stewardCas)),
                    p.donjonToml(),
                    p.secretsCa(),
                    p.args());
        }
        Optional<byte[]> brokerPem =
                secretsCas.isEmpty() ? Optional.empty() : Optional.of(Pem.certificates(secretsCas));
        return p.withDonjon(donjonToml.map(t -> t.getBytes(StandardCharsets.UTF_8)), brokerPem, secrets);
    }

    /** Tag keys are checked by Drawbridge tag signatures, which only slugs and tag URLs have. */
    public static boolean canCarryTagKeys(String spec) {
        return !spec.startsWith("file:") && !spec.startsWith("oci://");
    }

    public static PackageReference of(String spec) {
        return new PackageReference(spec, Optional.empty(), Optional.empty(), List.of());
    }

    @Override
    public void validate() throws ProtocolException {
        if (spec.isBlank() || spec.length() > 2048)
            throw new ProtocolException("package reference must be 1 to 2048 characters");
        if (wasmSha256.isPresent()) {
            String h = wasmSha256.get();
            if (h.length() != 64 || !h.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new ProtocolException("expected main.wasm digest must be a SHA-256 in hex (64 digits)");
            }
        }
        if (steward.isPresent()) {
            java.net.URI u;
            try {
                u = new java.net.URI(steward.get());
            } catch (java.net.URISyntaxException e) {
                throw new ProtocolException("package reference: the Steward URL is not a URL");
            }
            if (!"https".equals(u.getScheme()) || u.getHost() == null)
                throw new ProtocolException("package reference: the Steward URL must be https://host...");
        }
        if (!tagKeys.isEmpty() && !canCarryTagKeys(spec))
            throw new ProtocolException("package reference: tag keys apply to Drawbridge tags only, not to "
                    + spec.substring(0, spec.indexOf(':') + 1) + " packages");
        WorkloadPackage.checkArgs(args);
        if (tagKeys.size() > MAX_TAG_KEYS)
            throw new ProtocolException("package reference has more than " + MAX_TAG_KEYS + " tag keys");
        for (byte[] k : tagKeys) {
            try {
                SignedTag.publisherKey(k);
            } catch (IllegalArgumentException e) {
                throw new ProtocolException("package reference: a tag key is " + e.getMessage());
            }
        }
        if (donjonToml.isPresent()) {
            if (donjonToml.get().length() > WorkloadPackage.MAX_TOML_BYTES)
                throw new ProtocolException("package reference: Donjon.toml is larger than 1 MiB");
            try {
                DonjonConfig.parse(donjonToml.get());
            } catch (ConfigException e) {
                throw new ProtocolException("package reference: Donjon.toml: " + e.getMessage());
            }
        }
        // the same rules as a package's secrets/ files: they become environment variables
        new WorkloadPackage(new byte[0], Optional.empty(), secrets).validate();
    }

    static boolean hasMagic(byte[] plaintext) {
        return plaintext.length >= 4 && Arrays.equals(Arrays.copyOf(plaintext, 4), MAGIC);
    }

    @Override
    public byte[] encode() {
        ObjectNode n = JSON.createObjectNode().put("spec", spec);
        wasmSha256.ifPresent(h -> n.put("wasmSha256", h));
        token.ifPresent(t -> n.put("token", t));
        putDerList(n, "registryCas", registryCas);
        steward.ifPresent(u -> n.put("steward", u));
        putDerList(n, "stewardCas", stewardCas);
        putDerList(n, "tagKeys", tagKeys);
        donjonToml.ifPresent(t -> n.put("donjonToml", t));
        putDerList(n, "secretsCas", secretsCas);
        if (!secrets.isEmpty()) {
            ObjectNode s = n.putObject("secrets");
            secrets.forEach((k, v) -> s.put(k, Base64.getEncoder().encodeToString(v)));
        }
        if (!args.isEmpty()) args.forEach(n.putArray("args")::add);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.write(VERSION);
        try {
            out.writeBytes(JSON.writeValueAsBytes(n));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static void putDerList(ObjectNode n, String field, List<byte[]> cas) {
        if (cas.isEmpty()) return;
        var a = n.putArray(field);
        cas.forEach(c -> a.add(Base64.getEncoder().encodeToString(c)));
    }

    private static List<byte[]> derList(JsonNode n, String field) throws ProtocolException {
        List<byte[]> cas = new ArrayList<>();
        for (JsonNode c : n.path(field)) {
            try {
                cas.add(Base64.getDecoder().decode(c.asText()));
            } catch (IllegalArgumentException e) {
                throw new ProtocolException("package reference: an entry in " + field + " is not base64");
            }
        }
        return cas;
    }

    public static PackageReference decode(byte[] bytes) throws ProtocolException {
        if (!hasMagic(bytes) || bytes.length < 5) throw new ProtocolException("package reference has a bad magic");
        if (bytes.length > MAX_BYTES) throw new ProtocolException("package reference is larger than 1 MiB");
        if ((bytes[4] & 0xFF) != VERSION)
            throw new ProtocolException("package reference version " + (bytes[4] & 0xFF) + " is not supported");
        JsonNode n;
        try {
            n = JSON.readTree(new String(bytes, 5, bytes.length - 5, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ProtocolException("package reference is not JSON");
        }
        if (n == null || !n.isObject() || !n.path("spec").isTextual())
            throw new ProtocolException("package reference has no spec");
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of(
                            "spec",
                            "wasmSha256",
                            "token",
                            "registryCas",
                            "steward",
                            "stewardCas",
                            "tagKeys",
                            "donjonToml",
                            "secretsCas",
                            "secrets",
                            "args")
                    .contains(f)) {
                throw new ProtocolException("package reference has an unknown field '" + f + "'");
            }
        }
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        for (var it = n.path("secrets").fields(); it.hasNext(); ) {
            var e = it.next();
            try {
                secrets.put(e.getKey(), Base64.getDecoder().decode(e.getValue().asText()));
            } catch (IllegalArgumentException x) {
                throw new ProtocolException("package reference: secret " + e.getKey() + " is not base64");
            }
        }
        PackageReference r = new PackageReference(
                n.get("spec").asText(),
                text(n, "wasmSha256"),
                text(n, "token"),
                derList(n, "registryCas"),
                text(n, "steward"),
                derList(n, "stewardCas"),
                derList(n, "tagKeys"),
                text(n, "donjonToml"),
                derList(n, "secretsCas"),
                secrets,
                strings(n, "args"));
        r.validate();
        return r;
    }

    private static List<String> strings(JsonNode n, String field) throws ProtocolException {
        JsonNode a = n.path(field);
        if (a.isMissingNode()) return List.of();
        if (!a.isArray()) throw new ProtocolException("package reference: " + field + " is not an array");
        List<String> out = new ArrayList<>();
        for (JsonNode s : a) {
            if (!s.isTextual())
                throw new ProtocolException("package reference: an entry in " + field + " is not a string");
            out.add(s.asText());
        }
        return out;
    }

    private static Optional<String> text(JsonNode n, String field) {
        return n.hasNonNull(field) ? Optional.of(n.get(field).asText()) : Optional.empty();
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "PackageReference[" + spec
                + wasmSha256.map(h -> ", main.wasm sha-256 " + h).orElse("")
                + (token.isPresent() ? ", with a token" : "") + ", " + registryCas.size() + " registry CAs"
                + steward.map(u -> ", Steward " + u).orElse("")
                + (tagKeys.isEmpty() ? "" : ", tag signed by one of " + tagKeys.size() + " keys")
                + (donjonToml.isPresent() ? ", Donjon.toml" : "")
                + (secrets.isEmpty() ? "" : ", " + secrets.size() + " sealed secrets")
                + (args.isEmpty() ? "" : ", " + args.size() + " arguments") + "]";
    }

    /** SHA-256 of main.wasm as hex, the form {@link #wasmSha256} takes. */
    public static String sha256Hex(byte[] wasm) {
        try {
            return HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(wasm));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
