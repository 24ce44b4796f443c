package dev.donjon.steward;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The roots hardware evidence must chain to, pinned and offline: AMD's ASK/ASVK + ARK for Milan, Genoa and Turin, and
 * the Intel SGX Root CA, bundled as resources (README lists their fingerprints) unless files are given instead.
 */
public record TrustAnchors(byte[] amdChains, byte[] intelRoot) {

    public static TrustAnchors bundled() {
        return new TrustAnchors(resource("anchors/amd_chains.pem"), resource("anchors/Intel_SGX_Root_CA.der"));
    }

    private static byte[] resource(String name) {
        try (InputStream in = TrustAnchors.class.getResourceAsStream(name)) {
            if (in == null)
                throw new IllegalStateException("trust anchor resource " + name + " is missing from the build");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
