package dev.donjon.drawbridge;

import java.io.IOException;
import java.net.URI;
import java.security.interfaces.ECPublicKey;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;

/**
 * Fetches a package and verifies it before anyone runs it: the tag's entry (and its signature when a key is
 * required), the root directory against the entry, each file against the directory, with size caps checked
 * before download (100 MiB for .wasm, 1 MiB otherwise). A Keep passes a TLS context holding its Steward
 * certificate so that the registry releases private workloads to it.
 */
public final class PackageFetcher {
    /** With 1 MiB per non-wasm file, this bounds a package at about 164 MiB. */
    static final int MAX_FILES = 64;

    private final SSLContext tls;
    private final Optional<String> token;
    private final List<ECPublicKey> tagKeys;
    private final Optional<URI> defaultRegistry;

    /**
     * @param tls             trust anchors and (optionally) the client certificate; null for the JDK's defaults
     * @param token           bearer token for the registry, if any
     * @param tagKey          when present, only tags signed by this key are accepted
     * @param defaultRegistry registry used for slugs without a host
     */
    public PackageFetcher(
            SSLContext tls, Optional<String> token, Optional<ECPublicKey> tagKey, Optional<URI> defaultRegistry) {
        this(tls, token, tagKey.stream().toList(), defaultRegistry);
    }

    /** As above; when {@code tagKeys} is not empty, only tags signed by one of them are accepted. */
    public PackageFetcher(
            SSLContext tls, Optional<String> token, List<ECPublicKey> tagKeys, Optional<URI> defaultRegistry) {
        this.tls = tls;
        this.token = token;
        this.tagKeys = List.copyOf(tagKeys);
        this.defaultRegistry = defaultRegistry;
    }

    public FetchedPackage fetch(String spec) throws IOException {
        return fetch(PackageSpec.parse(spec, defaultRegistry));
    }

    public FetchedPackage fetch(PackageSpec spec) throws IOException {
        return switch (spec) {
            case PackageSpec.Local l -> {
                if (!tagKeys.isEmpty())
                    throw new RegistryException(
                            403, "a signed tag is required, but " + l.path() + " is a local package");
                PackageTree t = PackageTree.read(l.path());
                SortedMap<String, byte[]> files = new TreeMap<>();
                t.files().forEach((n, f) -> files.put(n, f.bytes()));
                yield new FetchedPackage(l.path().toString(), Collections.unmodifiableSortedMap(files), false);
            }
            case PackageSpec.Registry r -> fetchFromRegistry(r);
            case PackageSpec.Oci o -> {
                if (!tagKeys.isEmpty())
                    throw new RegistryException(
                            403, "a signed tag is required, but OCI artifacts carry no Drawbridge tag signature");
                yield new OciPuller(tls).pull(o.reference());
            }
        };
    }

    private FetchedPackage fetchFromRegistry(PackageSpec.Registry r) {
        DrawbridgeClient client = new DrawbridgeClient(r.base(), tls, token);
        DrawbridgeClient.Fetched tag = client.tag(r.user(), r.repo(), r.tag());
        tag.digest().ifPresent(d -> checkTransfer(d, tag.body(), "tag " + r.tag()));
        Meta root;
        boolean signed = false;
        if (!tagKeys.isEmpty()) {
            if (!tag.type().equals(Meta.JWS_TYPE))
                throw new RegistryException(403, "tag " + r.tag() + " is unsigned, and a signed tag is required");
            root = SignedTag.verifyAny(tag.body(), tagKeys, "tag " + r.tag());
            signed = true;
        } else {
            root = tag.type().equals(Meta.JWS_TYPE)
                    ? SignedTag.entryOf(tag.body())
                    : RegistryJson.readEntry(tag.body());
        }
        if (!root.isDirectory()) throw new RegistryException(502, "tag " + r.tag() + " does not point to a directory");
        if (root.length() > PackageTree.MAX_OTHER)
            throw new RegistryException(
                    413,
                    "root directory of tag " + r.tag() + " is over the cap of " + PackageTree.MAX_OTHER + " bytes");
        byte[] dirBytes = client.node(r.user(), r.repo(), r.tag(), TreePath.ROOT, root.length())
                .body();
        checkNode(root, dirBytes, "root directory");
        SortedMap<String, Meta> dir = RegistryJson.readDirectory(dirBytes);
        if (dir.size() > MAX_FILES)
            throw new RegistryException(413, "package " + r + " has " + dir.size() + " files, more than " + MAX_FILES);
        if (!dir.containsKey(PackageTree.WASM))
            throw new RegistryException(502, "package " + r + " has no " + PackageTree.WASM);
        SortedMap<String, byte[]> files = new TreeMap<>();
        for (Map.Entry<String, Meta> e : dir.entrySet()) {
            String name = e.getKey();
            Meta meta = e.getValue();
            if (meta.isDirectory())
                throw new RegistryException(502, "package " + r + ": subdirectory " + name + " is not supported yet");
            long cap = PackageTree.capFor(name);
            if (meta.length() > cap)
                throw new RegistryException(413, name + " is " + meta.length() + " bytes, over the cap of " + cap);
            byte[] bytes = client.node(r.user(), r.repo(), r.tag(), TreePath.ROOT.child(name), meta.length())
                    .body();
            checkNode(meta, bytes, name);
            files.put(name, bytes);
        }
        return new FetchedPackage(r.toString(), Collections.unmodifiableSortedMap(files), signed);
    }

    /** The bytes must have every hash and the exact length their parent announced. */
    static void checkNode(Meta expected, byte[] bytes, String what) {
        Meta actual = new Meta(ContentDigest.of(bytes), bytes.length, expected.type());
        if (!expected.isSatisfiedBy(actual))
            throw new RegistryException(
                    502, what + " does not match the digest and length its parent announced; refusing it");
    }

    private static void checkTransfer(ContentDigest claimed, byte[] body, String what) {
        if (!claimed.isSatisfiedBy(ContentDigest.of(body)))
            throw new RegistryException(502, what + " does not match the Content-Digest the registry sent");
    }
}
