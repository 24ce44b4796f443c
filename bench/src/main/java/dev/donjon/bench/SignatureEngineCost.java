package dev.donjon.bench;

import dev.donjon.attestation.crypto.SignatureProviders;
import dev.donjon.steward.CertificateAuthority;
import dev.donjon.steward.Enrollment;
import dev.donjon.steward.Steward;
import dev.donjon.steward.StewardPolicy;
import dev.donjon.steward.TrustAnchors;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;

/**
 * What one attestation's signature work costs with each engine, in thread CPU time (one thread, so the figure holds on
 * a machine shared with other jobs): ECDSA verification with a fresh key object (decoded from its SubjectPublicKeyInfo,
 * as a CSR's key is) and signing, for the JDK, BouncyCastle and AWS-LC; then {@code Steward.enroll} in-process (no
 * HTTP) on Enarx's Milan keep CSR, clock pinned, with each of the Steward's two engines.
 * Run: {@code ./mvnw -q -pl bench -am package -DskipTests && java --enable-native-access=ALL-UNNAMED -Ddonjon.shared=../shared
 * -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.donjon.bench.SignatureEngineCost [seconds per case]}
 */
public final class SignatureEngineCost {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        SignatureProviders.useNative().ifPresent(why -> {
            throw new IllegalStateException(why);
        });
        Provider awsLc = SignatureProviders.current().provider();
        SignatureProviders.useJava();
        Provider bouncyCastle = SignatureProviders.bouncyCastle();

        System.out.printf("%-13s %-6s %16s %13s%n", "provider", "curve", "verify_us_cpu", "sign_us_cpu");
        for (String curve : new String[] {"P-384", "P-256"}) {
            for (Provider p : new Provider[] {null, bouncyCastle, awsLc}) {
                double[] costs = ecdsa(p, curve, seconds);
                System.out.printf(
                        "%-13s %-6s %16.1f %13.1f%n",
                        p == null ? "JDK (SunEC)" : p == awsLc ? "AWS-LC" : "BouncyCastle", curve, costs[0], costs[1]);
            }
        }

        Path steward = Path.of(System.getProperty("donjon.shared", "../shared"), "vectors/enarx/steward");
        byte[] csr = Files.readAllBytes(steward.resolve("milan.signed.crl.csr"));
        Clock clock = Clock.fixed(Instant.parse("2023-01-15T00:00:00Z"), ZoneOffset.UTC);
        System.out.printf("%n%-13s %22s%n", "engine", "enroll_snp_us_cpu");
        for (String engine : new String[] {"java", "native"}) {
            if (engine.equals("native")) SignatureProviders.useNative();
            else SignatureProviders.useJava();
            Steward s = new Steward(new Steward.Config(
                    CertificateAuthority.generate(clock.instant()),
                    StewardPolicy.read(steward.resolve("steward.toml")),
                    TrustAnchors.bundled(),
                    clock,
                    Steward.Config.DEFAULT_VALIDITY,
                    List.of("localhost")));
            double us = cpuMicrosPerCall(seconds, () -> {
                if (!(s.enroll(csr) instanceof Enrollment.Issued))
                    throw new IllegalStateException("the Milan CSR was not issued");
            });
            System.out.printf("%-13s %22.1f%n", engine, us);
        }
    }

    /** {verify, sign} in thread-CPU microseconds per call; {@code provider} null: the JDK's default. */
    private static double[] ecdsa(Provider provider, String curve, double seconds) throws Exception {
        String alg = curve.equals("P-384") ? "SHA384withECDSA" : "SHA256withECDSA";
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve.equals("P-384") ? "secp384r1" : "secp256r1"));
        int n = 32;
        KeyPair[] keys = new KeyPair[n];
        byte[][] signatures = new byte[n][];
        byte[] message = new byte[600]; // about a CSR's signed part
        new Random(1).nextBytes(message);
        for (int i = 0; i < n; i++) {
            keys[i] = g.generateKeyPair();
            Signature s = signature(alg, provider);
            s.initSign(keys[i].getPrivate());
            s.update(message);
            signatures[i] = s.sign();
        }
        int[] i = {0};
        double verify = cpuMicrosPerCall(seconds, () -> {
            int k = i[0]++ % n;
            KeyFactory f = provider == null ? KeyFactory.getInstance("EC") : KeyFactory.getInstance("EC", provider);
            PublicKey fresh =
                    f.generatePublic(new X509EncodedKeySpec(keys[k].getPublic().getEncoded()));
            Signature v = signature(alg, provider);
            v.initVerify(fresh);
            v.update(message);
            if (!v.verify(signatures[k])) throw new IllegalStateException("a good signature did not verify");
        });
        double sign = cpuMicrosPerCall(seconds, () -> {
            Signature s = signature(alg, provider);
            s.initSign(keys[i[0]++ % n].getPrivate());
            s.update(message);
            s.sign();
        });
        return new double[] {verify, sign};
    }

    private static Signature signature(String alg, Provider provider) throws Exception {
        return provider == null ? Signature.getInstance(alg) : Signature.getInstance(alg, provider);
    }

    private interface Call {
        void run() throws Exception;
    }

    /** Warms up for a third of {@code seconds}, then measures this thread's CPU per call over {@code seconds}. */
    private static double cpuMicrosPerCall(double seconds, Call call) throws Exception {
        for (long end = System.nanoTime() + (long) (seconds / 3 * 1e9); System.nanoTime() < end; ) call.run();
        long calls = 0, cpu0 = THREADS.getCurrentThreadCpuTime();
        for (long end = System.nanoTime() + (long) (seconds * 1e9); System.nanoTime() < end; calls++) call.run();
        return (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e3 / calls;
    }
}
