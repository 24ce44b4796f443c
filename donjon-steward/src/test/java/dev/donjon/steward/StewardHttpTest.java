package dev.donjon.steward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.donjon.abi.csr.ClaimsExtension;
import dev.donjon.abi.csr.EvidenceOids;
import dev.donjon.abi.csr.KeepCsr;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The full HTTP path: the real Enarx keep CSRs with steward.toml and the clock pinned, and every refusal class. */
class StewardHttpTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private final List<StewardServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(StewardServer::close);
    }

    private StewardServer serve(StewardPolicy policy, Instant now) throws Exception {
        StewardServer s = StewardServer.start(new StewardServer.Config(
                TestCsrs.steward(policy, now), new InetSocketAddress("127.0.0.1", 0), Optional.empty()));
        servers.add(s);
        return s;
    }

    private HttpResponse<byte[]> post(StewardServer s, String path, String type, byte[] body) throws Exception {
        return client.send(
                HttpRequest.newBuilder(s.baseUri().resolve(path))
                        .header("Content-Type", type)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static List<X509Certificate> certificates(ASN1Encodable sequence) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (ASN1Encodable c : ASN1Sequence.getInstance(sequence)) {
            out.add((X509Certificate) cf.generateCertificate(
                    new ByteArrayInputStream(c.toASN1Primitive().getEncoded("DER"))));
        }
        return out;
    }

    private static void assertIssuedFor(X509Certificate ca, X509Certificate cert, byte[] csr, String tee)
            throws Exception {
        cert.verify(ca.getPublicKey());
        assertArrayEquals(
                new org.bouncycastle.pkcs.PKCS10CertificationRequest(csr)
                        .getSubjectPublicKeyInfo()
                        .getEncoded(),
                cert.getPublicKey().getEncoded());
        assertEquals(tee, ClaimsExtension.from(cert).orElseThrow().tee());
    }

    @Test
    void realSnpAndSgxKeepsEnrollOverHttp() throws Exception {
        StewardServer snp = serve(TestCsrs.stewardToml(), TestCsrs.SNP_NOW);
        var r = post(snp, "/", "application/pkcs10", TestCsrs.snpCsr());
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals(
                "application/pkix-pkipath",
                r.headers().firstValue("Content-Type").orElseThrow());
        List<X509Certificate> chain = certificates(ASN1Primitive.fromByteArray(r.body()));
        assertEquals(2, chain.size());
        assertIssuedFor(chain.get(0), chain.get(1), TestCsrs.snpCsr(), "snp");
        assertEquals(
                StewardCoreTest.SNP_MEASUREMENT,
                ClaimsExtension.from(chain.get(1)).orElseThrow().measurementHex());

        StewardServer sgx = serve(TestCsrs.stewardToml(), TestCsrs.SGX_NOW);
        var s = post(sgx, "/", "application/pkcs10", TestCsrs.sgxCsr());
        assertEquals(200, s.statusCode(), new String(s.body()));
        List<X509Certificate> sgxChain = certificates(ASN1Primitive.fromByteArray(s.body()));
        assertIssuedFor(sgxChain.get(0), sgxChain.get(1), TestCsrs.sgxCsr(), "sgx");
        assertEquals(
                Optional.of("OutOfDate"),
                ClaimsExtension.from(sgxChain.get(1)).orElseThrow().tcbStatus());
    }

    @Test
    void bundleAnswersEnarxOutput() throws Exception {
        StewardServer snp = serve(TestCsrs.stewardToml(), TestCsrs.SNP_NOW);
        byte[] csr = TestCsrs.snpCsr();
        byte[] bundle = new DERSequence(
                        new ASN1Encodable[] {ASN1Primitive.fromByteArray(csr), ASN1Primitive.fromByteArray(csr)})
                .getEncoded("DER");
        var r = post(snp, "/", "application/vnd.steward.pkcs10-bundle.v1", bundle);
        assertEquals(200, r.statusCode(), new String(r.body()));
        ASN1Sequence output = ASN1Sequence.getInstance(r.body());
        List<X509Certificate> chain = certificates(output.getObjectAt(0));
        List<X509Certificate> issued = certificates(output.getObjectAt(1));
        assertEquals(1, chain.size());
        assertEquals(2, issued.size());
        for (X509Certificate c : issued) assertIssuedFor(chain.getFirst(), c, csr, "snp");
        // one bad request fails the bundle, as Enarx
        byte[] mixed = new DERSequence(new ASN1Encodable[] {
                    ASN1Primitive.fromByteArray(csr), ASN1Primitive.fromByteArray(TestCsrs.csr())
                })
                .getEncoded("DER");
        assertEquals(
                401,
                post(snp, "/", "application/vnd.steward.pkcs10-bundle.v1", mixed)
                        .statusCode());
        assertEquals(
                400,
                post(snp, "/", "application/vnd.steward.pkcs10-bundle.v1", csr).statusCode());
    }

    @Test
    void refusalsHaveTheirStatusAndAReason() throws Exception {
        String toml = Files.readString(TestCsrs.STEWARD.resolve("steward.toml"));
        StewardServer s = serve(
                StewardPolicy.parse(toml.replace(StewardCoreTest.SNP_MEASUREMENT, "11".repeat(48)), TestCsrs.STEWARD),
                TestCsrs.SNP_NOW);

        var malformed = post(s, "/", "application/pkcs10", "not a csr".getBytes());
        assertEquals(400, malformed.statusCode());
        assertTrue(new String(malformed.body()).startsWith("malformed: "), new String(malformed.body()));

        var none = post(s, "/", "application/pkcs10", TestCsrs.csr());
        assertEquals(401, none.statusCode());
        assertTrue(new String(none.body()).contains("no attestation extension"), new String(none.body()));

        var refused = post(s, "/", "application/pkcs10", TestCsrs.snpCsr());
        assertEquals(403, refused.statusCode());
        assertTrue(new String(refused.body()).contains("snp.hash"), new String(refused.body()));

        byte[] stolen =
                TestCsrs.csr(TestCsrs.ext(EvidenceOids.SNP, TestCsrs.evidenceOf(TestCsrs.snpCsr(), EvidenceOids.SNP)));
        var binding = post(s, "/", "application/pkcs10", stolen);
        assertEquals(401, binding.statusCode());
        assertTrue(new String(binding.body()).contains("CSR public key"), new String(binding.body()));

        assertEquals(415, post(s, "/", "application/json", TestCsrs.snpCsr()).statusCode());
        assertEquals(
                413,
                post(s, "/", "application/pkcs10", new byte[KeepCsr.MAX_BYTES + 1])
                        .statusCode());
        assertEquals(
                404,
                client.send(
                                HttpRequest.newBuilder(s.baseUri().resolve("/nope"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode());

        var health = client.send(HttpRequest.newBuilder(s.baseUri()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertTrue(health.body().contains("DEBUG MODE"), "a generated CA says so");

        String metrics = client.send(
                        HttpRequest.newBuilder(s.baseUri().resolve("/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        // the Prometheus client writes labels in name order
        assertTrue(
                metrics.contains("donjon_steward_verdicts_total{reason=\"snp.hash\",verdict=\"refused\"} 1"), metrics);
        assertTrue(
                metrics.contains("donjon_steward_verdicts_total{reason=\"binding\",verdict=\"no_attestation\"} 1"),
                metrics);
        assertTrue(
                metrics.contains("donjon_steward_verdicts_total{reason=\"malformed\",verdict=\"malformed\"} 1"),
                metrics);
        assertTrue(
                metrics.contains("donjon_http_request_seconds_count{method=\"POST\",route=\"/\",status=\"403\"} 1"),
                metrics);
        assertTrue(metrics.contains("donjon_steward_attestation_seconds_count 4"), metrics);
        assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics");
        assertEquals(
                200,
                client.send(
                                HttpRequest.newBuilder(s.baseUri().resolve("/healthz"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode());
        assertEquals(
                200,
                client.send(
                                HttpRequest.newBuilder(s.baseUri().resolve("/readyz"))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode());
    }

    @Test
    void tokenIsAnEarSignedByTheCaAndBoundToTheKeepKey() throws Exception {
        StewardServer s = serve(TestCsrs.stewardToml(), TestCsrs.SGX_NOW);
        var r = post(s, "/token", "application/pkcs10", TestCsrs.sgxCsr());
        assertEquals(200, r.statusCode(), new String(r.body()));
        SignedJWT jwt = SignedJWT.parse(new String(r.body()));
        var caCert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(
                        jwt.getHeader().getX509CertChain().getFirst().decode()));
        assertTrue(jwt.verify(new ECDSAVerifier((ECPublicKey) caCert.getPublicKey())));
        var claims = jwt.getJWTClaimsSet();
        assertEquals(AttestationTokens.EAR_PROFILE, claims.getStringClaim("eat_profile"));
        assertEquals(TestCsrs.SGX_NOW, claims.getIssueTime().toInstant());
        @SuppressWarnings("unchecked")
        Map<String, Object> keep = (Map<String, Object>) ((Map<String, Object>) claims.getClaim("submods")).get("keep");
        assertEquals("warning", keep.get("ear.status"), "OutOfDate TCB is not affirming");
        assertEquals("sgx", keep.get("donjon.tee"));
        assertEquals(StewardCoreTest.SGX_MRENCLAVE, keep.get("donjon.measurement"));
        assertEquals("OutOfDate", keep.get("donjon.tcb_status"));
        @SuppressWarnings("unchecked")
        var cnf = com.nimbusds.jose.jwk.JWK.parse(
                (Map<String, Object>) ((Map<String, Object>) claims.getClaim("cnf")).get("jwk"));
        assertArrayEquals(
                new org.bouncycastle.pkcs.PKCS10CertificationRequest(TestCsrs.sgxCsr())
                        .getSubjectPublicKeyInfo()
                        .getEncoded(),
                cnf.toECKey().toPublicKey().getEncoded());
        // a refused CSR gets no token
        assertEquals(
                401, post(s, "/token", "application/pkcs10", TestCsrs.csr()).statusCode());
        String jwks = client.send(
                        HttpRequest.newBuilder(s.baseUri().resolve("/jwks")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(jwt.verify(new ECDSAVerifier(
                com.nimbusds.jose.jwk.JWKSet.parse(jwks).getKeys().getFirst().toECKey())));
    }

    @Test
    void servesItsCaCertificateAsPem() throws Exception {
        StewardServer s = serve(TestCsrs.stewardToml(), TestCsrs.SNP_NOW);
        HttpResponse<byte[]> r = client.send(
                HttpRequest.newBuilder(s.baseUri().resolve("/ca.pem")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(
                "application/x-pem-file", r.headers().firstValue("Content-Type").orElseThrow());
        X509Certificate served = (X509Certificate)
                CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(r.body()));
        // the certificate the Keeps' certificates chain to: what a registry's --client-ca needs
        var issued = certificates(ASN1Primitive.fromByteArray(
                post(s, "/", "application/pkcs10", TestCsrs.snpCsr()).body()));
        assertEquals(served, issued.getFirst());
        issued.getLast().verify(served.getPublicKey());
        assertEquals(
                405,
                client.send(
                                HttpRequest.newBuilder(s.baseUri().resolve("/ca.pem"))
                                        .POST(HttpRequest.BodyPublishers.noBody())
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode());
    }

    @Test
    void aCreatedCaLoadsBackFromItsPemFiles(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        CertificateAuthority made =
                CertificateAuthority.create("Test Steward CA", Instant.now(), java.time.Duration.ofDays(30));
        assertTrue(!made.generated());
        java.nio.file.Path cert = Files.writeString(dir.resolve("ca.pem"), made.certificatePem());
        java.nio.file.Path key = Files.writeString(dir.resolve("ca.key"), made.privateKeyPem());
        assertTrue(made.privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----"), made.privateKeyPem());
        CertificateAuthority loaded = CertificateAuthority.load(cert, key);
        assertEquals(made.certificate(), loaded.certificate());
        assertEquals(
                "CN=Test Steward CA",
                loaded.certificate().getSubjectX500Principal().getName());
        assertTrue(!loaded.generated());
    }

    @Test
    void servesHttpsWithTls13() throws Exception {
        // a throwaway server certificate for 127.0.0.1, issued by a generated CA the client trusts
        CertificateAuthority tlsCa = CertificateAuthority.generate(Instant.now());
        var key = TestCsrs.keyPair("secp256r1");
        var b = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
                tlsCa.certificate(),
                java.math.BigInteger.TEN,
                java.util.Date.from(Instant.now().minusSeconds(60)),
                java.util.Date.from(Instant.now().plusSeconds(3600)),
                new javax.security.auth.x500.X500Principal("CN=steward"),
                key.getPublic());
        b.addExtension(
                org.bouncycastle.asn1.x509.Extension.subjectAlternativeName,
                false,
                new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
                        org.bouncycastle.asn1.x509.GeneralName.iPAddress, "127.0.0.1")));
        X509Certificate serverCert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
                .getCertificate(b.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                        .build(tlsCa.privateKey())));
        var ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", key.getPrivate(), new char[0], new X509Certificate[] {serverCert, tlsCa.certificate()});
        var kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        var serverTls = javax.net.ssl.SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        var ts = java.security.KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", tlsCa.certificate());
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        var clientTls = javax.net.ssl.SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), null);

        StewardServer s = StewardServer.start(new StewardServer.Config(
                TestCsrs.steward(TestCsrs.stewardToml(), TestCsrs.SNP_NOW),
                new InetSocketAddress("127.0.0.1", 0),
                Optional.of(serverTls)));
        servers.add(s);
        assertTrue(s.baseUri().toString().startsWith("https://127.0.0.1:"));
        HttpClient tls = HttpClient.newBuilder().sslContext(clientTls).build();
        var r = tls.send(
                HttpRequest.newBuilder(s.baseUri())
                        .header("Content-Type", "application/pkcs10")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(TestCsrs.snpCsr()))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals("TLSv1.3", r.sslSession().orElseThrow().getProtocol());
    }
}
