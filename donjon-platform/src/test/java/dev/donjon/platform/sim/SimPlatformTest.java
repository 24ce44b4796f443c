package dev.donjon.platform.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.platform.Evidence;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimPlatformTest {

    static Path dir;
    static SimPlatform sim;
    static final byte[] MEASUREMENT = new byte[48];

    @BeforeAll
    static void makeChain() throws Exception {
        Arrays.fill(MEASUREMENT, (byte) 0x5A);
        dir = SharedSim.directory();
        sim = new SimPlatform(dir, Clock.systemUTC(), MEASUREMENT::clone);
        sim.authority(); // RSA-4096 twice: made once for the whole class
    }

    private static byte[] randomReportData() {
        byte[] d = new byte[64];
        new SecureRandom().nextBytes(d);
        return d;
    }

    private static Evidence.SnpReport attest(byte[] reportData) throws PlatformException {
        return assertInstanceOf(Evidence.SnpReport.class, sim.attest(reportData));
    }

    @Test
    void reportHasTheSevSnpV3LayoutWithTheCallersDataAndTheMeasurement() throws Exception {
        byte[] reportData = randomReportData();
        Evidence.SnpReport e = attest(reportData);
        assertTrue(e.simulated());
        byte[] r = e.report();
        assertEquals(0x4A0, r.length);
        ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(3, b.getInt(0x00), "version");
        assertEquals(1, b.getInt(0x34), "signature algorithm ECDSA P-384/SHA-384");
        assertEquals(0, (b.getInt(0x48) >>> 2) & 7, "signed by the VCEK");
        assertEquals(0, b.getLong(0x08) & (1L << 19), "debug off");
        assertArrayEquals(reportData, Arrays.copyOfRange(r, 0x50, 0x90));
        assertArrayEquals(MEASUREMENT, Arrays.copyOfRange(r, 0x90, 0xC0));
        assertArrayEquals(sim.authority().chipId(), Arrays.copyOfRange(r, 0x1A0, 0x1E0));
        assertEquals(0x19, r[0x188]);
        long tcb = SimAuthority.TCB.raw();
        assertEquals(tcb, b.getLong(0x180), "reported TCB");
        assertEquals(tcb, b.getLong(0x38), "current TCB");
        // bytes 0x1F8-0x29F are reserved in v3 and the signature fields are padded with zeros beyond 48 bytes
        assertTrue(allZero(Arrays.copyOfRange(r, 0x1F8, 0x2A0)));
        assertTrue(allZero(Arrays.copyOfRange(r, 0x2A0 + 48, 0x2E8)));
        assertTrue(allZero(Arrays.copyOfRange(r, 0x2E8 + 48, 0x4A0)));
        assertFalse(Arrays.equals(r, attest(reportData).report()), "a fresh REPORT_ID and signature every time");
    }

    @Test
    void signatureVerifiesWithTheVcekOverBytes0To29F() throws Exception {
        byte[] r = attest(randomReportData()).report();
        PublicKey vcek = new JcaX509CertificateConverter()
                .getCertificate(sim.authority().vcek())
                .getPublicKey();
        assertTrue(verify(vcek, r));
        for (int offset : new int[] {0x00, 0x50, 0x90, 0x1A0, 0x29F}) {
            byte[] flipped = r.clone();
            flipped[offset] ^= 1;
            assertFalse(verify(vcek, flipped), "flip at 0x" + Integer.toHexString(offset));
        }
        byte[] unsignedTail = r.clone();
        unsignedTail[0x49F] ^= 1; // beyond the signature fields: not covered, as on hardware
        assertTrue(verify(vcek, unsignedTail));
    }

    /** The verifier's reading of the report: little-endian 72-byte r and s fields, P1363 for the JDK. */
    static boolean verify(PublicKey key, byte[] report) throws Exception {
        byte[] p1363 = new byte[96];
        for (int i = 0; i < 48; i++) {
            p1363[i] = report[0x2A0 + 47 - i];
            p1363[48 + i] = report[0x2E8 + 47 - i];
        }
        Signature s = Signature.getInstance("SHA384withECDSAinP1363Format");
        s.initVerify(key);
        s.update(report, 0, 0x2A0);
        return s.verify(p1363);
    }

    @Test
    void chainFollowsTheAmdProfile() throws Exception {
        SimAuthority a = sim.authority();
        assertTrue(signed(a.ark(), a.ark()));
        assertTrue(signed(a.ask(), a.ark()));
        assertTrue(signed(a.vcek(), a.ask()));
        assertFalse(signed(a.vcek(), a.ark()));
        for (X509CertificateHolder c : new X509CertificateHolder[] {a.ark(), a.ask(), a.vcek()}) {
            assertEquals(
                    PKCSObjectIdentifiers.id_RSASSA_PSS,
                    c.getSignatureAlgorithm().getAlgorithm());
            RSASSAPSSparams pss =
                    RSASSAPSSparams.getInstance(c.getSignatureAlgorithm().getParameters());
            assertEquals(NISTObjectIdentifiers.id_sha384, pss.getHashAlgorithm().getAlgorithm());
            assertEquals(48, pss.getSaltLength().intValue());
            assertTrue(
                    c.getSubject().toString().contains("Donjon-Sim"),
                    c.getSubject().toString());
            assertFalse(c.getSubject().toString().contains("Advanced Micro Devices"));
        }
        assertTrue(a.ark().getSubject().toString().contains("CN=ARK-Milan"));
        // the KDS extensions the SNP verifier checks against the report
        assertEquals(SimAuthority.TCB.bootloader(), spl(a.vcek(), "3.1"));
        assertEquals(SimAuthority.TCB.tee(), spl(a.vcek(), "3.2"));
        assertEquals(SimAuthority.TCB.snp(), spl(a.vcek(), "3.3"));
        assertEquals(SimAuthority.TCB.microcode(), spl(a.vcek(), "3.8"));
        assertArrayEquals(
                a.chipId(),
                a.vcek()
                        .getExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.3704.1.4"))
                        .getExtnValue()
                        .getOctets());
        String chain = Files.readString(dir.resolve(SimAuthority.CHAIN_FILE));
        assertEquals(2, chain.split("BEGIN CERTIFICATE").length - 1, "ASK then ARK");
    }

    private static int spl(X509CertificateHolder c, String arc) {
        return ASN1Integer.getInstance(c.getExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.3704.1." + arc))
                        .getParsedValue())
                .intValueExact();
    }

    private static boolean signed(X509CertificateHolder c, X509CertificateHolder issuer) throws Exception {
        return c.isSignatureValid(new JcaContentVerifierProviderBuilder()
                .setProvider(new BouncyCastleProvider())
                .build(issuer));
    }

    @Test
    void chainIsKeptOwnerOnlyAndReused() throws Exception {
        for (String f : new String[] {
            SimAuthority.VCEK_KEY_FILE, SimAuthority.VCEK_FILE, SimAuthority.ARK_FILE, SimAuthority.CHAIN_FILE
        }) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f))), f);
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        SimPlatform again = new SimPlatform(dir, Clock.systemUTC(), MEASUREMENT::clone);
        assertArrayEquals(
                sim.authority().ark().getEncoded(), again.authority().ark().getEncoded());
        assertArrayEquals(sim.authority().chipId(), again.authority().chipId());
    }

    @Test
    void keepsStartingTogetherShareOneNewChain(@TempDir Path fresh) throws Exception {
        Path d = fresh.resolve("sim");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            var made = new java.util.ArrayList<java.util.concurrent.Future<byte[]>>();
            for (int i = 0; i < 3; i++) {
                made.add(pool.submit(() -> new SimPlatform(d, Clock.systemUTC(), MEASUREMENT::clone)
                        .authority()
                        .ark()
                        .getEncoded()));
            }
            byte[] first = made.getFirst().get();
            for (var f : made) assertArrayEquals(first, f.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void damagedChainIsReportedNotReplaced(@TempDir Path other) throws Exception {
        for (String f : new String[] {
            SimAuthority.ARK_FILE,
            SimAuthority.ASK_FILE,
            SimAuthority.VCEK_FILE,
            SimAuthority.VCEK_KEY_FILE,
            SimAuthority.CHAIN_FILE
        }) {
            Files.copy(dir.resolve(f), other.resolve(f));
        }
        // swap in the ARK as the VCEK certificate: the chain no longer verifies
        Files.copy(
                dir.resolve(SimAuthority.ARK_FILE),
                other.resolve(SimAuthority.VCEK_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        PlatformException e = assertThrows(PlatformException.class, () -> SimAuthority.load(other));
        assertTrue(e.getMessage().contains("delete the directory"), e.getMessage());
        PlatformInfo info = new SimPlatform(other, Clock.systemUTC(), MEASUREMENT::clone).info();
        assertFalse(info.usable());
        assertTrue(info.simulated());
    }

    @Test
    void infoSaysSimulatedAndShowsTheMeasurement() {
        PlatformInfo info = sim.info();
        assertTrue(info.usable());
        assertTrue(info.simulated());
        assertEquals("SIMULATED TEE", info.checks().getFirst().name());
        assertTrue(info.checks().stream()
                .anyMatch(c -> c.detail().startsWith(HexFormat.of().formatHex(MEASUREMENT))));
    }

    private static boolean allZero(byte[] a) {
        for (byte x : a) if (x != 0) return false;
        return true;
    }
}
