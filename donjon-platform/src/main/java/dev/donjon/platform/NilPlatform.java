package dev.donjon.platform;

import java.util.List;

/** No TEE: the workload runs unprotected and there is no evidence. Always usable, for development only. */
public final class NilPlatform implements Platform {

    @Override
    public Backend backend() {
        return Backend.NIL;
    }

    @Override
    public PlatformInfo info() {
        return new PlatformInfo(
                Backend.NIL,
                true,
                false,
                List.of(Check.pass(
                        "nil backend",
                        "always available: no TEE, no evidence, the host can read and change the workload")));
    }

    @Override
    public Evidence attest(byte[] reportData) {
        Platform.checkReportData(reportData);
        return new Evidence.None();
    }
}
