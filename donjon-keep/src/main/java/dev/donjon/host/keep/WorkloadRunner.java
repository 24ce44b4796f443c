package dev.donjon.host.keep;

import dev.donjon.host.protocol.WorkloadPackage;
import dev.donjon.wasi.WasiLimits;
import java.io.InputStream;
import java.io.OutputStream;

/** Runs an opened package inside the Keep process. The seam between the deploy protocol and the Keep runtime. */
public interface WorkloadRunner {

    /**
     * Runs the guest to its end.
     *
     * @param stdin the guest's stdin: what the client sends on the input channel
     * @return the guest's exit code
     * @throws WorkloadFailedException the package cannot run (bad module or Enarx.toml, port in use) or the guest
     *     trapped, hit a limit or was stopped; the message may name workload details, so it only travels encrypted
     */
    int run(WorkloadPackage workload, InputStream stdin, OutputStream stdout, OutputStream stderr, WasiLimits limits)
            throws WorkloadFailedException, InterruptedException;

    /** The runner for a package fetched from {@code spec}: an attested runner names it (the slug) in its CSR. */
    default WorkloadRunner forReference(String spec) {
        return this;
    }

    final class WorkloadFailedException extends Exception {
        public WorkloadFailedException(String message) {
            super(message);
        }
    }
}
