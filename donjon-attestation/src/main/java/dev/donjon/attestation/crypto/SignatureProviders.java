package dev.donjon.attestation.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Provider;
import java.util.Optional;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Which JCA provider checks and makes the ECDSA signatures on the attestation hot path: CSR self-signatures, SEV-SNP
 * report signatures, Intel quote signatures, and the certificates a Steward issues.
 *
 * <p>BouncyCastle by default: pure Java, on every platform, nothing to load. A long-running server calls
 * {@link #useNative()} to switch to AWS-LC through the Amazon Corretto Crypto Provider, whose P-384 verification is
 * about 3x BouncyCastle's and 11x the JDK's on this kind of machine (bench/README.md, Steward); loading it costs about
 * half a second, which one-shot commands would not repay. Where the native library does not load (another OS or CPU,
 * a temporary directory mounted noexec), BouncyCastle stays and the caller is told why.
 */
public final class SignatureProviders {

    /**
     * A provider and the names it gives ECDSA over a digest with a raw r||s (IEEE P1363) signature.
     *
     * @param name how a log line names it
     */
    public record Engine(Provider provider, String name, boolean isNative) {
        /** e.g. {@code plainEcdsa("SHA384")}: the JCA name of ECDSA whose signature is r||s, not DER. */
        public String plainEcdsa(String digest) {
            return isNative ? digest + "withECDSAinP1363Format" : digest + "withPLAIN-ECDSA";
        }
    }

    private static final BouncyCastleProvider BOUNCY_CASTLE = new BouncyCastleProvider();
    private static final Engine JAVA =
            new Engine(BOUNCY_CASTLE, "BouncyCastle " + BOUNCY_CASTLE.getVersionStr() + " (pure Java)", false);
    private static volatile Engine current = JAVA;

    private SignatureProviders() {}

    /** The engine in force: BouncyCastle unless {@link #useNative()} succeeded. */
    public static Engine current() {
        return current;
    }

    /** BouncyCastle itself, for what stays there whatever the engine (RSA-PSS chains, which are memoized). */
    public static Provider bouncyCastle() {
        return BOUNCY_CASTLE;
    }

    /** Switches to AWS-LC. Returns why it could not, in which case BouncyCastle stays in force. */
    public static Optional<String> useNative() {
        Optional<String> failure = NativeEngine.FAILURE;
        if (failure.isEmpty()) current = NativeEngine.ENGINE;
        return failure;
    }

    /** Back to BouncyCastle (tests, and servers told {@code --crypto java}). */
    public static void useJava() {
        current = JAVA;
    }

    /** Loaded on first use only: extracting and loading the native library is the half second one-shot commands avoid. */
    private static final class NativeEngine {
        static final Engine ENGINE;
        static final Optional<String> FAILURE;

        static {
            Engine engine = null;
            String failure;
            try {
                AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
                Throwable error = accp.getLoadingError();
                if (error == null) {
                    accp.assertHealthy();
                    engine = new Engine(accp, "AWS-LC (" + accp.getInfo() + ")", true);
                    failure = null;
                } else {
                    failure = "AWS-LC did not load: " + error;
                }
            } catch (Throwable t) { // LinkageError and friends: no native library for this platform
                failure = "AWS-LC did not load: " + t;
            }
            ENGINE = engine;
            FAILURE = Optional.ofNullable(failure).map(f -> f.replaceAll("\\s+", " "));
        }
    }
}
