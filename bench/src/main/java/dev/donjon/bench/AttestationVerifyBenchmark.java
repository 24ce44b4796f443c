package dev.donjon.bench;

import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.IntelCollateral;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.TeeVerifier;
import dev.donjon.attestation.VerificationResult;
import dev.donjon.attestation.crypto.SignatureProviders;
import dev.donjon.attestation.intel.SgxVerifier;
import dev.donjon.attestation.intel.TdxVerifier;
import dev.donjon.attestation.snp.SnpVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Verifications per second of real evidence from ../shared/vectors, per TEE:
 * <ul>
 *   <li>{@code cold}: a new verifier for every verification, so every certificate chain (and, for Intel, every CRL and
 *   collateral signer chain) is validated from scratch;</li>
 *   <li>{@code warm}: one verifier whose chain cache already holds the chains (keyed by their exact bytes); the
 *   evidence signatures, collateral signatures, validity windows and CRL freshness are still checked every time.</li>
 * </ul>
 * snp: go-sev-guest's Milan report, VCEK, ASK/ARK. sgx: dcap-qvl's v3 quote with its full collateral (TCB Info, QE
 * Identity, CRLs). tdx: dcap-qvl's v4 quote with its full collateral. Every result is checked to be an accept.
 * Run: see bench/README.md ("Attestation verification").
 */
@State(Scope.Benchmark)
@Fork(jvmArgsAppend = "--enable-native-access=ALL-UNNAMED") // AWS-LC is a JNI library
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AttestationVerifyBenchmark {

    @Param({"snp", "sgx", "tdx"})
    public String tee;

    /** Who checks the ECDSA signatures: BouncyCastle (java, the default everywhere) or AWS-LC (native, a Steward's). */
    @Param({"java", "native"})
    public String engine;

    private EvidenceInput input;
    private Instant now;
    private Supplier<TeeVerifier> fresh;
    private TeeVerifier warm;

    @Setup
    public void setUp() {
        if (engine.equals("native")) {
            SignatureProviders.useNative().ifPresent(why -> {
                throw new IllegalStateException(why);
            });
        } else {
            SignatureProviders.useJava();
        }
        Path vectors = Path.of(System.getProperty("donjon.shared", "../shared")).resolve("vectors");
        byte[] intelRoot = read(vectors, "intel/Intel_SGX_Root_CA.der");
        switch (Tee.fromWireName(tee)) {
            case SNP -> {
                input = new EvidenceInput(
                        Tee.SNP,
                        Container.SNP_REPORT,
                        read(vectors, "snp/go-sev-guest/attestation.bin"),
                        new Endorsements(
                                Optional.of(read(vectors, "snp/go-sev-guest/vcek.testcer")),
                                Optional.empty(),
                                Optional.of(read(vectors, "amd/milan/ask_ark.pem")),
                                List.of(),
                                Optional.empty(),
                                Optional.empty()));
                now = Instant.parse("2024-06-01T00:00:00Z");
                fresh = SnpVerifier::new;
            }
            case SGX -> {
                input = intel(
                        Tee.SGX,
                        read(vectors, "sgx/dcap-qvl/sgx_quote"),
                        read(vectors, "sgx/dcap-qvl/sgx_quote_collateral.json"),
                        intelRoot);
                now = Instant.parse("2025-07-19T10:01:17Z");
                fresh = SgxVerifier::new;
            }
            case TDX -> {
                input = intel(
                        Tee.TDX,
                        read(vectors, "tdx/dcap-qvl/tdx_quote"),
                        read(vectors, "tdx/dcap-qvl/tdx_quote_collateral.json"),
                        intelRoot);
                now = Instant.parse("2025-07-19T10:00:34Z");
                fresh = TdxVerifier::new;
            }
        }
        warm = fresh.get();
        mustAccept(warm.verify(input, now)); // fills the chain cache, and checks the benchmark measures an accept
        mustAccept(fresh.get().verify(input, now));
    }

    @Benchmark
    public VerificationResult cold() {
        return mustAccept(fresh.get().verify(input, now));
    }

    @Benchmark
    public VerificationResult warm() {
        return mustAccept(warm.verify(input, now));
    }

    /**
     * The same work outside JMH, timed by this thread's CPU time as well as the wall clock: on a machine shared with
     * other jobs, verifications per CPU-second say what one dedicated core would do. Args: [seconds per case (10)].
     */
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        System.out.printf("%-4s %-6s %-5s %10s %12s %14s%n", "tee", "engine", "mode", "ops", "ops/wall-s", "ops/cpu-s");
        for (String t : new String[] {"snp", "sgx", "tdx"})
            for (String e : new String[] {"java", "native"}) {
                AttestationVerifyBenchmark b = new AttestationVerifyBenchmark();
                b.tee = t;
                b.engine = e;
                b.setUp();
                for (String mode : new String[] {"cold", "warm"}) {
                    Runnable op = mode.equals("cold") ? b::cold : b::warm;
                    for (long end = System.nanoTime() + (long) (seconds / 3 * 1e9); System.nanoTime() < end; )
                        op.run(); // warm-up
                    long ops = 0, wall0 = System.nanoTime(), cpu0 = threads.getCurrentThreadCpuTime();
                    for (long end = wall0 + (long) (seconds * 1e9); System.nanoTime() < end; ops++) op.run();
                    double wall = (System.nanoTime() - wall0) / 1e9,
                            cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
                    System.out.printf("%-4s %-6s %-5s %10d %12.1f %14.1f%n", t, e, mode, ops, ops / wall, ops / cpu);
                }
            }
    }

    private static VerificationResult mustAccept(VerificationResult r) {
        if (!r.accepted()) throw new IllegalStateException("benchmark evidence was rejected: " + r);
        return r;
    }

    private static EvidenceInput intel(Tee tee, byte[] quote, byte[] collateral, byte[] root) {
        return new EvidenceInput(
                tee,
                Container.INTEL_QUOTE,
                quote,
                new Endorsements(
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        List.of(),
                        Optional.of(new IntelCollateral.DcapQvlJson(collateral)),
                        Optional.of(root)));
    }

    private static byte[] read(Path dir, String relative) {
        try {
            return Files.readAllBytes(dir.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the vector " + relative + " (set -Ddonjon.shared=PATH/TO/shared)", e);
        }
    }
}
