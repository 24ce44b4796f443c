package dev.donjon.host.keep;

import dev.donjon.config.ConfigException;
import dev.donjon.config.EnarxConfig;
import dev.donjon.host.protocol.WorkloadPackage;
import dev.donjon.keep.Keep;
import dev.donjon.keep.KeepException;
import dev.donjon.keep.SelfSignedIdentity;
import dev.donjon.keep.Stdio;
import dev.donjon.keep.Workload;
import dev.donjon.wasi.CompiledModuleCache;
import dev.donjon.wasi.WasiException;
import dev.donjon.wasi.WasiLimits;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a deployed package on Donjon's Keep runtime (donjon-keep), exactly as {@code donjon run} would with the
 * package's Enarx.toml. Secrets become environment variables after the config's own (see {@link WorkloadPackage}):
 * they stay in the Keep's memory and never touch the host's disk. The guest's stdin is empty.
 */
public final class KeepRuntimeRunner implements WorkloadRunner {

    @Override
    public int run(WorkloadPackage pkg, OutputStream stdout, OutputStream stderr, WasiLimits limits)
            throws WorkloadFailedException, InterruptedException {
        try {
            Optional<EnarxConfig> config = pkg.enarxToml().map(t -> EnarxConfig.parse(new String(t, StandardCharsets.UTF_8)));
            List<String> env = new ArrayList<>();
            pkg.secrets().forEach((name, value) -> env.add(name + "=" + WorkloadPackage.secretText(value).orElseThrow()));
            Workload workload = new Workload(pkg.wasm(), config, List.of(), env, List.of());
            // never the compiled-module cache of `donjon run`: it would put the workload, compiled, on the host's disk
            try (Keep keep = Keep.open(workload, new Stdio(InputStream.nullInputStream(), stdout, stderr), limits, new SelfSignedIdentity(),
                    CompiledModuleCache.disabled())) {
                return keep.run();
            }
        } catch (ConfigException e) {
            throw new WorkloadFailedException("Enarx.toml: " + e.getMessage());
        } catch (KeepException | WasiException e) {
            throw new WorkloadFailedException(e.getMessage());
        }
    }
}
