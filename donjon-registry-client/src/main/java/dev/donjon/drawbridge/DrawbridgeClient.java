package dev.donjon.drawbridge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.donjon.common.OneLine;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/** A client of a Drawbridge registry (Donjon's or Enarx's): users, repositories, tags and trees. */
public final class DrawbridgeClient {
    public static final String API = "/api/v0.1.0/";

    private final URI base;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private final HttpClient http;
    private final Optional<String> token;

    /**
     * @param base  the registry, e.g. {@code https://registry.example:8443}
     * @param tls   the TLS context (trust anchors, and the Keep's certificate for private workloads), or null for the JDK's
     * @param token a bearer token, or empty for anonymous access
     */
    public DrawbridgeClient(URI base, SSLContext tls, Optional<String> token) {
        this.base = base;
        HttpClient.Builder b =
                HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) b.sslContext(tls);
        this.http = b.build();
        this.token = token;
    }

    public URI base() {
        return base;
    }

    /** A response: body, media type and the Content-Digest the server sent (if any). */
    public record Fetched(byte[] body, String type, Optional<ContentDigest> digest) {}

    // ---- users and repositories ----

    public void registerUser(String user, String subject) {
        put(uri(Names.user(user)), new UserRecord(subject).toJson(), "application/json");
    }

    public UserRecord userInfo(String user) {
        return UserRecord.parse(get(uri(Names.user(user)), 64 << 10).body());
    }

    public void registerRepository(String user, String repo, boolean isPublic) {
        put(
                uri(Names.user(user) + "/" + Names.repository(repo)),
                new RepositoryConfig(isPublic).toJson(),
                "application/json");
    }

    public RepositoryConfig repositoryInfo(String user, String repo) {
        return RepositoryConfig.parse(get(uri(Names.user(user) + "/" + Names.repository(repo)), 64 << 10)
                .body());
    }

    public List<String> tags(String user, String repo) {
        JsonNode n = RegistryJson.parse(
                get(uri(repoPath(user, repo) + "/_tag"), 1 << 20).body(), "tag list");
        List<String> out = new ArrayList<>();
        if (!n.isArray()) throw new RegistryException(502, "registry's tag list is not a JSON array");
        n.forEach(t -> out.add(t.asText()));
        return out;
    }

    // ---- publishing ----

    /**
     * Publishes a package under {@code tag}: the tag entry (signed with {@code signer} when given), then the root
     * directory, then every file, parents first, as the Enarx client does.
     */
    public void publish(String user, String repo, String tag, PackageTree tree, Optional<ECPrivateKey> signer) {
        byte[] dir = tree.directoryJson();
        byte[] entry = RegistryJson.writeEntry(Meta.of(dir, Meta.DIRECTORY_TYPE));
        String tagPath = tagPath(user, repo, tag);
        if (signer.isPresent()) put(uri(tagPath), SignedTag.sign(entry, signer.get()), Meta.JWS_TYPE);
        else put(uri(tagPath), entry, Meta.ENTRY_TYPE);
        put(uri(tagPath + "/tree"), dir, Meta.DIRECTORY_TYPE);
        tree.files().forEach((name, f) -> put(uri(tagPath + "/tree/" + name), f.bytes(), f.type()));
    }

    // ---- reading ----

    public Fetched tag(String user, String repo, String tag) {
        return get(uri(tagPath(user, repo, tag)), 1 << 20);
    }

    /** A tree node, refusing bodies longer than {@code maxBytes} (the fetcher also checks the digest). */
    public Fetched node(String user, String repo, String tag, TreePath path, long maxBytes) {
        return get(uri(tagPath(user, repo, tag) + "/tree" + (path.isRoot() ? "" : "/" + path)), maxBytes);
    }

    Fetched get(URI uri, long maxBytes) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET();
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        try {
            HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) throw refused("GET", uri, r.statusCode(), in.readNBytes(512));
                long declared = r.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (declared > maxBytes)
                    throw new RegistryException(
                            413, uri.getPath() + " is " + declared + " bytes, over the cap of " + maxBytes);
                byte[] body = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 16));
                if (body.length > maxBytes)
                    throw new RegistryException(413, uri.getPath() + " is over the cap of " + maxBytes + " bytes");
                Optional<ContentDigest> digest =
                        r.headers().firstValue("Content-Digest").map(ContentDigest::parseHeader);
                return new Fetched(
                        body, r.headers().firstValue("Content-Type").orElse("application/octet-stream"), digest);
            }
        } catch (IOException e) {
            throw new RegistryException(502, "cannot reach " + base + ": " + unreachable(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(503, "interrupted while fetching " + uri.getPath());
        }
    }

    private void put(URI uri, byte[] body, String type) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMinutes(5))
                .header("Content-Type", type)
                .header("Content-Digest", ContentDigest.of(body).toHeader())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200 && r.statusCode() != 201) throw refused("PUT", uri, r.statusCode(), r.body());
        } catch (IOException e) {
            throw new RegistryException(502, "cannot reach " + base + ": " + unreachable(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(503, "interrupted while uploading " + uri.getPath());
        }
    }

    /** Why a request got no HTTP answer, in words (the JDK's texts name classes: "PKIX path building failed: sun.security..."). */
    private String unreachable(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.security.cert.CertPathBuilderException
                    || t instanceof java.security.cert.CertPathValidatorException) {
                return "its TLS certificate is not trusted (it does not chain to a trusted CA; give the registry's CA certificate with --ca-cert)";
            }
            String m = String.valueOf(t.getMessage());
            if (t instanceof java.security.cert.CertificateException
                    && (m.contains("No subject alternative") || m.contains("No name matching"))) {
                return "its TLS certificate is not for " + base.getHost() + " (" + OneLine.of(m) + ")";
            }
        }
        if (e instanceof java.net.http.HttpConnectTimeoutException) {
            return "no answer within " + CONNECT_TIMEOUT.toSeconds() + " s"
                    + ("https".equals(base.getScheme())
                            ? " (a plain-HTTP server never answers a TLS handshake: if this one speaks plain HTTP, name it http://"
                                    + base.getRawAuthority() + ")"
                            : "");
        }
        if (e instanceof java.net.ConnectException)
            return "connection refused (nothing listens at " + base.getRawAuthority() + ")";
        return OneLine.of(e);
    }

    private static RegistryException refused(String method, URI uri, int status, byte[] body) {
        String reason = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8).strip();
        return new RegistryException(
                status,
                "registry refused " + method + " " + uri.getPath() + " (" + status + ")"
                        + (reason.isEmpty() ? "" : ": " + OneLine.of(reason)));
    }

    /** {@code path} is built from validated names only, so it is always a valid URI path. */
    private URI uri(String path) {
        return base.resolve(API + path);
    }

    private static String repoPath(String user, String repo) {
        return Names.user(user) + "/" + Names.repository(repo);
    }

    private static String tagPath(String user, String repo, String tag) {
        return repoPath(user, repo) + "/_tag/" + Names.tag(tag);
    }
}
