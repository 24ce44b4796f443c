package dev.donjon.attestation.intel;

import dev.donjon.attestation.crypto.SignatureProviders;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Optional;

/** ECDSA P-256 / SHA-256 as Intel uses it: raw X||Y public keys and raw r||s signatures. */
final class P256 {
    private static final ECParameterSpec PARAMS;
    private static final BigInteger P;
    private static final BigInteger A;
    private static final BigInteger B;

    static {
        try {
            AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
            ap.init(new ECGenParameterSpec("secp256r1"));
            PARAMS = ap.getParameterSpec(ECParameterSpec.class);
            P = ((java.security.spec.ECFieldFp) PARAMS.getCurve().getField()).getP();
            A = PARAMS.getCurve().getA();
            B = PARAMS.getCurve().getB();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private P256() {}

    /** The raw 64-byte key as a JCA key, or empty when it is not a point on the curve. */
    static Optional<PublicKey> publicKey(byte[] xy) {
        if (xy.length != 64) return Optional.empty();
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(xy, 0, 32));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(xy, 32, 64));
        if (x.compareTo(P) >= 0 || y.compareTo(P) >= 0) return Optional.empty();
        BigInteger lhs = y.multiply(y).mod(P);
        BigInteger rhs = x.pow(3).add(A.multiply(x)).add(B).mod(P);
        if (!lhs.equals(rhs)) return Optional.empty();
        try {
            return Optional.of(
                    KeyFactory.getInstance("EC", SignatureProviders.current().provider())
                            .generatePublic(new ECPublicKeySpec(new ECPoint(x, y), PARAMS)));
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    /** True when the raw r||s signature over data verifies with key (which must be a P-256 key). */
    static boolean verify(PublicKey key, byte[] data, byte[] rawSignature) {
        if (rawSignature.length != 64) return false;
        if (!(key instanceof ECPublicKey ec)
                || ec.getParams().getCurve().getField().getFieldSize() != 256) return false;
        try {
            SignatureProviders.Engine engine = SignatureProviders.current();
            Signature sig = Signature.getInstance(engine.plainEcdsa("SHA256"), engine.provider());
            sig.initVerify(key);
            sig.update(data);
            return sig.verify(rawSignature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
