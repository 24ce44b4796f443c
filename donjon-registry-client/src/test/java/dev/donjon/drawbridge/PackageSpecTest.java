package dev.donjon.drawbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PackageSpecTest {
    static final Optional<URI> DEFAULT = Optional.of(URI.create("https://default.example"));

    @Test
    void slugsUrlsOciAndFiles() {
        assertEquals(
                new PackageSpec.Registry(URI.create("https://store.example:8443"), "alice", "app", "1.2.3"),
                PackageSpec.parse("store.example:8443/alice/app:1.2.3", Optional.empty()));
        assertEquals(
                new PackageSpec.Registry(DEFAULT.get(), "alice", "app", "1.2.3"),
                PackageSpec.parse("alice/app:1.2.3", DEFAULT));
        assertEquals(
                new PackageSpec.Registry(URI.create("http://127.0.0.1:9"), "alice", "app", "0.1.0"),
                PackageSpec.parse("http://127.0.0.1:9/api/v0.1.0/alice/app/_tag/0.1.0", Optional.empty()));
        assertEquals(
                new PackageSpec.Local(Path.of("/tmp/pkg")), PackageSpec.parse("file:///tmp/pkg", Optional.empty()));
        var oci = (PackageSpec.Oci)
                PackageSpec.parse("oci://ghcr.io/acme/tools/hello@sha256:" + "ab".repeat(32), Optional.empty());
        assertEquals(URI.create("https://ghcr.io"), oci.reference().base());
        assertEquals("acme/tools/hello", oci.reference().name());
        assertEquals(
                "latest",
                ((PackageSpec.Oci) PackageSpec.parse("oci://localhost:5000/hello", Optional.empty()))
                        .reference()
                        .reference());
        assertEquals(
                "http",
                ((PackageSpec.Oci) PackageSpec.parse("oci://localhost:5000/hello", Optional.empty()))
                        .reference()
                        .base()
                        .getScheme());
    }

    @Test
    void badSpecsAreRefused() {
        for (String bad : new String[] {
            "alice/app",
            "alice/app:latest",
            "a.b/app:1.0.0",
            "h/alice/app:1.0.0/x",
            "https://h/alice/app:1.0.0",
            "oci://host"
        }) assertThrows(RegistryException.class, () -> PackageSpec.parse(bad, DEFAULT), bad);
        assertThrows(RegistryException.class, () -> PackageSpec.parse("alice/app:1.0.0", Optional.empty()));
    }
}
