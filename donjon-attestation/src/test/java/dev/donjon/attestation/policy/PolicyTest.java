package dev.donjon.attestation.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.TcbStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Policy rules with facts built directly; the Enarx keys as steward.toml uses them. */
class PolicyTest {

    static final String SNP_MEASUREMENT =
            "ff717ae719840c93c1fca3b7db96488454c3c21b43531488eecff51cfed3febcd91da8be87a4cbcbc52a3bae770987c3";
    static final String SNP_AUTHOR =
            "7dc22240a8344fce6ba5f22ffbedabc52d4123ae0ba1c59796e521b953916b503f223b15c4429e7d8c5489ad71f1e193";
    static final String SNP_ID_KEY =
            "d71a4d1da440d515cd69fbb1314acf4221726e82768a8bf6e4a4063ed542ac78349c8145b4666a4242a91a374387b473";
    static final String SGX_SIGNER = "7a49a07df0f8e90a6e1d9a63e3c696d9c844f0e3f8739b21daa640f99facc48a";
    static final String SGX_HASH = "4046ea255f0455131a024e1265ac1ebd131fdbd1240f1712a00381f6f04e8c15";
    static final List<String> I5_ADVISORIES = List.of(
            "INTEL-SA-00381",
            "INTEL-SA-00389",
            "INTEL-SA-00477",
            "INTEL-SA-00289",
            "INTEL-SA-00614",
            "INTEL-SA-00617",
            "INTEL-SA-00615",
            "INTEL-SA-00657");

    static String stewardToml() throws Exception {
        return Files.readString(
                Path.of(System.getProperty("donjon.shared", "../../shared"), "vectors/enarx/steward/steward.toml"));
    }

    /** An SNP guest like the Enarx Milan CSR's: ABI 1.51, flags SMT + reserved, SME, VMPL 0. */
    static PolicyFacts.Snp snp(long extraPolicy, String author, String idKey) {
        long policy = (1L << 8) | 51 | SnpGuestPolicy.SMT.mask() | SnpGuestPolicy.RESERVED.mask() | extraPolicy;
        return new PolicyFacts.Snp(
                SNP_MEASUREMENT,
                "00".repeat(32),
                idKey,
                author,
                true,
                policy,
                1,
                0,
                new PolicyFacts.SnpTcb(3, 0, 8, 115, 0));
    }

    static PolicyFacts.Sgx sgx(long attributes, int isvSvn) {
        return new PolicyFacts.Sgx(SGX_HASH, SGX_SIGNER, 0, isvSvn, attributes, 0);
    }

    static PolicyFacts.Tdx tdx(long attributes, String svn) {
        return new PolicyFacts.Tdx("aa".repeat(48), "00".repeat(48), svn, attributes);
    }

    static String rejectedRule(PolicyDecision d) {
        return assertInstanceOf(PolicyDecision.Reject.class, d).rule();
    }

    @Test
    void stewardTomlLoadsWithEnarxMeaning() throws Exception {
        Policy p = PolicyToml.parse(stewardToml());
        SnpRules snp = p.snp().orElseThrow();
        assertEquals(java.util.Set.of(SNP_MEASUREMENT), snp.hash());
        assertEquals(java.util.Set.of(SNP_AUTHOR), snp.signer());
        assertEquals(">=1.51", snp.abi().orElseThrow().text());
        assertEquals(SnpGuestPolicy.SMT.mask(), snp.allowedPolicyFlags().getAsLong());
        assertEquals(1, snp.platformInfoFlags().getAsLong());
        SgxRules sgx = p.sgx().orElseThrow();
        assertEquals(0, sgx.enclaveSecurityVersion().getAsInt());
        assertEquals(0, sgx.enclaveProductId().getAsInt());
        assertEquals(9, sgx.tcb().allowedAdvisories().size());
        // Debug, ProvisioningKey, EInitKey, KSS + the always-expected INIT and MODE64BIT
        assertEquals(0b1011_0111L, sgx.allowedFeatures().getAsLong());
        assertTrue(p.tdx().isEmpty());
    }

    @Test
    void snpCannedCsrValuesAreAccepted() throws Exception {
        Policy p = PolicyToml.parse(stewardToml());
        assertTrue(p.evaluate(snp(0, SNP_AUTHOR, SNP_ID_KEY), Optional.empty(), List.of())
                .accepted());
    }

