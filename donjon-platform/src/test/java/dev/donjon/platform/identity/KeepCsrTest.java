package dev.donjon.platform.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.ReportData;
import dev.donjon.abi.csr.EvidenceOids;
import dev.donjon.platform.Backend;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.NilPlatform;
import dev.donjon.platform.sim.SimPlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KeepCsrTest {

    static SimPlatform sim;

    @BeforeAll
    static void sim() throws Exception {
        sim = new SimPlatform(dev.donjon.platform.sim.SharedSim.directory(), Clock.systemUTC(), () -> new byte[48]);
        sim.authority();
    }

    /** The single extension of the single extensionRequest attribute, after checking the Enarx CSR form. */
    static Extension onlyExtension(PKCS10CertificationRequest csr) throws Exception {
        assertEquals(
                0,
                csr.toASN1Structure().getCertificationRequestInfo().getVersion().intValueExact());
        assertEquals(0, csr.getSubject().getRDNs().length, "empty subject");
        assertArrayEquals(new byte[] {0x30, 0x00}, csr.getSubject().getEncoded("DER"));
        Attribute[] attributes = csr.getAttributes();
        assertEquals(1, attributes.length);
        assertEquals(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, attributes[0].getAttrType());
        assertEquals(1, attributes[0].getAttrValues().size());
        Extensions exts = Extensions.getInstance(attributes[0].getAttrValues().getObjectAt(0));
        assertEquals(1, exts.getExtensionOIDs().length);
        Extension e = exts.getExtension(exts.getExtensionOIDs()[0]);
        assertFalse(e.isCritical());
        assertTrue(
                csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo())),
                "self-signed");
        return e;
    }

    @Test
    void simCsrCarriesTheReportBoundToTheSpkiInTheSnpEncoding() throws Exception {
        KeepIdentity id = KeepIdentity.create(sim, CachedCollateral.none());
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(id.csr());
        Extension e = onlyExtension(csr);
        assertEquals(EvidenceOids.SIM, e.getExtnId());
        assertEquals(
                X9ObjectIdentifiers.ecdsa_with_SHA384,
                csr.getSignatureAlgorithm().getAlgorithm());
        assertEquals(
                "1.3.132.0.34",
                csr.getSubjectPublicKeyInfo().getAlgorithm().getParameters().toString(),
                "P-384");

        ASN1Sequence value = ASN1Sequence.getInstance(e.getExtnValue().getOctets());
        assertEquals(2, value.size());
        ASN1Sequence endorsements = ASN1Sequence.getInstance(value.getObjectAt(0));
        assertArrayEquals(
                sim.authority().vcek().getEncoded(),
                endorsements.getObjectAt(0).toASN1Primitive().getEncoded("DER"));
        ASN1Sequence crlList = ASN1Sequence.getInstance(endorsements.getObjectAt(1));
        assertEquals(1, crlList.size(), "CrlList wraps one SEQUENCE OF");
        assertEquals(0, ASN1Sequence.getInstance(crlList.getObjectAt(0)).size(), "the sim has no CRLs");
        byte[] report = ASN1OctetString.getInstance(value.getObjectAt(1)).getOctets();
        assertEquals(0x4A0, report.length);

        byte[] spki = csr.getSubjectPublicKeyInfo().getEncoded("DER");
        byte[] expected = Arrays.copyOf(MessageDigest.getInstance("SHA-384").digest(spki), 64);
        assertArrayEquals(
                expected, Arrays.copyOfRange(report, 0x50, 0x90), "REPORT_DATA = SHA-384(SPKI) || 16 zero bytes");
        assertArrayEquals(spki, id.keyPair().getPublic().getEncoded());
    }

    @Test
    void nilCsrHasTheEmptyKvmExtensionAndAP256Key() throws Exception {
        KeepIdentity id = KeepIdentity.create(new NilPlatform(), CachedCollateral.none());
        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(id.csr());
        Extension e = onlyExtension(csr);
        assertEquals(EvidenceOids.KVM, e.getExtnId());
        assertEquals(0, e.getExtnValue().getOctets().length);
        assertEquals(
                X9ObjectIdentifiers.ecdsa_with_SHA256,
                csr.getSignatureAlgorithm().getAlgorithm());
        assertEquals(
                X9ObjectIdentifiers.prime256v1.getId(),
                csr.getSubjectPublicKeyInfo().getAlgorithm().getParameters().toString());
    }

    private static PKCS10CertificationRequest enarxCsr(String name) throws Exception {
        Path real = Path.of(System.getProperty("donjon.shared", "../../shared"), "vectors/enarx/steward", name);
        return new PKCS10CertificationRequest(Files.readAllBytes(real));
    }

    /** Our SNP extension has the shape of the one in a real Enarx Keep CSR (vectors/enarx/steward/milan.signed.crl.csr). */
    @Test
    void snpEncodingHasTheShapeOfARealEnarxCsr() throws Exception {
        Extension theirs = onlyExtension(enarxCsr("milan.signed.crl.csr"));
        assertEquals(EvidenceOids.SNP, theirs.getExtnId());
        // re-encode their evidence through our encoder: same VCEK, same CRL list, same report -> same bytes
        ASN1Sequence v = ASN1Sequence.getInstance(theirs.getExtnValue().getOctets());
        ASN1Sequence endorsements = ASN1Sequence.getInstance(v.getObjectAt(0));
        byte[] vcek = endorsements.getObjectAt(0).toASN1Primitive().getEncoded("DER");
        byte[] crls = endorsements.getObjectAt(1).toASN1Primitive().getEncoded("DER");
        byte[] report = ASN1OctetString.getInstance(v.getObjectAt(1)).getOctets();
        CachedCollateral cached = new CachedCollateral(
                Optional.of(crls), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        Extension ours = cached.evidenceExtension(
                        new Evidence.SnpReport(Backend.SNP, report, Optional.of(vcek), java.util.List.of()))
                .toExtension();
        assertEquals(theirs, ours);
        assertArrayEquals(theirs.getEncoded("DER"), ours.getEncoded("DER"));
    }

    /** Same for SGX: quote, CRL list and TCB package of a real Enarx SGX CSR re-encode to the same extension bytes. */
    @Test
    void sgxEncodingMatchesARealEnarxCsr() throws Exception {
        PKCS10CertificationRequest enarx = enarxCsr("icelake.signed.tcb.crl.single.i5.csr");
        Extension theirs = onlyExtension(enarx);
        assertEquals(EvidenceOids.SGX, theirs.getExtnId());
        ASN1Sequence v = ASN1Sequence.getInstance(theirs.getExtnValue().getOctets());
        byte[] quote = ASN1OctetString.getInstance(v.getObjectAt(0)).getOctets();
        CachedCollateral cached = new CachedCollateral(
                Optional.empty(),
                Optional.empty(),
                Optional.of(v.getObjectAt(1).toASN1Primitive().getEncoded("DER")),
                Optional.of(v.getObjectAt(2).toASN1Primitive().getEncoded("DER")),
                Optional.empty());
        Extension ours = cached.evidenceExtension(new Evidence.IntelQuote(Backend.SGX, quote))
                .toExtension();
        assertArrayEquals(theirs.getEncoded("DER"), ours.getEncoded("DER"));
        assertEquals(
                X9ObjectIdentifiers.ecdsa_with_SHA256,
                enarx.getSignatureAlgorithm().getAlgorithm());
        // and without the cached collateral an Enarx-compatible SGX CSR cannot be made: said, not faked
        var e = assertThrows(
                dev.donjon.platform.PlatformException.class,
                () -> CachedCollateral.none()
                        .evidenceExtension(new Evidence.IntelQuote(Backend.SGX, quote))
                        .toExtension());
        assertTrue(e.getMessage().contains("no Intel CRLs cached"), e.getMessage());
    }

    @Test
    void tdxEncodingTagsOptionalCollateral() throws Exception {
        byte[] quote = {4, 0, 2, 0};
        Extension bare = CachedCollateral.none()
                .evidenceExtension(new Evidence.IntelQuote(Backend.TDX, quote))
                .toExtension();
        assertEquals(EvidenceOids.TDX, bare.getExtnId());
        ASN1Sequence v = ASN1Sequence.getInstance(bare.getExtnValue().getOctets());
        assertEquals(1, v.size());
        assertArrayEquals(quote, ASN1OctetString.getInstance(v.getObjectAt(0)).getOctets());
        byte[] tcb = new org.bouncycastle.asn1.DERSequence(new ASN1Encodable[] {
                    new org.bouncycastle.asn1.DERSequence(), new org.bouncycastle.asn1.DEROctetString("{}".getBytes())
                })
                .getEncoded();
        Extension withTcb = new CachedCollateral(
                        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(tcb))
                .evidenceExtension(new Evidence.IntelQuote(Backend.TDX, quote))
                .toExtension();
        ASN1Sequence w = ASN1Sequence.getInstance(withTcb.getExtnValue().getOctets());
        assertEquals(2, w.size());
        ASN1TaggedObject tagged = ASN1TaggedObject.getInstance(w.getObjectAt(1));
        assertEquals(1, tagged.getTagNo());
        assertArrayEquals(tcb, tagged.getExplicitBaseObject().toASN1Primitive().getEncoded());
    }

    @Test
    void snpWithoutAnyVcekIsRefusedWithTheReason() {
        var e = assertThrows(
                dev.donjon.platform.PlatformException.class,
                () -> CachedCollateral.none()
                        .evidenceExtension(new Evidence.SnpReport(
                                Backend.SNP, new byte[0x4A0], Optional.empty(), java.util.List.of()))
                        .toExtension());
        assertTrue(e.getMessage().startsWith("the host supplied no VCEK"), e.getMessage());
    }

    @Test
    void deploymentBindingIsLabelledLengthPrefixedSha512() throws Exception {
        byte[] pk = KeepIdentity.newKeyPair(Backend.SIM).getPublic().getEncoded();
        byte[] nonce = new byte[32];
        new java.security.SecureRandom().nextBytes(nonce);
        java.io.ByteArrayOutputStream in = new java.io.ByteArrayOutputStream();
        in.write("donjon-deploy-binding-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        in.write(pk.length >>> 8);
        in.write(pk.length & 0xFF);
        in.write(pk);
        in.write(0);
        in.write(32);
        in.write(nonce);
        byte[] expected = MessageDigest.getInstance("SHA-512").digest(in.toByteArray());
        assertArrayEquals(expected, ReportData.forDeployment(pk, nonce));
        byte[] otherNonce = nonce.clone();
        otherNonce[0] ^= 1;
        assertFalse(Arrays.equals(expected, ReportData.forDeployment(pk, otherNonce)));
        assertFalse(Arrays.equals(ReportData.ofPublicKey(Backend.SIM.reportDataHash(), pk), expected));
        assertThrows(IllegalArgumentException.class, () -> ReportData.forDeployment(pk, new byte[8]));

        Evidence.SnpReport e =
                assertInstanceOf(Evidence.SnpReport.class, KeepIdentity.attestKeyForNonce(sim, pk, nonce));
        assertArrayEquals(expected, Arrays.copyOfRange(e.report(), 0x50, 0x90));
    }

    @Test
    void keyMaterialNeverPrinted() throws Exception {
        KeepIdentity id = KeepIdentity.create(new NilPlatform(), CachedCollateral.none());
        String s = id.toString();
        assertFalse(s.contains(
                java.util.HexFormat.of().formatHex(id.keyPair().getPrivate().getEncoded())));
        assertTrue(s.startsWith("KeepIdentity[nil"), s);
    }
}
