package dev.donjon.platform.sim;

import dev.donjon.platform.Backend;
import dev.donjon.platform.Check;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.Platform;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The software TEE: SEV-SNP-layout evidence signed by the user's own {@link SimAuthority}, with the
 * {@link RuntimeMeasurement} as MEASUREMENT. It protects nothing; it exists so that the whole attestation flow can be
 * exercised and demonstrated without hardware. Everything it shows says SIMULATED.
 */
public final class SimPlatform implements Platform {

    private final Path directory;
    private final Clock clock;
    private final Supplier<byte[]> measurement;
    private final SecureRandom random = new SecureRandom();
    private volatile SimAuthority authority;

    /** @param directory where the sim chain lives (made on first attestation) */
    public SimPlatform(Path directory, Clock clock) {
        this(directory, clock, () -> RuntimeMeasurement.ofThisProcess(directory));
    }

    /** @param measurement the 48-byte MEASUREMENT to report (tests and demos of a refused measurement) */
    public SimPlatform(Path directory, Clock clock, Supplier<byte[]> measurement) {
        this.directory = directory;
        this.clock = clock;
        this.measurement = measurement;
    }

    public Path directory() {
        return directory;
    }

    @Override
    public Backend backend() {
        return Backend.SIM;
    }

    /** The chain this platform signs with, made now if there is none yet. */
    public SimAuthority authority() throws PlatformException {
        SimAuthority a = authority;
        if (a == null) {
            synchronized (this) {
                a = authority;
                if (a == null) authority = a = SimAuthority.loadOrCreate(directory, clock);
            }
        }
        return a;
    }

    @Override
    public PlatformInfo info() {
        Check simulated = Check.pass(
                "SIMULATED TEE",
                "software only: the evidence proves nothing about hardware and nothing trusts it unless configured to");
        Check dir = directoryCheck();
        Check chain = chainCheck();
        Check measured;
        try {
            measured = Check.pass(
                    "measurement", HexFormat.of().formatHex(measurement.get()) + " (SHA-384 of the runtime's code)");
        } catch (RuntimeException e) {
            measured = Check.fail("measurement", String.valueOf(e.getMessage()));
        }
        boolean usable = dir.ok() && chain.ok() && measured.ok();
        return new PlatformInfo(Backend.SIM, usable, true, List.of(simulated, dir, chain, measured));
    }

    private Check directoryCheck() {
        if (Files.isDirectory(directory)) {
            return Files.isWritable(directory)
                    ? Check.pass("sim directory", directory.toString())
                    : Check.fail("sim directory", directory + " is not writable");
        }
        Path existing = directory.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        return existing != null && Files.isDirectory(existing) && Files.isWritable(existing)
                ? Check.pass("sim directory", directory + " (made on first use)")
                : Check.fail("sim directory", directory + " cannot be created");
    }

    private Check chainCheck() {
        if (!SimAuthority.exists(directory)) {
            return Check.pass(
                    "sim chain",
                    "none yet: " + SimAuthority.ARK_NAME + " -> " + SimAuthority.ASK_NAME + " -> "
                            + SimAuthority.VCEK_NAME + " is made on first use");
        }
        try {
            SimAuthority a = SimAuthority.load(directory);
            return Check.pass(
                    "sim chain",
                    SimAuthority.ARK_NAME + " -> " + SimAuthority.ASK_NAME + " -> " + SimAuthority.VCEK_NAME
                            + ", made " + a.ark().getNotBefore().toInstant() + "; trust anchor for verifiers: "
                            + directory.resolve(SimAuthority.CHAIN_FILE));
        } catch (PlatformException e) {
            return Check.fail("sim chain", e.getMessage());
        }
    }

    @Override
    public Evidence attest(byte[] reportData) throws PlatformException {
        Platform.checkReportData(reportData);
        SimAuthority a = authority();
        byte[] m = measurement.get();
        byte[] report = SimReport.sign(a, reportData, m, random);
        try {
            return new Evidence.SnpReport(
                    Backend.SIM, report, Optional.of(a.vcek().getEncoded()), List.of());
        } catch (IOException e) {
            throw new PlatformException("cannot encode the sim VCEK: " + e.getMessage(), e);
        }
    }
}
