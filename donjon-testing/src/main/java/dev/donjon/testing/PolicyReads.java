package dev.donjon.attestation.policy;

import dev.donjon.attestation.policy.PolicyToml.PolicyException;
import java.io.IOException;

/**
 * For the policy fuzz targets (here and in donjon-steward): reading a policy file either gives a policy or a
 * {@link PolicyException} whose message is one printable line. Anything else escapes and is a finding.
 */
public final class PolicyReads {

    private PolicyReads() {}

    /** Reads a policy file, however the reader under test does it. */
    public interface Read {
        Object read() throws IOException;
    }

    public static void policyOrOneLineError(Read read) {
        try {
            if (read.read() == null) throw new AssertionError("the reader returned null instead of a policy");
        } catch (PolicyException e) {
            String m = e.getMessage();
            // control characters include line breaks, and the escape sequences a terminal would act on
            if (m == null || m.isBlank() || m.chars().anyMatch(Character::isISOControl)) {
                throw new AssertionError("not a one-line message: " + (m == null ? null : m.codePoints()
                        .mapToObj(c -> Character.isISOControl(c) ? String.format("<U+%04X>", c) : Character.toString(c))
                        .collect(java.util.stream.Collectors.joining())), e);
            }
        } catch (IOException e) {
            throw new AssertionError("not the policy reader's own exception: " + e, e);
        }
    }
}
