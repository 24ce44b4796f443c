package dev.donjon.host.protocol;

import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;

/**
 * The one HPKE suite (RFC 9180) Donjon deploys with: DHKEM(P-384, HKDF-SHA384), HKDF-SHA384, AES-256-GCM, base mode.
 * P-384 because SEV-SNP Keeps already carry P-384 identities; base mode because the client has no long-term key the
 * Keep could check (the client authenticates the Keep by attestation, not the other way round).
 */
public final class DeploySuite {
    public static final short KEM = HPKE.kem_P384_SHA384;
    public static final short KDF = HPKE.kdf_HKDF_SHA384;
    public static final short AEAD = HPKE.aead_AES_GCM256;
    /** Uncompressed SEC1 point: 0x04 || X || Y. */
    public static final int PUBLIC_KEY_BYTES = 97;

    private DeploySuite() {}

    /** A new HPKE instance (BouncyCastle's are not documented as thread-safe, so one per use). */
    public static HPKE hpke() {
        return new HPKE(HPKE.mode_base, KEM, KDF, AEAD);
    }

    /** A fresh ephemeral key pair for one Keep. */
    public static AsymmetricCipherKeyPair newKeyPair() {
        return hpke().generatePrivateKey();
    }

    public static byte[] encodePublicKey(AsymmetricCipherKeyPair pair) {
        return hpke().serializePublicKey(pair.getPublic());
    }

    /** Parses a serialized public key; refuses anything that is not a valid P-384 point. */
    public static AsymmetricKeyParameter decodePublicKey(byte[] encoded) throws ProtocolException {
        if (encoded == null || encoded.length != PUBLIC_KEY_BYTES) {
            throw new ProtocolException("Keep public key is not a " + PUBLIC_KEY_BYTES + "-byte P-384 point");
        }
        try {
            return hpke().deserializePublicKey(encoded);
        } catch (RuntimeException e) {
            throw new ProtocolException("Keep public key is not a valid P-384 point");
        }
    }
}
