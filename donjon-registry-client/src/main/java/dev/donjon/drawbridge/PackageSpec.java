package dev.donjon.drawbridge;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a package comes from: a registry slug {@code [host/]user/repo:tag}, a tag URL, an OCI artifact, or a local path. */
public sealed interface PackageSpec {

    /** A tag in a Drawbridge registry. */
    record Registry(URI base, String user, String repo, String tag) implements PackageSpec {
        public Registry {
            Names.user(user);
            Names.repository(repo);
            Names.tag(tag);
        }

        @Override
        public String toString() {
            return base + DrawbridgeClient.API + user + "/" + repo + "/_tag/" + tag;
        }
    }

    /** An OCI artifact in a registry speaking the distribution spec ({@code oci://host/name:tag}). */
    record Oci(OciPuller.Reference reference) implements PackageSpec {}

    /** A package directory or a .wasm file on this machine ({@code file://}). */
    record Local(Path path) implements PackageSpec {}

    Pattern SLUG = Pattern.compile("(?:([^/\\s]+)/)?([^/\\s]+)/([^/:\\s]+):([^/\\s]+)");
    Pattern TAG_URL = Pattern.compile("(https?://[^/]+)/api/v0\\.1\\.0/([^/]+)/([^/]+)/_tag/([^/]+)/?");

    /**
     * Parses {@code [host/]user/repo:tag} (the host defaults to {@code defaultBase}; a bare host means https),
     * {@code https://host/api/v0.1.0/user/repo/_tag/tag}, or {@code file:///path}.
     */
    static PackageSpec parse(String spec, Optional<URI> defaultBase) {
        if (spec.startsWith("file:")) return new Local(Path.of(URI.create(spec)));
        if (spec.startsWith("oci://")) return new Oci(OciPuller.Reference.parse(spec));
        if (spec.startsWith("https://") || spec.startsWith("http://")) {
            Matcher m = TAG_URL.matcher(spec);
            if (!m.matches())
                throw RegistryException.badRequest(
                        "package URL must be <scheme>://host/api/v0.1.0/user/repo/_tag/tag, not "
                                + Names.printable(spec));
            return new Registry(URI.create(m.group(1)), m.group(2), m.group(3), m.group(4));
        }
        Matcher m = SLUG.matcher(spec);
        if (!m.matches())
            throw RegistryException.badRequest("package '" + Names.printable(spec) + "' is not [host/]user/repo:tag");
        URI base;
        if (m.group(1) != null) base = URI.create("https://" + m.group(1));
        else
            base = defaultBase.orElseThrow(() -> RegistryException.badRequest(
                    "package '" + spec + "' names no registry host and no default is set"));
        return new Registry(base, m.group(2), m.group(3), m.group(4));
    }
}
