package dev.donjon.platform.sim;

import dev.donjon.abi.snp.KdsExtensions;
import dev.donjon.abi.snp.ProductLine;
import dev.donjon.abi.snp.TcbVersion;
import dev.donjon.common.OwnerOnlyFiles;
import dev.donjon.common.Pem;
import dev.donjon.platform.PlatformException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * The simulated AMD key hierarchy of the {@code sim} backend: ARK -> ASK -> VCEK, made once per user and kept in a
 * directory (README "Sim chain"). The certificates follow AMD's KDS profile (RSA-4096 ARK/ASK signing with RSASSA-PSS
 * SHA-384, MGF1 SHA-384, salt 48; a P-384 VCEK with the KDS TCB, product-name and hwID extensions) so that Donjon's
 * SEV-SNP verifier accepts sim evidence exactly as AMD's when, and only when, it is given the sim ARK as anchor.
 * Every name says "Donjon-Sim" and the organisation is Donjon, not AMD: nobody can mistake the chain for AMD's.
 * The ARK and ASK private keys are discarded once the VCEK is signed: the only secret kept is the VCEK key.
 */
public final class SimAuthority {

    public static final String ARK_FILE = "ark.pem";
    public static final String ASK_FILE = "ask.pem";
    public static final String VCEK_FILE = "vcek.pem";
    public static final String VCEK_KEY_FILE = "vcek-key.pem";
    /** ASK then ARK, the PEM bundle a verifier pins as its AMD chain to trust sim evidence. */
    public static final String CHAIN_FILE = "sim-chain.pem";

    /** The product the sim imitates (a Milan report layout: version 3, CPUID family 0x19 model 0x01). */
    public static final ProductLine PRODUCT = ProductLine.MILAN;

    public static final String ARK_NAME = "ARK-Milan-Donjon-Sim";
    public static final String ASK_NAME = "SEV-Milan-Donjon-Sim";
    public static final String VCEK_NAME = "SEV-VCEK-Donjon-Sim";
    /** Security patch levels endorsed by the sim VCEK and reported by the sim firmware (Milan TCB_VERSION layout). */
    public static final TcbVersion TCB = TcbVersion.of(PRODUCT, 0, 4, 0, 22, 213);

    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final int RSA_BITS = 4096;

    private final X509CertificateHolder ark;
    private final X509CertificateHolder ask;
    private final X509CertificateHolder vcek;
    private final PrivateKey vcekKey;
    private final byte[] chipId;

    private SimAuthority(
            X509CertificateHolder ark,
            X509CertificateHolder ask,
            X509CertificateHolder vcek,
            PrivateKey vcekKey,
            byte[] chipId) {
        this.ark = ark;
        this.ask = ask;
        this.vcek = vcek;
        this.vcekKey = vcekKey;
        this.chipId = chipId;
    }

    public X509CertificateHolder ark() {
        return ark;
    }

    public X509CertificateHolder ask() {
        return ask;
    }

    public X509CertificateHolder vcek() {
        return vcek;
    }

    PrivateKey vcekKey() {
        return vcekKey;
    }

    /** The simulated chip's 64-byte CHIP_ID, equal to the VCEK's hwID extension. */
    public byte[] chipId() {
        return chipId.clone();
    }

    /** The PEM bundle (ASK, then ARK) a relying party configures to trust this sim, and only this one. */
    public byte[] chainPem() {
        return Pem.certificates(List.of(encoded(ask), encoded(ark)));
    }

