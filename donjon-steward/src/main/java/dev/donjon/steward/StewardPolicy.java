package dev.donjon.steward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.donjon.attestation.policy.Policy;
import dev.donjon.attestation.policy.PolicyToml;
import dev.donjon.attestation.policy.PolicyToml.PolicyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Steward's policy file: Enarx's steward.toml ({@code [snp]}, {@code [sgx]}) plus {@code [tdx]}, read by
 * donjon-attestation's {@link PolicyToml}, and Donjon's {@code [sim]}: the simulated TEE, accepted only when this
 * section is present. {@code [sim]} takes the {@code [snp]} keys (sim evidence has the SEV-SNP report layout) and
 * {@code root}, the PEM file of the sim ASK + ARK to trust; nothing trusts a sim root otherwise.
 *
 * @param hardware the [snp]/[sgx]/[tdx] sections
 * @param sim      the rules for sim evidence, when [sim] is present
 * @param simRoot  the sim ASK + ARK (PEM) named by [sim].root
 */
public record StewardPolicy(Policy hardware, Optional<Policy> sim, Optional<byte[]> simRoot) {

    private static final TomlMapper TOML = new TomlMapper();

    public static StewardPolicy read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IOException("cannot read policy " + file + ": " + e.getClass().getSimpleName(), e);
        }
        try {
            return parse(text, file.toAbsolutePath().getParent());
        } catch (PolicyException e) {
            throw new PolicyException(file + ": " + e.getMessage());
        }
    }

    /** @param base directory that a relative [sim].root is resolved against */
    public static StewardPolicy parse(String text, Path base) throws PolicyException {
        ObjectNode root;
        try {
            JsonNode n = TOML.readTree(text);
            root = n instanceof ObjectNode o ? o : TOML.createObjectNode();
        } catch (IOException e) {
            String m = e.getMessage() == null ? "syntax error" : e.getMessage().lines().findFirst().orElse("syntax error");
            throw new PolicyException("invalid TOML: " + m);
        }
        JsonNode simNode = root.remove("sim");
        Optional<Policy> sim = Optional.empty();
        Optional<byte[]> simRoot = Optional.empty();
        if (simNode != null) {
            if (!(simNode instanceof ObjectNode simTable)) throw new PolicyException("sim: expected a table");
            JsonNode rootPath = simTable.remove("root");
            if (rootPath == null || !rootPath.isTextual()) {
                throw new PolicyException("sim.root: the PEM file of the sim ASK + ARK to trust must be given");
            }
            Path pem = base.resolve(rootPath.asText());
            try {
                simRoot = Optional.of(Files.readAllBytes(pem));
            } catch (IOException e) {
                throw new PolicyException("sim.root: cannot read " + pem);
            }
            ObjectNode asSnp = TOML.createObjectNode();
            asSnp.set("snp", simTable);
            try {
                sim = Optional.of(PolicyToml.parse(TOML.writeValueAsString(asSnp)));
            } catch (PolicyException e) {
                throw new PolicyException(e.getMessage().replaceFirst("^snp\\.", "sim."));
            } catch (IOException e) {
                throw new PolicyException("sim: " + e.getMessage());
            }
        }
        Policy hardware;
        if (root.isEmpty() && sim.isPresent()) {
            hardware = new Policy(Optional.empty(), Optional.empty(), Optional.empty());
        } else {
            try {
                hardware = PolicyToml.parse(TOML.writeValueAsString(root));
            } catch (PolicyException e) {
                throw e;
            } catch (IOException e) {
                throw new PolicyException(e.getMessage());
            }
        }
        return new StewardPolicy(hardware, sim, simRoot);
    }
}
