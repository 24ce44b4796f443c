package dev.donjon.cli;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/** Fresh keys and their PEM text, for the commands that make key material ({@code steward init}, {@code package keygen}). */
final class NewKeys {
    private NewKeys() {}

    /** A new EC P-256 key pair (ES256 signatures, TLS certificates). */
    static KeyPair p256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a P-256 key: " + e.getMessage(), e);
        }
    }

    /** The private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), what every reader here accepts. */
    static String pkcs8(PrivateKey key) {
        return pem(new PemObject("PRIVATE KEY", key.getEncoded()));
    }

    /** A certificate or public key as PEM. */
    static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