    /** Whether a chain was already made in {@code dir}. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(VCEK_KEY_FILE)) && Files.isRegularFile(dir.resolve(VCEK_FILE));
    }

    /** Loads the chain kept in {@code dir}, making it first if there is none (under a file lock: one maker per directory). */
    public static SimAuthority loadOrCreate(Path dir, Clock clock) throws PlatformException {
        try {
            OwnerOnlyFiles.createDirectories(dir);
            // the file lock serialises processes; a JVM may hold it only once, so its threads queue here first
            synchronized (SimAuthority.class) {
                try (FileChannel lockFile = FileChannel.open(
                                dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock lock = lockFile.lock()) {
                    if (exists(dir)) return load(dir);
                    SimAuthority made = create(clock.instant(), new SecureRandom());
                    made.store(dir);
                    return made;
                }
            }
        } catch (IOException e) {
            throw new PlatformException("cannot keep the sim chain in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Loads an existing chain and checks that it hangs together (signatures, VCEK key matches its certificate). */
    public static SimAuthority load(Path dir) throws PlatformException {
        try {
            X509CertificateHolder ark = certificate(dir.resolve(ARK_FILE));
            X509CertificateHolder ask = certificate(dir.resolve(ASK_FILE));
            X509CertificateHolder vcek = certificate(dir.resolve(VCEK_FILE));
            PrivateKey key = Pem.privateKey(Files.readAllBytes(dir.resolve(VCEK_KEY_FILE)), VCEK_KEY_FILE);
            if (!signedBy(ark, ark) || !signedBy(ask, ark) || !signedBy(vcek, ask)) {
                throw new PlatformException("the sim chain in " + dir
                        + " does not verify (ARK -> ASK -> VCEK); delete the directory to make a new one");
            }
            PublicKey vcekPublic = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
                    .getCertificate(vcek)
                    .getPublicKey();
            if (!keyMatches(key, vcekPublic)) {
                throw new PlatformException("the sim VCEK key in " + dir + " does not match " + VCEK_FILE
                        + "; delete the directory to make a new one");
            }
            byte[] hwId = KdsExtensions.hwIdOf(vcek)
                    .filter(id -> id.length == 64)
                    .orElseThrow(
                            () -> new PlatformException("the sim VCEK in " + dir + " has no 64-byte hwID extension"));
            return new SimAuthority(ark, ask, vcek, key, hwId);
        } catch (NoSuchFileException e) {
            throw new PlatformException("the sim chain in " + dir + " is incomplete: " + e.getFile()
                    + " is missing; delete the directory to make a new one");
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new PlatformException(
                    "the sim chain in " + dir + " is damaged (" + e.getMessage()
                            + "); delete the directory to make a new one",
                    e);
        }
    }

    /** Makes a fresh chain valid from {@code now}: ARK and ASK for 25 years, the VCEK for 7 (AMD's periods). */
    static SimAuthority create(Instant now, SecureRandom random) throws PlatformException {
        try {
            KeyPair arkKeys = rsa(random);
            KeyPair askKeys = rsa(random);
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(new ECGenParameterSpec("secp384r1"), random);
            KeyPair vcekKeys = ec.generateKeyPair();
            byte[] chipId = new byte[64];
            random.nextBytes(chipId);

            Instant from =
                    now.truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(5)); // tolerate small clock skew
            Instant caUntil = from.plus(Duration.ofDays(25 * 365 + 6));
            X500Name arkName = name(ARK_NAME);
            X500Name askName = name(ASK_NAME);
            JcaX509ExtensionUtils ids = new JcaX509ExtensionUtils();

            X509v3CertificateBuilder arkB = new JcaX509v3CertificateBuilder(
                            arkName, serial(random), Date.from(from), Date.from(caUntil), arkName, arkKeys.getPublic())
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ids.createSubjectKeyIdentifier(arkKeys.getPublic()))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            X509CertificateHolder ark = arkB.build(pss(arkKeys.getPrivate()));

            X509v3CertificateBuilder askB = new JcaX509v3CertificateBuilder(
                            arkName, serial(random), Date.from(from), Date.from(caUntil), askName, askKeys.getPublic())
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ids.createSubjectKeyIdentifier(askKeys.getPublic()))
                    .addExtension(
                            Extension.authorityKeyIdentifier,
                            false,
                            ids.createAuthorityKeyIdentifier(arkKeys.getPublic()))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509CertificateHolder ask = askB.build(pss(arkKeys.getPrivate()));

            X509v3CertificateBuilder vcekB = new JcaX509v3CertificateBuilder(
                    askName,
                    serial(random),
                    Date.from(from),
                    Date.from(from.plus(Duration.ofDays(7 * 365 + 2))),
                    name(VCEK_NAME),
                    vcekKeys.getPublic());
            KdsExtensions.write(vcekB, PRODUCT, TCB, Optional.of(chipId));
            X509CertificateHolder vcek = vcekB.build(pss(askKeys.getPrivate()));
            return new SimAuthority(ark, ask, vcek, vcekKeys.getPrivate(), chipId);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException | IOException e) {
            throw new PlatformException("cannot make the sim chain: " + e.getMessage(), e);
        }
    }

    private void store(Path dir) throws IOException {
        OwnerOnlyFiles.write(dir.resolve(ARK_FILE), Pem.encode("CERTIFICATE", encoded(ark)));
        OwnerOnlyFiles.write(dir.resolve(ASK_FILE), Pem.encode("CERTIFICATE", encoded(ask)));
        OwnerOnlyFiles.write(dir.resolve(CHAIN_FILE), chainPem());
        OwnerOnlyFiles.write(dir.resolve(VCEK_FILE), Pem.encode("CERTIFICATE", encoded(vcek)));
        // the key last: its presence is what marks the chain complete (see exists)
        OwnerOnlyFiles.write(dir.resolve(VCEK_KEY_FILE), Pem.encode("PRIVATE KEY", vcekKey.getEncoded()));
    }

    /** ECDSA P-384/SHA-384 over {@code signed}, as r || s big-endian (48 bytes each). */
    byte[] signP1363(byte[] signed) throws PlatformException {
        try {
            Signature s = Signature.getInstance("SHA384withECDSAinP1363Format");
            s.initSign(vcekKey);
            s.update(signed);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new PlatformException("sim VCEK cannot sign: " + e.getMessage(), e);
        }
    }

    private static X500Name name(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.OU, "Simulated TEE - not AMD")
                .addRDN(BCStyle.O, "Donjon")
                .addRDN(BCStyle.CN, cn)
                .build();
    }

