package dev.donjon.drawbridge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.donjon.common.OneLine;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Pulls a package stored as an OCI artifact from a registry speaking the OCI distribution spec: the manifest
 * (by tag or digest), then each layer blob by digest. Layers are named by their
 * {@code org.opencontainers.image.title} annotation ({@code main.wasm}, {@code Enarx.toml}), or else recognised
 * by a WebAssembly / TOML media type. Every blob's size is checked against the caps before download and its
 * digest after; a manifest fetched by digest is checked too.
 */
public final class OciPuller {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String TITLE = "org.opencontainers.image.title";
    private static final Pattern NAME =
            Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})");

    private final HttpClient http;

    public OciPuller(SSLContext tls) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (tls != null) b.sslContext(tls);
        this.http = b.build();
    }

    /** An artifact reference: registry base URL, repository name, tag or digest. */
    public record Reference(URI base, String name, String reference) {
        public Reference {
            if (!NAME.matcher(name).matches())
                throw RegistryException.badRequest("invalid OCI repository name '" + Names.printable(name) + "'");
            if (!TAG.matcher(reference).matches() && !DIGEST.matcher(reference).matches())
                throw RegistryException.badRequest("invalid OCI tag or digest '" + Names.printable(reference) + "'");
        }

        /**
         * Parses {@code oci://host[:port]/name[:tag|@digest]} (tag defaults to "latest"). HTTPS, except plain HTTP for
         * a loopback host, as container tools allow for a local registry.
         */
        public static Reference parse(String spec) {
            if (!spec.startsWith("oci://")) throw RegistryException.badRequest("OCI reference must start with oci://");
            String rest = spec.substring(6);
            int slash = rest.indexOf('/');
            if (slash <= 0)
                throw RegistryException.badRequest("OCI reference '" + Names.printable(spec) + "' has no repository");
            String host = rest.substring(0, slash);
            String path = rest.substring(slash + 1);
            String ref;
            int at = path.indexOf('@');
            if (at >= 0) {
                ref = path.substring(at + 1);
                path = path.substring(0, at);
            } else {
                int colon = path.lastIndexOf(':');
                ref = colon >= 0 ? path.substring(colon + 1) : "latest";
                if (colon >= 0) path = path.substring(0, colon);
            }
            String h = host.replaceAll(":\\d+$", "");
            boolean loopback = h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]");
            return new Reference(URI.create((loopback ? "http://" : "https://") + host), path, ref);
        }

        @Override
        public String toString() {
            return "oci://" + base.getAuthority() + "/" + name + (reference.contains(":") ? "@" : ":") + reference;
        }
    }

    public FetchedPackage pull(Reference ref) {
        byte[] manifestBytes = get(
                ref,
                "/manifests/" + ref.reference(),
                PackageTree.MAX_OTHER,
                OCI_MANIFEST + ", application/vnd.docker.distribution.manifest.v2+json",
                Optional.empty(),
                true);
        if (DIGEST.matcher(ref.reference()).matches()) checkDigest(ref.reference(), manifestBytes, "manifest");
        JsonNode manifest = RegistryJson.parse(manifestBytes, "OCI manifest");
        JsonNode layers = manifest.path("layers");
        if (!layers.isArray() || layers.isEmpty()) throw new RegistryException(502, ref + ": manifest has no layers");
        SortedMap<String, byte[]> files = new TreeMap<>();
        for (JsonNode layer : layers) {
            String name = fileName(layer);
            if (name == null) continue;
            String digest = layer.path("digest").asText("");
            if (!DIGEST.matcher(digest).matches())
                throw new RegistryException(502, ref + ": layer " + name + " has no valid digest");
            long size = layer.path("size").asLong(-1);
            long cap = PackageTree.capFor(name);
            if (size < 0 || size > cap)
                throw new RegistryException(413, ref + ": layer " + name + " is " + size + " bytes; the cap is " + cap);
            byte[] blob = get(ref, "/blobs/" + digest, size, "*/*", Optional.of(digest), false);
            if (blob.length != size)
                throw new RegistryException(
                        502, ref + ": layer " + name + " is " + blob.length + " bytes, the manifest says " + size);
            checkDigest(digest, blob, "layer " + name);
            if (files.put(name, blob) != null) throw new RegistryException(502, ref + ": two layers are named " + name);
        }
        if (!files.containsKey(PackageTree.WASM))
            throw new RegistryException(502, ref + ": no main.wasm layer in the artifact");
        return new FetchedPackage(ref.toString(), Collections.unmodifiableSortedMap(files), false);
    }

    private static String fileName(JsonNode layer) {
        String title = layer.path("annotations").path(TITLE).asText(null);
        if (title != null) return TreePath.checkName(title);
        String type = layer.path("mediaType").asText("");
        if (type.contains("wasm")) return PackageTree.WASM;
        if (type.contains("toml")) return PackageTree.CONFIG;
        return null;
    }

    private HttpResponse<InputStream> send(URI uri, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMinutes(5))
                .header("Accept", accept)
                .GET();
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /**
     * The distribution spec's token flow for anonymous pulls: the 401's {@code WWW-Authenticate: Bearer realm=..,
     * service=.., scope=..} names a token service, which hands out a pull token without credentials.
     */
    private String anonymousToken(Reference ref, String challenge) throws IOException, InterruptedException {
        if (!challenge.regionMatches(true, 0, "Bearer ", 0, 7))
            throw new RegistryException(
                    401,
                    ref + ": the registry wants "
                            + (challenge.isBlank()
                                    ? "authentication"
                                    : challenge.split(" ")[0] + " authentication")
                            + ", which is not supported yet for OCI pulls");
        java.util.Map<String, String> params = new java.util.HashMap<>();
        var m = CHALLENGE_PARAM.matcher(challenge.substring(7));
        while (m.find()) params.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2));
        String realm = params.get("realm");
        if (realm == null) throw new RegistryException(502, ref + ": Bearer challenge without a realm");
        URI realmUri = URI.create(realm);
        boolean loopback =
                realmUri.getHost() != null && realmUri.getHost().matches("localhost|127\\.0\\.0\\.1|\\[::1]");
        if (!"https".equals(realmUri.getScheme()) && !("http".equals(realmUri.getScheme()) && loopback))
            throw new RegistryException(502, ref + ": token service " + realm + " is not https");
        StringBuilder q = new StringBuilder();
        for (String k : new String[] {"service", "scope"}) {
            if (params.containsKey(k))
                q.append(q.isEmpty() ? "" : "&")
                        .append(k)
                        .append('=')
                        .append(java.net.URLEncoder.encode(params.get(k), java.nio.charset.StandardCharsets.UTF_8));
        }
        URI tokenUri = URI.create(realm + (q.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + q));
        HttpResponse<byte[]> r = http.send(
                HttpRequest.newBuilder(tokenUri)
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200)
            throw new RegistryException(
                    401, ref + ": token service answered " + r.statusCode() + " for an anonymous pull token");
        JsonNode n = RegistryJson.parse(r.body(), "token response");
        String token = n.path("token").asText(n.path("access_token").asText(""));
        if (token.isEmpty() || token.length() > 16384)
            throw new RegistryException(502, ref + ": token service returned no usable token");
        return token;
    }

    static void checkDigest(String digest, byte[] bytes, String what) {
        String[] p = digest.split(":", 2);
        DigestAlgorithm alg = p[0].equals("sha256") ? DigestAlgorithm.SHA_256 : DigestAlgorithm.SHA_512;
        byte[] actual = alg.newDigest().digest(bytes);
        if (!MessageDigest.isEqual(actual, HexFormat.of().parseHex(p[1])))
            throw new RegistryException(502, what + " does not match its digest " + digest + "; refusing it");
    }

    /** The anonymous pull token the registry's token service issued, once asked for. */
    private volatile String bearer;

    private byte[] get(Reference ref, String path, long max, String accept, Optional<String> digest, boolean manifest) {
        URI uri = ref.base().resolve("/v2/" + ref.name() + path);
        try {
            HttpResponse<InputStream> r = send(uri, accept);
            if (r.statusCode() == 401 && bearer == null) {
                String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
                r.body().close();
                bearer = anonymousToken(ref, challenge);
                r = send(uri, accept);
            }
            try (InputStream in = r.body()) {
                if (r.statusCode() == 401)
                    throw new RegistryException(
                            401,
                            ref + ": the registry refused anonymous pulls (credentials are not supported yet for OCI)");
                if (r.statusCode() == 404 && manifest)
                    throw new RegistryException(
                            404,
                            ref + ": not found (404): no such "
                                    + (DIGEST.matcher(ref.reference()).matches() ? "manifest digest" : "tag")
                                    + " in repository " + ref.name());
                if (r.statusCode() != 200)
                    throw new RegistryException(
                            r.statusCode(),
                            ref + ": registry answered " + r.statusCode() + " for "
                                    + (manifest ? "the manifest" : digest.orElse(path)));
                long declared = r.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (declared > max)
                    throw new RegistryException(413, ref + ": " + path + " is " + declared + " bytes, over " + max);
                byte[] body = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 16));
                if (body.length > max)
                    throw new RegistryException(413, ref + ": " + path + " is over " + max + " bytes");
                if (manifest)
                    r.headers()
                            .firstValue("Docker-Content-Digest")
                            .filter(d -> DIGEST.matcher(d).matches())
                            .ifPresent(d -> checkDigest(d, body, "manifest"));
                return body;
            }
        } catch (IOException e) {
            throw new RegistryException(502, "cannot reach " + ref.base() + ": " + OneLine.of(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(503, "interrupted while pulling " + ref);
        }
    }
}
