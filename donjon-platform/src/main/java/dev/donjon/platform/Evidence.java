package dev.donjon.platform;

import java.util.List;
import java.util.Optional;

/** What a backend produced for one request; the bytes are exactly what the TEE (or the simulator) returned. */
public sealed interface Evidence {

    Backend backend();

    /** True when software, not a TEE, made it: it proves nothing about hardware. */
    default boolean simulated() {
        return backend() == Backend.SIM;
    }

    /** The {@code nil} backend has no TEE and hence nothing to show. */
    record None() implements Evidence {
        @Override
        public Backend backend() {
            return Backend.NIL;
        }
    }

    /**
     * An SEV-SNP ATTESTATION_REPORT (0x4A0 bytes) from the {@code snp} or {@code sim} backend.
     *
     * @param vcek       DER of the VCEK that signed it, when the host supplied it (configfs auxblob, cache) or sim made it
     * @param caCerts    DER of ASK/ARK certificates that came with it (configfs auxblob); the sim's are not carried
     *                   because a verifier must pin them
     */
    record SnpReport(Backend backend, byte[] report, Optional<byte[]> vcek, List<byte[]> caCerts) implements Evidence {
        public SnpReport {
            if (backend != Backend.SNP && backend != Backend.SIM)
                throw new IllegalArgumentException("not an SNP-layout backend: " + backend);
            caCerts = List.copyOf(caCerts);
        }
    }

    /** An Intel DCAP quote: v3 from SGX (Gramine), v4/v5 from TDX (configfs-tsm). */
    record IntelQuote(Backend backend, byte[] quote) implements Evidence {
        public IntelQuote {
            if (backend != Backend.SGX && backend != Backend.TDX)
                throw new IllegalArgumentException("not an Intel backend: " + backend);
        }
    }
}
