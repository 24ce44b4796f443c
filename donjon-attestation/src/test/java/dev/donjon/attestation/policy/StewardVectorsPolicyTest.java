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
        var endorsements = new Endorsements(Optional.empty(), Optional.empty(),
                Optional.of(Files.readAllBytes(VECTORS.resolve("amd/milan/ask_ark.pem"))), List.of(), Optional.empty(), Optional.empty());
        var input = new EvidenceInput(Tee.SNP, Container.ENARX_CSR,
                Files.readAllBytes(VECTORS.resolve("enarx/steward/milan.signed.crl.csr")), endorsements);
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
        assertEquals("snp.abi", assertInstanceOf(PolicyDecision.Reject.class, abi.evaluate(verified)).rule());
        var deny = PolicyToml.parse(toml.replace("abi =", "id_key_digest_blacklist = [\"" + PolicyTest.SNP_ID_KEY + "\"]\nabi ="));
        assertEquals("snp.id_key_digest_blacklist", assertInstanceOf(PolicyDecision.Reject.class, deny.evaluate(verified)).rule());
    }
}
