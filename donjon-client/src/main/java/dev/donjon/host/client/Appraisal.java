package dev.donjon.host.client;

import java.util.List;

/** The client's judgement of a Keep's offer, before anything is sent to it. */
public sealed interface Appraisal {

    /**
     * The Keep may receive the package.
     *
     * @param summary  what was established, one line (TEE, measurement, TCB)
     * @param warnings things the user must be told prominently (insecure or simulated backend)
     */
    record Trusted(String summary, List<String> warnings) implements Appraisal {
        public Trusted {
            warnings = List.copyOf(warnings);
        }
    }

    /** The Keep must not receive anything; the reason says exactly which check failed. */
    record Refused(String reason) implements Appraisal {}
}