    @Test
    void snpRejectionsOfTheStewardTests() throws Exception {
        String base = stewardToml();
        String otherSigner = "e368c18e" + "00".repeat(44);
        Policy signer = PolicyToml.parse(base.replace(SNP_AUTHOR, otherSigner)
                .replace("policy_flags = [\"SMT\"]", "policy_flags = [\"SingleSocket\", \"Debug\"]"));
        // refused twice over: the SMT guest breaks policy_flags before the signer is looked at
        assertEquals(
                "snp.policy_flags",
                rejectedRule(signer.evaluate(snp(0, SNP_AUTHOR, SNP_ID_KEY), Optional.empty(), List.of())));
        Policy signerOnly = PolicyToml.parse(base.replace(SNP_AUTHOR, otherSigner));
        assertEquals(
                "snp.signer",
                rejectedRule(signerOnly.evaluate(snp(0, SNP_AUTHOR, SNP_ID_KEY), Optional.empty(), List.of())));
        Policy abi = PolicyToml.parse(base.replace("abi = \">=1.51\"", "abi = \">254.0\""));
        assertEquals(
                "snp.abi", rejectedRule(abi.evaluate(snp(0, SNP_AUTHOR, SNP_ID_KEY), Optional.empty(), List.of())));
        Policy deny =
                PolicyToml.parse(base.replace("abi =", "id_key_digest_blacklist = [\"" + SNP_ID_KEY + "\"]\nabi ="));
        var d = deny.evaluate(snp(0, SNP_AUTHOR, SNP_ID_KEY), Optional.empty(), List.of());
        assertEquals("snp.id_key_digest_blacklist", rejectedRule(d));
        assertEquals(RejectReason.POLICY, ((PolicyDecision.Reject) d).reason());
    }

    @Test
    void snpDebugAndMigrationAgentRefusedUnlessAllowed() throws Exception {
        Policy strict = PolicyToml.parse("[snp]\nhash = [\"" + SNP_MEASUREMENT + "\"]\n");
        assertEquals(
                "snp.allow_debug",
                rejectedRule(strict.evaluate(
                        snp(SnpGuestPolicy.DEBUG.mask(), SNP_AUTHOR, SNP_ID_KEY), Optional.empty(), List.of())));
        assertEquals(
                "snp.allow_migration_agent",
                rejectedRule(strict.evaluate(
                        snp(SnpGuestPolicy.MIGRATE_MA.mask(), SNP_AUTHOR, SNP_ID_KEY), Optional.empty(), List.of())));
        Policy loose = PolicyToml.parse("[snp]\nhash = [\"" + SNP_MEASUREMENT + "\"]\nallow_debug = true\n");
        var d = loose.evaluate(snp(SnpGuestPolicy.DEBUG.mask(), SNP_AUTHOR, SNP_ID_KEY), Optional.empty(), List.of());
        assertTrue(d.accepted());
        assertFalse(((PolicyDecision.Accept) d).notes().isEmpty(), "a debug guest is accepted loudly");
    }

    @Test
    void snpPolicyFlagsAndMinimumTcb() throws Exception {
        Policy noSmt =
                PolicyToml.parse("[snp]\nhash = [\"" + SNP_MEASUREMENT + "\"]\npolicy_flags = [\"SingleSocket\"]\n");
        assertEquals(
                "snp.policy_flags",
                rejectedRule(noSmt.evaluate(snp(0, SNP_AUTHOR, SNP_ID_KEY), Optional.empty(), List.of())));
        Policy tcb = PolicyToml.parse("[snp]\nhash = [\"" + SNP_MEASUREMENT
                + "\"]\nmin_tcb = { bootloader = 3, snp = 8, microcode = 116 }\n");
        assertEquals(
                "snp.min_tcb", rejectedRule(tcb.evaluate(snp(0, SNP_AUTHOR, SNP_ID_KEY), Optional.empty(), List.of())));
        Policy tcbOk = PolicyToml.parse("[snp]\nhash = [\"" + SNP_MEASUREMENT
                + "\"]\nmin_tcb = { bootloader = 3, snp = 8, microcode = 115 }\n");
        assertTrue(tcbOk.evaluate(snp(0, SNP_AUTHOR, SNP_ID_KEY), Optional.empty(), List.of())
                .accepted());
    }

