package dev.donjon.steward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.donjon.attestation.policy.Policy;
import dev.donjon.attestation.policy.PolicyToml;
import dev.donjon.attestation.policy.PolicyToml.PolicyException;
import dev.donjon.common.OneLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Steward's policy file: Enarx's steward.toml ({@code [snp]}, {@code [sgx]}) plus {@code [tdx]} and {@code [sim]},
 * read by donjon-attestation's {@link PolicyToml}. {@code [sim]} (the simulated TEE; without it sim Keeps are refused)
 * takes the {@code [snp]} keys and one Steward key, {@code chain}: the PEM file of the sim ASK + ARK to trust (the
 * sim backend's {@code sim-chain.pem}); a relative path is resolved against the policy file's directory.
 *
 * @param simChain the sim ASK + ARK, present exactly when [sim] is
 */
public record StewardPolicy(Policy policy, Optional<byte[]> simChain) {

    private static final TomlMapper TOML = new TomlMapper();

    public static StewardPolicy read(Path file) throws IOException {
        String text = PolicyToml.readText(file);
        try {
            return parse(text, file.toAbsolutePath().getParent());
        } catch (PolicyException e) {
            throw new PolicyException(file + ": " + e.getMessage());
        }
    }

    /** @param base directory that a relative [sim].chain is resolved against */
    public static StewardPolicy parse(String text, Path base) throws PolicyException {
        ObjectNode root;
        try {
            JsonNode n = TOML.readTree(text);
            root = n instanceof ObjectNode o ? o : TOML.createObjectNode();
        } catch (IOException e) {
            String m = e.getMessage() == null
                    ? "syntax error"
                    : e.getMessage().lines().findFirst().orElse("syntax error");
            throw new PolicyException("invalid TOML: " + m);
        }
        Optional<byte[]> simChain = Optional.empty();
        if (root.get("sim") instanceof ObjectNode sim) {
            JsonNode chain = sim.remove("chain");
            if (chain == null || !chain.isTextual()) {
                throw new PolicyException(
                        "sim.chain: the PEM file of the sim ASK + ARK to trust (sim-chain.pem) must be given");
            }
            simChain = Optional.of(readChain(base, chain.asText()));
        }
        try {
            return new StewardPolicy(PolicyToml.parse(TOML.writeValueAsString(root)), simChain);
        } catch (PolicyException e) {
            throw e;
        } catch (IOException e) {
            throw new PolicyException(OneLine.of(e));
        }
    }

    /** A PEM bundle of two certificates is a few KB; more means the wrong file (or a device that never ends). */
    static final long MAX_CHAIN_BYTES = 1 << 20;

    private static byte[] readChain(Path base, String name) throws PolicyException {
        Path pem;
        try {
            pem = base.resolve(name);
        } catch (InvalidPathException e) {
            throw new PolicyException("sim.chain: not a valid path: " + e.getReason());
        }
        try {
            // a regular file only: /dev/zero or a FIFO would fill the heap or block the Steward's start
            if (Files.exists(pem) && !Files.isRegularFile(pem))
                throw new PolicyException("sim.chain: " + pem + " is not a regular file");
            if (Files.size(pem) > MAX_CHAIN_BYTES) {
                throw new PolicyException("sim.chain: " + pem + " is larger than " + MAX_CHAIN_BYTES + " bytes");
            }
            return Files.readAllBytes(pem);
        } catch (PolicyException e) {
            throw e;
        } catch (IOException e) {
            throw new PolicyException("sim.chain: cannot read " + pem);
        }
    }
}
