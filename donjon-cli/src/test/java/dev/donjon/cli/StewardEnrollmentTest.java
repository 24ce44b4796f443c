package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.csr.ClaimsExtension;
import dev.donjon.abi.csr.WorkloadIdentity;
import dev.donjon.common.Tls;
import dev.donjon.config.EnarxConfig;
import dev.donjon.keep.AttestedIdentity;
import dev.donjon.keep.Keep;
import dev.donjon.keep.KeepException;
import dev.donjon.keep.Stdio;
import dev.donjon.keep.Workload;
import dev.donjon.platform.Backend;
import dev.donjon.platform.identity.CachedCollateral;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.platform.identity.SelfSignedIdentity;
import dev.donjon.platform.sim.RuntimeMeasurement;
import dev.donjon.platform.sim.SimPlatform;
import dev.donjon.steward.CertificateAuthority;
import dev.donjon.steward.Steward;
import dev.donjon.steward.StewardPolicy;
import dev.donjon.steward.StewardServer;
import dev.donjon.steward.TrustAnchors;
import dev.donjon.wasi.GuestRun;
import dev.donjon.wasi.WasiLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Keep with {@code steward = "https://..."} enrolls before its guest runs (issue "Keep side"): a Steward on loopback
 * (its CA made here, a policy whose [sim] section pins the runtime measurement), a sim Keep in a temporary sim
 * directory, the echo example behind a TLS listener with the issued chain, and a client that trusts only the Steward's CA.
 */
@Timeout(180)
class StewardEnrollmentTest {
    private static final org.bouncycastle.cert.jcajce.JcaX509CertificateConverter CONVERTER =
            new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter();

    static final Path ROOT = Path.of(System.getProperty("donjon.root", ".."));

    /** One sim chain for the class (two RSA-4096 keys are slow to make); the Steward side gets a fresh directory per test. */
    @TempDir
    static Path simHome;

    private static SimPlatform sim;
    private static final Clock clock = Clock.systemUTC();

    @TempDir
    Path dir;

    private X509Certificate stewardServerCert;
    private Path stewardServerCertFile;
    private CertificateAuthority ca;
    private StewardServer server;

    @BeforeAll
    static void simPlatform() throws Exception {
        sim = new SimPlatform(simHome.resolve("sim"), clock);
        sim.authority();
    }

    @BeforeEach
    void simChainForTheSteward() throws Exception {
        Files.write(dir.resolve("sim-chain.pem"), sim.authority().chainPem());
    }

    @AfterEach
    void stopSteward() {
        if (server != null) server.close();
    }

    /** Starts the Steward over HTTPS on loopback with {@code policy} (TOML); its server certificate is self-signed for localhost. */
    private URI steward(String policy) throws Exception {
        return steward(policy, Steward.Freshness.ENARX_COMPATIBLE);
    }

    private URI steward(String policy, Steward.Freshness freshness) throws Exception {
        Instant now = clock.instant();
        ca = CertificateAuthority.generate(now);
        Steward steward = new Steward(
                new Steward.Config(
                        ca,
                        StewardPolicy.parse(policy, dir),
                        TrustAnchors.bundled(),
                        clock,
                        Duration.ofDays(1),
                        List.of("localhost")),
                freshness);
        KeyPair serverKey = KeepIdentity.newKeyPair(Backend.NIL);
        stewardServerCert = SelfSignedIdentity.localhost(serverKey, clock);
        stewardServerCertFile = pem(dir.resolve("steward-server.pem"), stewardServerCert);
        SSLContext tls = Tls.context(serverKey.getPrivate(), List.of(stewardServerCert), Optional.empty());
        server = StewardServer.start(new StewardServer.Config(
                steward, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Optional.of(tls)));
        return server.baseUri();
    }

    static Path pem(Path file, X509Certificate cert) throws Exception {
        Files.writeString(
                file,
                "-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
                        + "\n-----END CERTIFICATE-----\n");
        return file;
    }

    static String simPolicy(byte[] measurement) {
        return "[sim]\nchain = \"sim-chain.pem\"\nhash = [\"" + HexFormat.of().formatHex(measurement) + "\"]\n";
    }

    static EnarxConfig echoConfig(URI steward) {
        return EnarxConfig.parse("steward = \"" + steward + "\"\n"
                + "[[files]]\nkind = \"stdin\"\n[[files]]\nkind = \"stdout\"\n[[files]]\nkind = \"stderr\"\n"
                + "[[files]]\nkind = \"listen\"\nprot = \"tls\"\nname = \"ECHO\"\naddr = \"127.0.0.1\"\nport = 0\n");
    }

    private AttestedIdentity simIdentity(Optional<List<X509Certificate>> clientCa) {
        return new AttestedIdentity(
                (nonce, extra) -> KeepIdentity.create(sim, CachedCollateral.none(), nonce, extra),
                new AttestedIdentity.Trust(Optional.of(List.of(stewardServerCert)), Optional.empty(), clientCa),
                Backend.SIM,
                clock);
    }

