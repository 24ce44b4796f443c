package dev.donjon.cli;

import dev.donjon.common.Pem;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** Fresh keys, for the commands that make key material ({@code steward init}, {@code package keygen}); their PEM is {@link Pem}'s. */
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
}
