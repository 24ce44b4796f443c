package dev.donjon.attestation.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.VerificationResult;
import dev.donjon.attestation.Verifiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The upstream steward tests that need a policy: real Enarx keep CSRs, verified, then judged by steward.toml. */
class StewardVectorsPolicyTest {

    static final Path VECTORS = Path.of(System.getProperty("donjon.shared", "../../shared"), "vectors");

    static VerificationResult.Accepted verifiedSnpCsr() throws Exception {
        var endorsements = new Endorsements(
                Optional.empty(),
                Optional.empty(),
                Optional.of(Files.readAllBytes(VECTORS.resolve("amd/milan/ask_ark.pem"))),
                List.of(),
                Optional.empty(),
                Optional.empty());
        var input = new EvidenceInput(
                Tee.SNP,
                Container.ENARX_CSR,
                Files.readAllBytes(VECTORS.resolve("enarx/steward/milan.signed.crl.csr")),
                endorsements);
        var result = Verifiers.load().forTee(Tee.SNP).verify(input, Instant.parse("2023-01-15T00:00:00Z"));
        return assertInstanceOf(VerificationResult.Accepted.class, result, result.toString());
    }

    @Test
    void snpCannedCsrIsAcceptedByStewardToml() throws Exception {
        Policy policy = PolicyToml.read(VECTORS.resolve("enarx/steward/steward.toml"));
        PolicyDecision d = policy.evaluate(verifiedSnpCsr());
        assertTrue(d.accepted(), d.toString());
    }

    @Test
    void snpCannedCsrRejectionsOfTheStewardTests() throws Exception {
        String toml = Files.readString(VECTORS.resolve("enarx/steward/steward.toml"));
        var verified = verifiedSnpCsr();
        String signer = "e368c18e" + "00".repeat(44);
        var badSigner = PolicyToml.parse(toml.replace(PolicyTest.SNP_AUTHOR, signer)
                .replace("policy_flags = [\"SMT\"]", "policy_flags = [\"SingleSocket\", \"Debug\"]"));
        assertInstanceOf(PolicyDecision.Reject.class, badSigner.evaluate(verified));
        var abi = PolicyToml.parse(toml.replace("abi = \">=1.51\"", "abi = \">254.0\""));
        assertEquals(
                "snp.abi",
                assertInstanceOf(PolicyDecision.Reject.class, abi.evaluate(verified))
                        .rule());
        var deny = PolicyToml.parse(
                toml.replace("abi =", "id_key_digest_blacklist = [\"" + PolicyTest.SNP_ID_KEY + "\"]\nabi ="));
        assertEquals(
                "snp.id_key_digest_blacklist",
                assertInstanceOf(PolicyDecision.Reject.class, deny.evaluate(verified))
                        .rule());
    }

    static VerificationResult.Accepted verifiedSgxCsr() throws Exception {
        var endorsements = new Endorsements(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.empty(),
                Optional.of(Files.readAllBytes(VECTORS.resolve("intel/Intel_SGX_Root_CA.der"))));
        var input = new EvidenceInput(
                Tee.SGX,
                Container.ENARX_CSR,
                Files.readAllBytes(VECTORS.resolve("enarx/steward/icelake.signed.tcb.crl.single.i5.csr")),
                endorsements);
        var result = Verifiers.load().forTee(Tee.SGX).verify(input, Instant.parse("2023-02-01T00:00:00Z"));
        return assertInstanceOf(VerificationResult.Accepted.class, result, result.toString());
    }

    @Test
    void sgxCannedCsrIsAcceptedByStewardToml() throws Exception {
        Policy policy = PolicyToml.read(VECTORS.resolve("enarx/steward/steward.toml"));
        PolicyDecision d = policy.evaluate(verifiedSgxCsr());
        assertTrue(d.accepted(), d.toString());
    }

    @Test
    void sgxCannedCsrRejectionsOfTheStewardTests() throws Exception {
        String toml = Files.readString(VECTORS.resolve("enarx/steward/steward.toml"));
        var verified = verifiedSgxCsr();
        var signer = PolicyToml.parse(toml.replace(
                PolicyTest.SGX_SIGNER, "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"));
        var s = assertInstanceOf(PolicyDecision.Reject.class, signer.evaluate(verified));
        assertEquals("policy sgx.signer: untrusted enarx signer " + PolicyTest.SGX_SIGNER, s.message());
        var svn = PolicyToml.parse(toml.replace("enclave_security_version = 0", "enclave_security_version = 9999"));
        var v = assertInstanceOf(PolicyDecision.Reject.class, svn.evaluate(verified));
        assertTrue(v.detail().startsWith("untrusted enclave security version"), v.detail());
        var bogus = PolicyToml.parse(
                toml.replaceAll("allowed_advisories = \\[.*]", "allowed_advisories = [\"bogus-1234\"]"));
        var b = assertInstanceOf(PolicyDecision.Reject.class, bogus.evaluate(verified));
        assertTrue(b.detail().startsWith("TCB has additional advisories"), b.detail());
    }
}