    @Test
    void sgxCannedCsrValuesAndTheStewardRejections() throws Exception {
        String base = stewardToml();
        var outOfDate = Optional.of(TcbStatus.OUT_OF_DATE);
        // the i5 CSR's enclave is a debug enclave in Enarx's tests; "Debug" in features allows it, as in Enarx
        PolicyFacts.Sgx i5 =
                sgx(SgxAttribute.INIT.mask() | SgxAttribute.MODE64BIT.mask() | SgxAttribute.DEBUG.mask(), 0);
        assertTrue(PolicyToml.parse(base).evaluate(i5, outOfDate, I5_ADVISORIES).accepted());

        Policy signer = PolicyToml.parse(
                base.replace(SGX_SIGNER, "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"));
        var d = assertInstanceOf(PolicyDecision.Reject.class, signer.evaluate(i5, outOfDate, I5_ADVISORIES));
        assertEquals("policy sgx.signer: untrusted enarx signer " + SGX_SIGNER, d.message());

        Policy svn = PolicyToml.parse(base.replace("enclave_security_version = 0", "enclave_security_version = 9999"));
        assertEquals("sgx.enclave_security_version", rejectedRule(svn.evaluate(i5, outOfDate, I5_ADVISORIES)));

        Policy bogus = PolicyToml.parse(
                base.replaceAll("allowed_advisories = \\[.*]", "allowed_advisories = [\"bogus-1234\"]"));
        var b = assertInstanceOf(PolicyDecision.Reject.class, bogus.evaluate(i5, outOfDate, I5_ADVISORIES));
        assertTrue(b.detail().startsWith("TCB has additional advisories"), b.detail());
    }

    @Test
    void sgxWithoutAdvisoriesNeedsUpToDateAndDebugIsRefusedByDefault() throws Exception {
        Policy p = PolicyToml.parse("[sgx]\nsigner = [\"" + SGX_SIGNER + "\"]\n");
        PolicyFacts.Sgx prod = sgx(SgxAttribute.INIT.mask() | SgxAttribute.MODE64BIT.mask(), 1);
        assertTrue(
                p.evaluate(prod, Optional.of(TcbStatus.UP_TO_DATE), List.of()).accepted());
        assertEquals(
                "sgx.allowed_advisories",
                rejectedRule(p.evaluate(prod, Optional.of(TcbStatus.SW_HARDENING_NEEDED), List.of("INTEL-SA-00615"))));
        assertEquals("sgx.tcb_statuses", rejectedRule(p.evaluate(prod, Optional.empty(), List.of())));
        assertEquals(
                "sgx.allow_debug",
                rejectedRule(p.evaluate(
                        sgx(prod.attributes() | SgxAttribute.DEBUG.mask(), 1),
                        Optional.of(TcbStatus.UP_TO_DATE),
                        List.of())));
    }

    @Test
    void tdxSection() throws Exception {
        Policy p = PolicyToml.parse("""
                [tdx]
                hash = ["%s"]
                min_tee_tcb_svn = "03000500000000000000000000000000"
                tcb_statuses = ["UpToDate", "SWHardeningNeeded"]
                allowed_advisories = ["INTEL-SA-00837"]
                """.formatted("AA".repeat(48)));
        String svn = "03000600000000000000000000000000";
        assertTrue(p.evaluate(tdx(0, svn), Optional.of(TcbStatus.SW_HARDENING_NEEDED), List.of("INTEL-SA-00837"))
                .accepted());
        assertEquals(
                "tdx.tcb_statuses",
                rejectedRule(p.evaluate(tdx(0, svn), Optional.of(TcbStatus.OUT_OF_DATE), List.of())));
        assertEquals(
                "tdx.min_tee_tcb_svn",
                rejectedRule(p.evaluate(
                        tdx(0, "03000400000000000000000000000000"), Optional.of(TcbStatus.UP_TO_DATE), List.of())));
        assertEquals(
                "tdx.allow_debug", rejectedRule(p.evaluate(tdx(1, svn), Optional.of(TcbStatus.UP_TO_DATE), List.of())));
        assertEquals(
                "tdx.hash",
                rejectedRule(p.evaluate(
                        new PolicyFacts.Tdx("bb".repeat(48), "00".repeat(48), svn, 0),
                        Optional.of(TcbStatus.UP_TO_DATE),
                        List.of())));
    }

