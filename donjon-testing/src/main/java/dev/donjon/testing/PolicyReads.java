package dev.donjon.testing;

import java.io.IOException;

/**
 * For the policy fuzz targets (donjon-attestation's and donjon-steward's): reading a policy file either gives a policy
 * or the reader's own exception ({@code refusal}) whose message is one printable line. Anything else escapes and is a
 * finding.
 */
public final class PolicyReads {

    private PolicyReads() {}

    /** Reads a policy file, however the reader under test does it. */
    public interface Read {
        Object read() throws IOException;
    }

    public static void policyOrOneLineError(Class<? extends IOException> refusal, Read read) {
        try {
            if (read.read() == null) throw new AssertionError("the reader returned null instead of a policy");
        } catch (IOException e) {
            if (!refusal.isInstance(e)) throw new AssertionError("not the policy reader's own exception: " + e, e);
            String m = e.getMessage();
            // control characters include line breaks, and the escape sequences a terminal would act on
            if (m == null || m.isBlank() || m.chars().anyMatch(Character::isISOControl)) {
                throw new AssertionError(
                        "not a one-line message: "
                                + (m == null
                                        ? null
                                        : m.codePoints()
                                                .mapToObj(c -> Character.isISOControl(c)
                                                        ? String.format("<U+%04X>", c)
                                                        : Character.toString(c))
                                                .collect(java.util.stream.Collectors.joining())),
                        e);
            }
        }
    }
}
