package dev.donjon.testing;

import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.abi.snp.KdsExtensions;
import dev.donjon.abi.snp.ProductLine;
import dev.donjon.abi.snp.SigningKey;
import dev.donjon.abi.snp.TcbVersion;
import dev.donjon.common.Pem;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test AMD PKI built with BouncyCastle (ARK -> ASK/ASVK -> VCEK/VLEK, RSASSA-PSS/SHA-384 like AMD's) and reports
 * signed with its VCEK, so that layouts absent from the corpus (Turin, v5) and CRL revocation can be exercised. The CLI
 * tests use it as a simulated (sim platform) root. Certificates and reports are written through donjon-abi.
 */
public final class TestAmd {

    public static final Instant NOT_BEFORE = Instant.parse("2024-01-01T00:00:00Z");
    public static final Instant NOT_AFTER = Instant.parse("2030-01-01T00:00:00Z");
    public static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    public final ProductLine product;
    public final KeyPair arkKey = rsa();
    public final KeyPair askKey = rsa();
    public final KeyPair asvkKey = rsa();
    final KeyPair leafKey = ec();
    public final X509CertificateHolder ark;
    public final X509CertificateHolder ask;
    public final X509CertificateHolder asvk;

    public TestAmd(ProductLine product) {
        this.product = product;
        String p = product.kdsName();
        ark = ca("ARK-" + p, "ARK-" + p, arkKey, arkKey.getPrivate(), 0x10000);
        ask = ca("SEV-" + p, "ARK-" + p, askKey, arkKey.getPrivate(), 0x10001);
        asvk = ca("SEV-VLEK-" + p, "ARK-" + p, asvkKey, arkKey.getPrivate(), 0x10101);
    }

    /** Reported/endorsed TCB levels; for Milan/Genoa {@code fmc} is ignored. */
    public record Tcb(int fmc, int bl, int tee, int snp, int ucode) {
        public TcbVersion in(ProductLine product) {
            return TcbVersion.of(product, product == ProductLine.TURIN ? fmc : 0, bl, tee, snp, ucode);
        }

        public long raw(ProductLine product) {
            return in(product).raw();
        }
    }

    public static final Tcb TCB = new Tcb(1, 9, 0, 23, 72);

    public X509CertificateHolder vcek(Tcb tcb, byte[] hwId) {
        return leaf("SEV-VCEK", ask, askKey.getPrivate(), tcb, hwId, NOT_BEFORE, NOT_AFTER);
    }

    public X509CertificateHolder vlek(Tcb tcb) {
        return leaf("SEV-VLEK", asvk, asvkKey.getPrivate(), tcb, null, NOT_BEFORE, NOT_AFTER);
    }

    public X509CertificateHolder leaf(
            String cn,
            X509CertificateHolder issuer,
            PrivateKey issuerKey,
            Tcb tcb,
            byte[] hwId,
            Instant notBefore,
            Instant notAfter) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    issuer.getSubject(),
                    BigInteger.ZERO,
                    Date.from(notBefore),
                    Date.from(notAfter),
                    name(cn),
                    leafKey.getPublic());
            KdsExtensions.write(b, product, tcb.in(product), java.util.Optional.ofNullable(hwId));
            return b.build(pss(issuerKey));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public X509CertificateHolder ca(String cn, String issuerCn, KeyPair key, PrivateKey signer, long serial) {
        try {
            return new JcaX509v3CertificateBuilder(
                            name(issuerCn),
                            BigInteger.valueOf(serial),
                            Date.from(NOT_BEFORE),
                            Date.from(NOT_AFTER),
                            name(cn),
                            key.getPublic())
                    .build(pss(signer));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public X509CRLHolder crl(
            X509CertificateHolder issuer,
            PrivateKey key,
            Instant thisUpdate,
            Instant nextUpdate,
            BigInteger... revoked) {
        try {
            X509v2CRLBuilder b = new X509v2CRLBuilder(issuer.getSubject(), Date.from(thisUpdate));
            b.setNextUpdate(Date.from(nextUpdate));
            for (BigInteger serial : revoked) b.addCRLEntry(serial, Date.from(thisUpdate), 0);
            return b.build(pss(key));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM bundle of the given certificates, like AMD's KDS cert_chain. */
    public static byte[] pem(X509CertificateHolder... certs) {
        List<byte[]> ders = new ArrayList<>();
        for (X509CertificateHolder c : certs) {
            try {
                ders.add(c.getEncoded());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return Pem.certificates(ders);
    }

    /** A report of the given version for this product, signed with the leaf key. */
    public byte[] report(int version, SigningKey signingKey, Tcb reported, byte[] chipId, byte[] reportData) {
        AttestationReport.Builder r = AttestationReport.builder()
                .version(version)
                .guestSvn(3)
                .policy(0x30000L) // SMT allowed, reserved bit 17
                .signingKey(signingKey)
                .reportData(reportData)
                .measurement(measurement())
                .tcb(reported.raw(product))
                .chipId(chipId);
        if (version >= 3) {
            r.cpuid(new AttestationReport.Cpuid(
                    product == ProductLine.TURIN ? 0x1A : 0x19,
                    product == ProductLine.TURIN ? 0x02 : product == ProductLine.GENOA ? 0x11 : 0x01,
                    1));
        }
        if (version >= 5) r.mitigationVectors(0x5L, 0x7L);
        return r.sign(this::signP1363);
    }

    /** (Re-)signs bytes 0x000-0x29F of a (tampered) report with the leaf key. */
    public void sign(byte[] report) {
        AttestationReport.signInPlace(report, this::signP1363);
    }

    private static byte[] measurement() {
        byte[] m = new byte[48];
        for (int i = 0; i < m.length; i++) m[i] = (byte) (0xA0 + i);
        return m;
    }

    private byte[] signP1363(byte[] signed) {
        try {
            Signature ecdsa = Signature.getInstance("SHA384withECDSAinP1363Format");
            ecdsa.initSign(leafKey.getPrivate());
            ecdsa.update(signed);
            return ecdsa.sign();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] chipId(int seed) {
        byte[] id = new byte[64];
        for (int i = 0; i < 64; i++) id[i] = (byte) (seed + i);
        return id;
    }

    private static X500Name name(String cn) {
        return new X500Name("OU=Engineering, C=US, L=Santa Clara, ST=CA, O=Advanced Micro Devices, CN=" + cn);
    }

    private static ContentSigner pss(PrivateKey key) throws Exception {
        return new JcaContentSignerBuilder("SHA384withRSAandMGF1")
                .setProvider(BC)
                .build(key);
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp384r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
