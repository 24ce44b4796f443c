package dev.donjon.attestation.snp;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * A test AMD PKI built with BouncyCastle (ARK -> ASK/ASVK -> VCEK/VLEK, RSASSA-PSS/SHA-384 like AMD's) and reports
 * signed with its VCEK, so that layouts absent from the corpus (Turin, v5) and CRL revocation can be exercised. Public in
 * the test-jar: the CLI tests use it as a simulated (sim platform) root.
 */
public final class TestAmd {

    public static final Instant NOT_BEFORE = Instant.parse("2024-01-01T00:00:00Z");
    public static final Instant NOT_AFTER = Instant.parse("2030-01-01T00:00:00Z");
    public static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    final ProductLine product;
    final KeyPair arkKey = rsa();
    final KeyPair askKey = rsa();
    final KeyPair asvkKey = rsa();
    final KeyPair leafKey = ec();
    public final X509CertificateHolder ark;
    public final X509CertificateHolder ask;
    final X509CertificateHolder asvk;

    public TestAmd(ProductLine product) {
        this.product = product;
        String p = product.kdsName();
        ark = ca("ARK-" + p, "ARK-" + p, arkKey, arkKey.getPrivate(), 0x10000);
        ask = ca("SEV-" + p, "ARK-" + p, askKey, arkKey.getPrivate(), 0x10001);
        asvk = ca("SEV-VLEK-" + p, "ARK-" + p, asvkKey, arkKey.getPrivate(), 0x10101);
    }

    /** Reported/endorsed TCB levels; for Milan/Genoa {@code fmc} is ignored. */
    public record Tcb(int fmc, int bl, int tee, int snp, int ucode) {
        long raw(ProductLine product) {
            byte[] b = new byte[8];
            if (product == ProductLine.TURIN) {
                b[0] = (byte) fmc; b[1] = (byte) bl; b[2] = (byte) tee; b[3] = (byte) snp;
            } else {
                b[0] = (byte) bl; b[1] = (byte) tee; b[6] = (byte) snp;
            }
            b[7] = (byte) ucode;
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }

    public static final Tcb TCB = new Tcb(1, 9, 0, 23, 72);

    public X509CertificateHolder vcek(Tcb tcb, byte[] hwId) {
        return leaf("SEV-VCEK", ask, askKey.getPrivate(), tcb, hwId, NOT_BEFORE, NOT_AFTER);
    }

    X509CertificateHolder vlek(Tcb tcb) {
        return leaf("SEV-VLEK", asvk, asvkKey.getPrivate(), tcb, null, NOT_BEFORE, NOT_AFTER);
    }

    X509CertificateHolder leaf(String cn, X509CertificateHolder issuer, PrivateKey issuerKey, Tcb tcb, byte[] hwId,
                               Instant notBefore, Instant notAfter) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer.getSubject(), BigInteger.ZERO,
                    Date.from(notBefore), Date.from(notAfter), name(cn), leafKey.getPublic());
            b.addExtension(KdsExtensions.PRODUCT_NAME, false, new DERIA5String(product.kdsName() + "-B0"));
            b.addExtension(KdsExtensions.BL_SPL, false, new ASN1Integer(tcb.bl()));
            b.addExtension(KdsExtensions.TEE_SPL, false, new ASN1Integer(tcb.tee()));
            b.addExtension(KdsExtensions.SNP_SPL, false, new ASN1Integer(tcb.snp()));
            b.addExtension(KdsExtensions.UCODE_SPL, false, new ASN1Integer(tcb.ucode()));
            if (product == ProductLine.TURIN) b.addExtension(KdsExtensions.FMC_SPL, false, new ASN1Integer(tcb.fmc()));
            // AMD's KDS puts the raw chip id in the extension value, not a DER OCTET STRING
            if (hwId != null) b.addExtension(KdsExtensions.HW_ID, false, hwId);
            return b.build(pss(issuerKey));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    X509CertificateHolder ca(String cn, String issuerCn, KeyPair key, PrivateKey signer, long serial) {
        try {
            return new JcaX509v3CertificateBuilder(name(issuerCn), BigInteger.valueOf(serial), Date.from(NOT_BEFORE),
                    Date.from(NOT_AFTER), name(cn), key.getPublic()).build(pss(signer));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    X509CRLHolder crl(X509CertificateHolder issuer, PrivateKey key, Instant thisUpdate, Instant nextUpdate, BigInteger... revoked) {
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
        StringBuilder s = new StringBuilder();
        for (X509CertificateHolder c : certs) {
            try {
                s.append("-----BEGIN CERTIFICATE-----\n")
                        .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return s.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** A report of the given version for this product, signed with the leaf key. */
    public byte[] report(int version, SigningKey signingKey, Tcb reported, byte[] chipId, byte[] reportData) {
        byte[] r = new byte[AttestationReport.SIZE];
        ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x00, version);
        b.putInt(0x04, 3); // guest SVN
        b.putLong(0x08, 0x30000L); // policy: SMT allowed, reserved bit 17
        b.putInt(0x34, 1);
        b.putInt(0x48, signingKey == SigningKey.VLEK ? 1 << 2 : 0);
        System.arraycopy(reportData, 0, r, 0x50, 64);
        for (int i = 0; i < 48; i++) r[0x90 + i] = (byte) (0xA0 + i);
        b.putLong(0x38, reported.raw(product));
        b.putLong(0x180, reported.raw(product));
        b.putLong(0x1E0, reported.raw(product));
        b.putLong(0x1F0, reported.raw(product));
        if (version >= 3) {
            r[0x188] = (byte) (product == ProductLine.TURIN ? 0x1A : 0x19);
            r[0x189] = (byte) (product == ProductLine.TURIN ? 0x02 : product == ProductLine.GENOA ? 0x11 : 0x01);
            r[0x18A] = 1;
        }
        System.arraycopy(chipId, 0, r, 0x1A0, 64);
        if (version >= 5) {
            b.putLong(0x1F8, 0x5L);
            b.putLong(0x200, 0x7L);
        }
        sign(r);
        return r;
    }

    /** (Re-)signs bytes 0x000-0x29F with the leaf key; r and s are stored little-endian in 72-byte fields. */
    void sign(byte[] report) {
        try {
            Signature ecdsa = Signature.getInstance("SHA384withECDSAinP1363Format");
            ecdsa.initSign(leafKey.getPrivate());
            ecdsa.update(report, 0, AttestationReport.SIGNED_LENGTH);
            byte[] rs = ecdsa.sign();
            java.util.Arrays.fill(report, 0x2A0, AttestationReport.SIZE, (byte) 0);
            for (int i = 0; i < 48; i++) {
                report[0x2A0 + i] = rs[47 - i];
                report[0x2E8 + i] = rs[95 - i];
            }
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
        return new JcaContentSignerBuilder("SHA384withRSAandMGF1").setProvider(BC).build(key);
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
