package dev.donjon.attestation.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both engines must agree on every verdict; the native one must load where CI runs (Linux x86-64). */
public class SignatureProvidersTest {

    /** Runs {@code body} with AWS-LC in force (failing if it does not load), then puts BouncyCastle back. */
    public static void withNativeEngine(ThrowingRunnable body) throws Exception {
        Optional<String> failure = SignatureProviders.useNative();
        assertEquals(Optional.empty(), failure, "the native engine must load here");
        try {
            body.run();
        } finally {
            SignatureProviders.useJava();
        }
    }

    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    @AfterEach
    void backToJava() {
        SignatureProviders.useJava();
    }

    @Test
    void bouncyCastleIsTheDefaultAndNativeLoadsOnLinuxX86() {
        assertFalse(SignatureProviders.current().isNative());
        boolean linuxX86 =
                System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
                        && System.getProperty("os.arch").matches("amd64|x86_64");
        Optional<String> failure = SignatureProviders.useNative();
        if (linuxX86) {
            // a silent fall-back would only show as a slow Steward: fail here instead
            assertEquals(Optional.empty(), failure);
            assertTrue(SignatureProviders.current().isNative());
            assertTrue(
                    SignatureProviders.current().name().startsWith("AWS-LC"),
                    SignatureProviders.current().name());
        } else {
            assertTrue(failure.isPresent() != SignatureProviders.current().isNative());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "native"})
    void csrSelfSignatureVerdictsAgree(String engine) throws Exception {
        if (engine.equals("native")) assertEquals(Optional.empty(), SignatureProviders.useNative());
        for (String curve : new String[] {"secp256r1", "secp384r1"}) {
            PKCS10CertificationRequest good = csr(curve);
            assertTrue(CsrSignature.verifies(good), curve);

            byte[] sig = good.getSignature().clone();
            sig[sig.length - 3] ^= 0x01;
            assertFalse(
                    CsrSignature.verifies(withSignature(good, good.getSignatureAlgorithm(), sig)),
                    curve + " flipped signature");

            PKCS10CertificationRequest other = csr(curve);
            assertFalse(
                    CsrSignature.verifies(withSignature(good, good.getSignatureAlgorithm(), other.getSignature())),
                    curve + " another key's signature");

            // RFC 5758: ECDSA identifiers carry no parameters; a NULL there is refused, not ignored
            AlgorithmIdentifier withNull =
                    new AlgorithmIdentifier(good.getSignatureAlgorithm().getAlgorithm(), DERNull.INSTANCE);
            assertFalse(
                    CsrSignature.verifies(withSignature(good, withNull, good.getSignature())), curve + " parameters");
        }
    }

    private static PKCS10CertificationRequest csr(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        KeyPair k = g.generateKeyPair();
        String alg = curve.equals("secp384r1") ? "SHA384withECDSA" : "SHA256withECDSA";
        return new JcaPKCS10CertificationRequestBuilder(
                        new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), k.getPublic())
                .build(new JcaContentSignerBuilder(alg).build(k.getPrivate()));
    }

    private static PKCS10CertificationRequest withSignature(
            PKCS10CertificationRequest csr, AlgorithmIdentifier alg, byte[] signature) {
        return new PKCS10CertificationRequest(new CertificationRequest(
                csr.toASN1Structure().getCertificationRequestInfo(), alg, new DERBitString(signature)));
    }
}