    /** A TLS 1.3 client whose only trust anchor is {@code anchor}; with {@code clientKey}, it presents that certificate. */
    static SSLSocket client(int port, X509Certificate anchor, Optional<SSLContext> withClientCert) throws Exception {
        SSLContext ctx = withClientCert.orElse(null);
        if (ctx == null) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("steward-ca", anchor);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(null, tmf.getTrustManagers(), null);
        }
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(30_000);
        return s;
    }

    static byte[] echoModule() throws IOException {
        return Files.readAllBytes(ROOT.resolve("examples/echo/echo.wasm"));
    }

    @Test
    void simKeepEnrollsAndServesEchoOverTlsWithTheIssuedCertificate() throws Exception {
        byte[] measurement = RuntimeMeasurement.ofThisProcess();
        URI url = steward(simPolicy(measurement));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Keep keep = Keep.open(
                Workload.of(echoModule()).withConfig(echoConfig(url)),
                new Stdio(InputStream.nullInputStream(), out, new ByteArrayOutputStream()),
                WasiLimits.defaults(),
                simIdentity(Optional.empty()))) {
            GuestRun run = keep.start();
            try (SSLSocket s =
                    client(keep.listening().getFirst().address().getPort(), ca.certificate(), Optional.empty())) {
                s.getOutputStream().write("attested hello\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(
                        "attested hello\n", new String(s.getInputStream().readNBytes(15), StandardCharsets.US_ASCII));
                assertEquals("TLSv1.3", s.getSession().getProtocol());

                Certificate[] seen = s.getSession().getPeerCertificates();
                X509Certificate leaf = (X509Certificate) seen[0];
                assertEquals(ca.certificate().getSubjectX500Principal(), leaf.getIssuerX500Principal());
                leaf.verify(ca.certificate().getPublicKey());
                ClaimsExtension claims =
                        ClaimsExtension.from(leaf).orElseThrow(() -> new AssertionError("no claims extension"));
                assertEquals("sim", claims.tee(), "the claims say the Keep is SIMULATED");
                assertArrayEquals(measurement, claims.measurement());
                assertFalse(claims.debug());
                WorkloadIdentity workload =
                        claims.workload().orElseThrow(() -> new AssertionError("no workload in the claims"));
                assertEquals(Optional.empty(), workload.slug(), "a local file has no slug");
                assertEquals("sha-256", workload.digest().orElseThrow().algorithm());
                assertArrayEquals(
                        MessageDigest.getInstance("SHA-256").digest(echoModule()),
                        workload.digest().orElseThrow().value(),
                        "the claims name the module the Keep runs");
            } finally {
                run.stop();
            }
        }
        assertTrue(server.metrics().verdicts("issued") > 0, "an issued verdict is counted");
    }

    @Test
    void aKeepAsksForANonceAndEnrollsWhereFreshEvidenceIsRequired() throws Exception {
        URI url = steward(
                simPolicy(RuntimeMeasurement.ofThisProcess()), new Steward.Freshness(true, Duration.ofMinutes(1)));
        try (Keep keep = Keep.open(
                Workload.of(echoModule()).withConfig(echoConfig(url)),
                new Stdio(InputStream.nullInputStream(), new ByteArrayOutputStream(), new ByteArrayOutputStream()),
                WasiLimits.defaults(),
                simIdentity(Optional.empty()))) {
            assertEquals(1, keep.listening().size());
        }
        assertTrue(server.metrics().verdicts("issued") > 0, "the fresh CSR was certified");
    }

    @Test
    void aKeepGivenASlugNamesItInTheIssuedCertificate() throws Exception {
        URI url = steward(simPolicy(RuntimeMeasurement.ofThisProcess()));
        byte[] module = echoModule();
        AttestedIdentity identity =
                simIdentity(Optional.empty()).withSlug(Optional.of("registry.example/alice/echo:1.0.0"));
        try (Keep keep = Keep.open(
                Workload.of(module).withConfig(echoConfig(url)),
                new Stdio(InputStream.nullInputStream(), new ByteArrayOutputStream(), new ByteArrayOutputStream()),
                WasiLimits.defaults(),
                identity)) {
            GuestRun run = keep.start();
            try (SSLSocket s =
                    client(keep.listening().getFirst().address().getPort(), ca.certificate(), Optional.empty())) {
                s.startHandshake();
                X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
                WorkloadIdentity workload =
                        ClaimsExtension.from(leaf).orElseThrow().workload().orElseThrow();
                assertEquals(Optional.of("registry.example/alice/echo:1.0.0"), workload.slug());
                assertArrayEquals(
                        MessageDigest.getInstance("SHA-256").digest(module),
                        workload.digest().orElseThrow().value());
            } finally {
                run.stop();
            }
        }
    }

    @Test
    void listenerRequiresAClientCertificateFromTheNamedCa() throws Exception {
        URI url = steward(simPolicy(RuntimeMeasurement.ofThisProcess()));
        try (Keep keep = Keep.open(
                Workload.of(echoModule()).withConfig(echoConfig(url)),
                new Stdio(InputStream.nullInputStream(), new ByteArrayOutputStream(), new ByteArrayOutputStream()),
                WasiLimits.defaults(),
                simIdentity(Optional.of(List.of(ca.certificate()))))) {
            GuestRun run = keep.start();
            int port = keep.listening().getFirst().address().getPort();
            try {
                // without a certificate: the handshake (or the first read after it, in TLS 1.3) fails
                try (SSLSocket anonymous = client(port, ca.certificate(), Optional.empty())) {
                    assertThrows(IOException.class, () -> {
                        anonymous.getOutputStream().write("x\n".getBytes(StandardCharsets.US_ASCII));
                        if (anonymous.getInputStream().read() < 0) throw new IOException("closed without an answer");
                    });
                }
                // with a certificate the Steward issued to another enrolled Keep: served
                KeyPair otherKey = KeepIdentity.newKeyPair(Backend.NIL);
                KeyPair keep2 = otherKey;
                X509Certificate issued = CONVERTER.getCertificate(ca.issue(
                        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(
                                keep2.getPublic().getEncoded()),
                        new ClaimsExtension(
                                "sim",
                                new byte[48],
                                false,
                                Optional.empty(),
                                Optional.empty(),
                                List.of(),
                                Optional.empty()),
                        List.of("localhost"),
                        clock.instant(),
                        Duration.ofHours(1)));
                SSLContext withCert = Tls.context(
                        keep2.getPrivate(), List.of(issued, ca.certificate()), Optional.of(List.of(ca.certificate())));
                try (SSLSocket s = client(port, ca.certificate(), Optional.of(withCert))) {
                    s.getOutputStream().write("mutual\n".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("mutual\n", new String(s.getInputStream().readNBytes(7), StandardCharsets.US_ASCII));
                }
            } finally {
                run.stop();
            }
        }
    }

    /**
     * {@code connect} + {@code tls}: the Keep judges the server by the trust anchors it was given (here a server
     * certified by the Steward's CA, e.g. another enrolled Keep) and presents its issued certificate as client certificate.
     */
    @Test
    void tlsConnectPresentsTheIssuedCertificateToAServerThatRequiresOne() throws Exception {
        byte[] measurement = RuntimeMeasurement.ofThisProcess();
        URI url = steward(simPolicy(measurement));
        KeyPair serverKey = KeepIdentity.newKeyPair(Backend.NIL);
        X509Certificate serverCert = CONVERTER.getCertificate(ca.issue(
                org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(
                        serverKey.getPublic().getEncoded()),
                new ClaimsExtension(
                        "sim", new byte[48], false, Optional.empty(), Optional.empty(), List.of(), Optional.empty()),
                List.of("localhost"),
                clock.instant(),
                Duration.ofHours(1)));
        SSLContext serverTls = Tls.context(
                serverKey.getPrivate(), List.of(serverCert, ca.certificate()), Optional.of(List.of(ca.certificate())));
        try (javax.net.ssl.SSLServerSocket listener = (javax.net.ssl.SSLServerSocket)
                serverTls.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            var seen = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(30_000);
                    String line = new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII);
                    s.getOutputStream().write("pong\n".getBytes(StandardCharsets.US_ASCII));
                    return line + " "
                            + ClaimsExtension.from(
                                            (X509Certificate) s.getSession().getPeerCertificates()[0])
                                    .orElseThrow()
                                    .tee();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            EnarxConfig config = EnarxConfig.parse("steward = \"" + url + "\"\n"
                    + "[[files]]\nkind = \"stdin\"\n[[files]]\nkind = \"stdout\"\n[[files]]\nkind = \"stderr\"\n"
                    + "[[files]]\nkind = \"connect\"\nprot = \"tls\"\nhost = \"localhost\"\nport = "
                    + listener.getLocalPort() + "\n");
            AttestedIdentity identity = new AttestedIdentity(
                    (nonce, extra) -> KeepIdentity.create(sim, CachedCollateral.none(), nonce, extra),
                    new AttestedIdentity.Trust(
                            Optional.of(List.of(stewardServerCert)),
                            Optional.of(List.of(ca.certificate())),
                            Optional.empty()),
                    Backend.SIM,
                    clock);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            byte[] module = Files.readAllBytes(ROOT.resolve("donjon-keep/src/test/resources/wasm/connect_send.wasm"));
            try (Keep keep = Keep.open(
                    Workload.of(module).withConfig(config),
                    new Stdio(InputStream.nullInputStream(), out, err),
                    WasiLimits.defaults(),
                    identity)) {
                assertEquals(0, keep.run(), err.toString(StandardCharsets.UTF_8));
            }
            assertEquals("ping\n sim", seen.get());
            assertEquals("pong\n", out.toString(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aKeepWhoseEvidenceFailsPolicyIsRefusedAndItsGuestNeverRuns() throws Exception {
        URI url = steward(simPolicy(new byte[48])); // pins a measurement no Donjon build has
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KeepException e = assertThrows(
                KeepException.class,
                () -> Keep.open(
                        Workload.of(echoModule()).withConfig(echoConfig(url)),
                        new Stdio(InputStream.nullInputStream(), out, out),
                        WasiLimits.defaults(),
                        simIdentity(Optional.empty())));
        assertTrue(e.getMessage().contains("refused enrollment (HTTP 403)"), e.getMessage());
        assertTrue(e.getMessage().contains("sim.hash") || e.getMessage().contains("measurement"), e.getMessage());
        assertEquals(0, out.size());
        assertTrue(server.metrics().verdicts("refused") > 0, "a refused verdict is counted");
    }

    // ---- through `donjon run`, as a user runs it (separate JVM; its sim directory is this test's) ----

    private RunCommandTest.Result run(Path config, String... options) throws Exception {
        Path hello = ROOT.resolve("examples/hello/hello.wasm");
        List<String> cmd = RunCommandTest.javaDonjon();
        cmd.add("run");
        cmd.addAll(List.of(options));
        cmd.addAll(List.of(
                "--wasmcfgfile", config.toString(), hello.toAbsolutePath().toString()));
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("DONJON_SIM_DIR", sim.directory().toString());
        pb.environment().remove("ENARX_BACKEND");
        Process p = pb.start();
        var o = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        return new RunCommandTest.Result(
                p.exitValue(), new String(o, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private Path stdoutConfig(URI url) throws IOException {
        return Files.writeString(
                dir.resolve("Enarx.toml"),
                "steward = \"" + url
                        + "\"\n[[files]]\nkind = \"stdin\"\n[[files]]\nkind = \"stdout\"\n[[files]]\nkind = \"stderr\"\n");
    }

    /** The last line on stderr is the error; earlier lines may only be warnings (the loud sim and no-TEE ones). */
    static void refused(RunCommandTest.Result r, String expected) {
        assertNotEquals(0, r.exit(), r.err());
        assertEquals("", r.out(), "the guest must not run");
        List<String> lines = r.err().lines().toList();
        assertTrue(lines.getLast().startsWith("donjon: ") && lines.getLast().contains(expected), r.err());
        for (String l : lines.subList(0, lines.size() - 1)) assertTrue(l.contains("WARNING: "), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }

    @Test
    void runWithSimEnrollsThenRunsTheGuest() throws Exception {
        URI url = steward(simPolicy(RuntimeMeasurement.ofThisProcess())); // the child JVM has this JVM's class path
        var r = run(stdoutConfig(url), "--backend", "sim", "--steward-ca", stewardServerCertFile.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("Hello, world!\n", r.out());
    }

    @Test
    void runRefusedByPolicyStopsWith403AndTheGuestNeverRuns() throws Exception {
        URI url = steward(simPolicy(new byte[48]));
        refused(
                run(stdoutConfig(url), "--backend", "sim", "--steward-ca", stewardServerCertFile.toString()),
                "refused enrollment (HTTP 403)");
    }

    @Test
    void runWithoutASimSectionIsRefused() throws Exception {
        URI url = steward("[snp]\nhash = [\"" + "00".repeat(48) + "\"]\n");
        refused(
                run(stdoutConfig(url), "--backend", "sim", "--steward-ca", stewardServerCertFile.toString()),
                "refused enrollment (HTTP 403)");
    }

    @Test
    void runOnNilSendsKvmEvidenceWhichTheStewardRefuses() throws Exception {
        URI url = steward(simPolicy(RuntimeMeasurement.ofThisProcess()));
        refused(
                run(stdoutConfig(url), "--backend", "nil", "--steward-ca", stewardServerCertFile.toString()),
                "refused enrollment (HTTP 401)");
    }

    @Test
    void runWithAStewardWhoseCertificateIsNotTrustedFails() throws Exception {
        URI url = steward(simPolicy(RuntimeMeasurement.ofThisProcess()));
        refused(run(stdoutConfig(url), "--backend", "sim"), "TLS with the Steward at " + url);
    }

    @Test
    void runWithAnUnreachableStewardFailsClearly() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        URI url = URI.create("https://127.0.0.1:" + closed + "/");
        refused(run(stdoutConfig(url), "--backend", "sim"), "cannot reach the Steward at " + url);
    }
}
