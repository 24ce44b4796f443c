package dev.donjon.abi.csr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.Vectors;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both directions of the evidence extension, the Keep CSR and Donjon's own extensions, against Enarx's own CSRs. */
class EvidenceExtensionTest {

    /** Enarx's Steward test CSRs (an SNP one with CRLs, an SGX one with CRLs and a TCB package): read and re-encoded byte for byte. */
    @ParameterizedTest
    @ValueSource(strings = {"enarx/steward/milan.signed.crl.csr", "enarx/steward/icelake.signed.tcb.crl.single.i5.csr"})
    void enarxEvidenceReencodesToItsOwnBytes(String vector) throws Exception {
        KeepCsr csr = KeepCsr.parse(Vectors.read(vector), Set.copyOf(EvidenceExtension.OIDS), any -> true);
        Extension ext = csr.attestation().orElseThrow();
        EvidenceExtension evidence = EvidenceExtension.parse(ext);
        assertArrayEquals(ext.getExtnValue().getOctets(), evidence.value(), vector);
        assertEquals(ext.getExtnId(), evidence.oid());
        List<EvidenceExtension.Crl> crls = switch (evidence) {
            case EvidenceExtension.Snp snp -> snp.crls();
            case EvidenceExtension.Sgx sgx -> sgx.crls();
            default -> throw new AssertionError(evidence);
        };
        assertTrue(
                !crls.isEmpty()
                        && crls.stream().allMatch(c -> c.url().orElseThrow().startsWith("http")),
                vector);
    }

    @Test
    void everyKindParsesBackFromWhatItWrites() throws Exception {
        byte[] cert = Vectors.read("snp/go-sev-guest/vcek.testcer");
        byte[] crl = ((EvidenceExtension.Snp) EvidenceExtension.parse(KeepCsr.parse(
                                Vectors.read("enarx/steward/milan.signed.crl.csr"),
                                Set.of(EvidenceOids.SNP),
                                any -> true)
                        .attestation()
                        .orElseThrow()))
                .crls()
                .get(0)
                .der();
        var crls = List.of(new EvidenceExtension.Crl(Optional.of("https://example/crl"), crl));
        var tcb = new EvidenceExtension.TcbPackage(List.of(cert, cert), new byte[] {'{', '}'});
        List<EvidenceExtension> kinds = List.of(
                new EvidenceExtension.Kvm(),
                new EvidenceExtension.Snp(false, cert, crls, new byte[1184]),
                new EvidenceExtension.Snp(true, cert, List.of(), new byte[1184]),
                new EvidenceExtension.Sgx(new byte[] {1, 2}, crls, tcb),
                new EvidenceExtension.Tdx(new byte[] {3}, Optional.empty(), Optional.empty()),
                new EvidenceExtension.Tdx(new byte[] {3}, Optional.of(crls), Optional.of(tcb)));
        for (EvidenceExtension e : kinds) {
            EvidenceExtension back = EvidenceExtension.parse(e.toExtension());
            assertEquals(e.getClass(), back.getClass());
            assertArrayEquals(e.value(), back.value(), e.getClass().getSimpleName());
        }
        assertEquals(EvidenceOids.SIM, kinds.get(2).oid());
        assertArrayEquals(
                crl,
                ((EvidenceExtension.Sgx) EvidenceExtension.parse(kinds.get(3).toExtension()))
                        .crls()
                        .get(0)
                        .der());
    }

    @Test
    void malformedEvidenceIsRefusedWithOneLine() {
        FormatException e = assertThrows(
                FormatException.class,
                () -> EvidenceExtension.parse(new Extension(EvidenceOids.SNP, false, new byte[] {0x30, 0x00})));
        assertEquals("SNP evidence must hold endorsements and a report", e.getMessage());
        e = assertThrows(
                FormatException.class,
                () -> EvidenceExtension.parse(new Extension(EvidenceOids.SGX, false, new byte[] {0x04, 0x00})));
        assertEquals("evidence extension is not a SEQUENCE", e.getMessage());
        e = assertThrows(
                FormatException.class,
                () -> EvidenceExtension.parse(new Extension(new ASN1ObjectIdentifier("1.2.3"), false, new byte[0])));
        assertEquals("extension 1.2.3 is not an evidence extension", e.getMessage());
    }