    @Test
    void evidenceOfATeeWithoutSectionIsRefused() throws Exception {
        Policy p = PolicyToml.parse("[sgx]\nsigner = [\"" + SGX_SIGNER + "\"]\n");
        assertEquals("snp", rejectedRule(p.evaluate(snp(0, SNP_AUTHOR, SNP_ID_KEY), Optional.empty(), List.of())));
    }

    @Test
    void badPoliciesNameTheKey() {
        var unknown = assertThrows(
                PolicyToml.PolicyException.class,
                () -> PolicyToml.parse("[snp]\nhash = [\"" + SNP_MEASUREMENT + "\"]\nmeasurment = 1\n"));
        assertEquals("snp.measurment: unknown key", unknown.getMessage());
        var shortDigest =
                assertThrows(PolicyToml.PolicyException.class, () -> PolicyToml.parse("[sgx]\nsigner = [\"abcd\"]\n"));
        assertEquals("sgx.signer: expected 32 bytes of hex, got 2", shortDigest.getMessage());
        assertThrows(PolicyToml.PolicyException.class, () -> PolicyToml.parse("[snp]\nabi = \">=1.0\"\n"));
        assertThrows(
                PolicyToml.PolicyException.class,
                () -> PolicyToml.parse("[snp]\nhash = [\"" + SNP_MEASUREMENT + "\"]\nhash_blacklist = [\""
                        + SNP_MEASUREMENT + "\"]\n"));
        assertThrows(PolicyToml.PolicyException.class, () -> PolicyToml.parse("[snp\n"));
        assertThrows(PolicyToml.PolicyException.class, () -> PolicyToml.parse(""));
        assertThrows(
                PolicyToml.PolicyException.class,
                () -> PolicyToml.parse("[sgx]\nsigner = [\"" + SGX_SIGNER + "\"]\ntcb_statuses = [\"Fine\"]\n"));
    }

    @Test
    void theFuzzSeedsAreValidPolicies() throws Exception {
        // so that fuzzing starts from policies that reach every key's checks, not from the first error
        Path seeds = Path.of(
                PolicyTest.class.getResource("PolicyFuzzTestInputs/policyToml").toURI());
        try (var files = Files.list(seeds)) {
            List<Path> toml = files.filter(f -> f.getFileName().toString().startsWith("seed-"))
                    .toList();
            assertEquals(3, toml.size(), toml::toString);
            for (Path f : toml)
                assertFalse(
                        PolicyToml.read(f).snp().isEmpty()
                                && PolicyToml.read(f).sgx().isEmpty()
                                && PolicyToml.read(f).tdx().isEmpty(),
                        f::toString);
        }
    }

    @Test
    void aPolicyFileThatIsNotUtf8IsAPolicyError() throws Exception {
        // fuzzing found this one: it came out as "cannot read policy" (an I/O error) rather than the policy error it is
        Path file = Files.createTempFile("policy", ".toml");
        try {
            Files.write(file, new byte[] {'[', 's', 'n', 'p', ']', '\n', '#', ' ', (byte) 0xC3, '\n'});
            var e = assertThrows(PolicyToml.PolicyException.class, () -> PolicyToml.read(file));
            assertEquals(file + ": not UTF-8 text (a TOML file must be UTF-8)", e.getMessage());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void integersBeyond64BitsAreOutOfRangeNotTruncated() {
        // 2^64 + 1: its low 64 bits are 1, a valid VMPL
        var e = assertThrows(
                PolicyToml.PolicyException.class,
                () -> PolicyToml.parse("[snp]\nhash = [\"" + SNP_MEASUREMENT + "\"]\nvmpl = 18446744073709551617\n"));
        assertEquals("snp.vmpl: expected an integer from 0 to 3", e.getMessage());
    }

    @Test
    void quotedKeysAndValuesStayOnOneLineInErrors() {
        // fuzzing found this one: a TOML escape put a control character into the quoted value of the error message
        var value = assertThrows(
                PolicyToml.PolicyException.class, () -> PolicyToml.parse("[snp]\nhash = [\"ab\\u001b[2J\\ncd\"]\n"));
        assertEquals("snp.hash: invalid hex 'ab\\u001b[2J\\ncd'", value.getMessage());
        var key = assertThrows(
                PolicyToml.PolicyException.class,
                () -> PolicyToml.parse("[snp]\nhash = [\"" + SNP_MEASUREMENT + "\"]\n\"a\\r\\tb\" = 1\n"));
        assertEquals("snp.a\\r\\tb: unknown key", key.getMessage());
    }
}