    private static KeyPair rsa(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(new RSAKeyGenParameterSpec(RSA_BITS, RSAKeyGenParameterSpec.F4), random);
        return g.generateKeyPair();
    }

    /** RSASSA-PSS, SHA-384, MGF1 SHA-384, salt 48, trailer 1: AMD's parameters. */
    private static org.bouncycastle.operator.ContentSigner pss(PrivateKey key)
            throws org.bouncycastle.operator.OperatorCreationException {
        return new JcaContentSignerBuilder("SHA384WITHRSAANDMGF1")
                .setProvider(BC)
                .build(key);
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(63, random).add(BigInteger.ONE);
    }

    private static boolean signedBy(X509CertificateHolder cert, X509CertificateHolder issuer) {
        try {
            return cert.getIssuer().equals(issuer.getSubject())
                    && cert.isSignatureValid(new JcaContentVerifierProviderBuilder()
                            .setProvider(BC)
                            .build(issuer));
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean keyMatches(PrivateKey key, PublicKey pub) throws GeneralSecurityException {
        byte[] probe = "donjon sim key check".getBytes(StandardCharsets.US_ASCII);
        Signature s = Signature.getInstance("SHA384withECDSA");
        s.initSign(key);
        s.update(probe);
        byte[] sig = s.sign();
        s.initVerify(pub);
        s.update(probe);
        return s.verify(sig);
    }

    private static X509CertificateHolder certificate(Path file) throws IOException {
        List<byte[]> ders = Pem.blocks(
                Files.readAllBytes(file), "CERTIFICATE", file.getFileName().toString());
        if (ders.isEmpty()) throw new IOException(file.getFileName() + " holds no PEM certificate");
        return new X509CertificateHolder(ders.getFirst());
    }

    private static byte[] encoded(X509CertificateHolder certificate) {
        try {
            return certificate.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding in memory failed", e);
        }
    }

    @Override
    public String toString() {
        return "SimAuthority[" + ARK_NAME + ", chip " + java.util.HexFormat.of().formatHex(Arrays.copyOf(chipId, 8))
                + "...]";
    }
}