    @Test
    void keepCsrsCarryEvidenceAndWorkloadAndRefuseWhatAStewardMustNotRead() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair keys = g.generateKeyPair();
        WorkloadIdentity workload =
                WorkloadIdentity.ofModule(Optional.of("alice/hello:1.0.0"), new byte[] {0, 'a', 's', 'm'});
        byte[] der = KeepCsr.build(keys, new EvidenceExtension.Kvm().toExtension(), workload.toExtension());
        KeepCsr csr = KeepCsr.parse(der, Set.copyOf(EvidenceExtension.OIDS), any -> true);
        assertEquals(EvidenceOids.KVM, csr.attestation().orElseThrow().getExtnId());
        assertEquals(workload.slug(), csr.workload().orElseThrow().slug());
        assertEquals(
                workload.digest().orElseThrow().toString(),
                csr.workload().orElseThrow().digest().orElseThrow().toString());
        assertEquals("SHA384withECDSA", KeepCsr.signatureAlgorithm(keys.getPublic()));
        assertEquals(
                "CSR signature does not verify with its own public key",
                assertThrows(FormatException.class, () -> KeepCsr.parse(der, Set.of(), any -> false))
                        .getMessage());
        byte[] trailing = java.util.Arrays.copyOf(der, der.length + 1);
        assertEquals(
                "not a DER PKCS#10 certification request",
                assertThrows(FormatException.class, () -> KeepCsr.parse(trailing, Set.of(), any -> true))
                        .getMessage());
        byte[] two = KeepCsr.build(
                keys, new EvidenceExtension.Kvm().toExtension(), new Extension(EvidenceOids.SIM, false, new byte[0]));
        assertInstanceOf(
                FormatException.class,
                assertThrows(
                        Exception.class, () -> KeepCsr.parse(two, Set.copyOf(EvidenceExtension.OIDS), any -> true)));
        assertEquals(
                1,
                Extensions.getInstance(new PKCS10CertificationRequest(der)
                                        .getAttributes()[0]
                                        .getAttrValues()
                                        .getObjectAt(0))
                                .getExtensionOIDs()
                                .length
                        - 1);
    }

    @Test
    void claimsRoundTrip() {
        var claims = new ClaimsExtension(
                "snp",
                new byte[48],
                false,
                Optional.of(new byte[48]),
                Optional.of("UpToDate"),
                List.of("INTEL-SA-00615"),
                Optional.of(WorkloadIdentity.ofSlug("alice/hello:1.0.0")));
        ClaimsExtension back = ClaimsExtension.fromAsn1(claims.toAsn1());
        assertEquals(claims.tee(), back.tee());
        assertEquals(claims.tcbStatus(), back.tcbStatus());
        assertEquals(claims.advisories(), back.advisories());
        assertEquals(
                claims.workload().orElseThrow().slug(),
                back.workload().orElseThrow().slug());
    }

    /** A host's cache files (crls.der, tcb.der) are the pieces of the CSR, byte for byte: written from Enarx's own SGX CSR, read back. */
    @Test
    void hostCollateralFilesAreThePiecesOfTheCsr() throws Exception {
        Extension ext = KeepCsr.parse(
                        Vectors.read("enarx/steward/icelake.signed.tcb.crl.single.i5.csr"),
                        Set.of(EvidenceOids.SGX),
                        any -> true)
                .attestation()
                .orElseThrow();
        EvidenceExtension.Sgx sgx = (EvidenceExtension.Sgx) EvidenceExtension.parse(ext);
        byte[] crls = EvidenceExtension.encodeCrlList(sgx.crls());
        byte[] tcb = EvidenceExtension.encodeTcbPackage(sgx.tcb());
        byte[] value = ext.getExtnValue().getOctets();
        assertTrue(contains(value, crls) && contains(value, tcb), "the files are the CSR's own DER");
        List<EvidenceExtension.Crl> crlsBack = EvidenceExtension.parseCrlList(crls);
        assertEquals(sgx.crls().size(), crlsBack.size());
        for (int i = 0; i < crlsBack.size(); i++) {
            assertEquals(sgx.crls().get(i).url(), crlsBack.get(i).url());
            assertArrayEquals(sgx.crls().get(i).der(), crlsBack.get(i).der());
        }
        EvidenceExtension.TcbPackage tcbBack = EvidenceExtension.parseTcbPackage(tcb, "SGX");
        assertArrayEquals(sgx.tcb().tcbInfo(), tcbBack.tcbInfo());
        assertEquals(sgx.tcb().issuerChain().size(), tcbBack.issuerChain().size());
        assertArrayEquals(value, new EvidenceExtension.Sgx(sgx.quote(), crlsBack, tcbBack).value());
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return true;
        }
        return false;
    }
}
