package dev.donjon.bench;

import dev.donjon.common.Tls;
import dev.donjon.drawbridge.DrawbridgeClient;
import dev.donjon.drawbridge.PackageFetcher;
import dev.donjon.drawbridge.PackageTree;
import dev.donjon.drawbridge.RegistryServer;
import dev.donjon.drawbridge.RegistryStore;
import dev.donjon.server.Authenticator;
import dev.donjon.server.TokenFile;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Publish and fetch throughput of a loopback Drawbridge registry for a 10 MB module, over plain HTTP (the registry's
 * own work: hashing, fsync, verification) or, with a third argument "tls", over TLS as deployed.
 * Run: {@code ./mvnw -q -pl bench -am package -DskipTests && java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.donjon.bench.DrawbridgeThroughput [MB] [rounds] [tls]}
 */
public final class DrawbridgeThroughput {
    public static void main(String[] args) throws Exception {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        boolean tls = args.length > 2 && args[2].equals("tls");
        SSLContext serverTls = null, clientTls = null;
        if (tls) { // a throwaway self-signed P-256 certificate for 127.0.0.1
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair k = g.generateKeyPair();
            var b = new JcaX509v3CertificateBuilder(
                    new X500Name("CN=bench"),
                    BigInteger.ONE,
                    new Date(System.currentTimeMillis() - 60_000),
                    new Date(System.currentTimeMillis() + 86_400_000L),
                    new X500Name("CN=bench"),
                    k.getPublic());
            b.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate())));
            serverTls = Tls.context(k.getPrivate(), List.of(cert), Optional.empty());
            clientTls = Tls.trusting(Tls.anchors(List.of(cert)));
        }
        Path dir = Files.createTempDirectory("drawbridge-bench");
        String token = "bench-token-0123456789abcdef";
        Files.writeString(dir.resolve("tokens"), token + " bench manage\n");
        byte[] wasm = new byte[mb << 20];
        new Random(42).nextBytes(wasm);
        SortedMap<String, PackageTree.File> files = new TreeMap<>();
        files.put(PackageTree.WASM, new PackageTree.File(wasm, "application/wasm"));
        files.put(
                PackageTree.CONFIG,
                new PackageTree.File("[[files]]\nkind = \"stdout\"\n".getBytes(), "application/toml"));
        PackageTree tree = new PackageTree(files);
        try (RegistryServer server = RegistryServer.start(new RegistryServer.Config(
                new RegistryStore(dir.resolve("store"), 1L << 30),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Optional.ofNullable(serverTls),
                false,
                new Authenticator(Optional.of(TokenFile.load(dir.resolve("tokens"))), Optional.empty(), false)))) {
            DrawbridgeClient client = new DrawbridgeClient(server.baseUri(), clientTls, Optional.of(token));
            client.registerUser("bench", "bench");
            client.registerRepository("bench", "big", true);
            PackageFetcher fetcher =
                    new PackageFetcher(clientTls, Optional.empty(), Optional.empty(), Optional.of(server.baseUri()));
            // warm-up: JIT, page cache
            for (int i = 0; i < 3; i++) {
                client.publish("bench", "big", "0.0." + i, tree, Optional.empty());
                fetcher.fetch("bench/big:0.0." + i);
            }
            long pubNs = 0, fetchNs = 0;
            for (int i = 0; i < rounds; i++) {
                // a distinct module each round, so the content-addressed store cannot skip the write
                wasm[0] = (byte) i;
                wasm[1] = (byte) (i >> 8);
                files.put(PackageTree.WASM, new PackageTree.File(wasm, "application/wasm"));
                PackageTree t = new PackageTree(files);
                long t0 = System.nanoTime();
                client.publish("bench", "big", "1.0." + i, t, Optional.empty());
                long t1 = System.nanoTime();
                var pkg = fetcher.fetch("bench/big:1.0." + i);
                long t2 = System.nanoTime();
                if (pkg.wasm().length != wasm.length) throw new IllegalStateException("fetched the wrong size");
                pubNs += t1 - t0;
                fetchNs += t2 - t1;
            }
            double pubMs = pubNs / 1e6 / rounds, fetchMs = fetchNs / 1e6 / rounds;
            System.out.printf(
                    "module %d MiB, %d rounds, %s (JDK %s, %d cores)%n",
                    mb,
                    rounds,
                    tls ? "TLS 1.3" : "plain HTTP",
                    Runtime.version(),
                    Runtime.getRuntime().availableProcessors());
            System.out.printf(
                    "publish: %.1f ms/package  %.1f MiB/s (client hashing + upload + server verify + fsync)%n",
                    pubMs, mb / (pubMs / 1000));
            System.out.printf(
                    "fetch:   %.1f ms/package  %.1f MiB/s (server re-verify + download + client verify)%n",
                    fetchMs, mb / (fetchMs / 1000));
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
