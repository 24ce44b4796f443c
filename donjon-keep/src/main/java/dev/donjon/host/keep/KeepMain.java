package dev.donjon.host.keep;

import dev.donjon.common.LogLines;
import dev.donjon.host.link.LinkFrame;
import dev.donjon.host.protocol.DeployContext;
import dev.donjon.host.protocol.InputCipher;
import dev.donjon.host.protocol.InputFrame;
import dev.donjon.host.protocol.KeepOffer;
import dev.donjon.host.protocol.KeepSession;
import dev.donjon.host.protocol.OutputCipher;
import dev.donjon.host.protocol.OutputFrame;
import dev.donjon.host.protocol.PackageReference;
import dev.donjon.host.protocol.ProtocolException;
import dev.donjon.host.protocol.SealedPackage;
import dev.donjon.host.protocol.WorkloadPackage;
import dev.donjon.keep.AddressRange;
import dev.donjon.keep.ConnectPolicy;
import dev.donjon.keep.NetworkPolicy;
import dev.donjon.wasi.WasiLimits;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * A Keep process, as the host agent launches it: {@code KeepMain --keep-id ID --backend B --max-memory BYTES
 * [--max-time-ms MS] [--max-cpu-time-ms MS] [--connect-policy anywhere|not-this-host|only:CIDR,...]
 * [--listen-address ADDR] [--log-level error|warn|info|debug]} (without {@code --connect-policy}, guests may connect anywhere but this host). It talks to the agent over its stdin/stdout with {@link LinkFrame}s: HELLO (the client's
 * nonce) -> OFFER (key + evidence) -> PACKAGE (sealed) -> ACCEPTED | REFUSED -> OUTPUT..., while INPUT frames (the
 * guest's stdin, sealed by the client) come in. It exits when the guest
 * ends, when the package cannot be opened, and at once when its stdin closes (the agent is gone: no orphans).
 * Nothing secret is ever written to stdout or stderr in clear.
 */
public final class KeepMain {

    /** Exit codes the agent reads: the guest ran (whatever its own code), or the deployment never started. */
    public static final int EXIT_DONE = 0;

    public static final int EXIT_REFUSED = 3;
    public static final int EXIT_AGENT_GONE = 4;
    public static final int EXIT_BAD_ARGS = 64;

    private final OutputStream link;
    private final InputStream in;
    private final RegistryPackageResolver resolver;

    private KeepMain(InputStream in, OutputStream link) {
        // a reference without a Steward is fetched anonymously or with the owner's token; one naming a Steward, see
        // run()
        this(in, link, new RegistryPackageResolver(KeepTlsIdentity.Source.NONE));
    }

    KeepMain(InputStream in, OutputStream link, RegistryPackageResolver resolver) {
        this.in = in;
        this.link = link;
        this.resolver = resolver;
    }

    public static void main(String[] args) {
        // stdout is the link; anything else printing there would corrupt it, so stray prints go to stderr
        OutputStream link = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        try {
            KeepLog.configure(args);
        } catch (IllegalArgumentException e) {
            System.err.println("keep: " + e.getMessage());
            System.exit(EXIT_BAD_ARGS);
            return;
        }
        if (args.length == 1 && args[0].equals("--warm-up")) {
            warmUp();
            System.exit(EXIT_DONE);
        }
        Args parsed;
        try {
            parsed = Args.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("keep: " + e.getMessage());
            System.exit(EXIT_BAD_ARGS);
            return;
        }
        int code = new KeepMain(new FileInputStream(FileDescriptor.in), link)
                .serve(parsed, source -> KeepRuntimeRunner.on(source, parsed.network()));
        System.out.flush();
        System.exit(code); // not halt: shutdown hooks and buffered output run at a normal exit
    }

    /**
     * A real WASI command to train on (src/main/wasm/training.c, put beside this class by the build): compiling it goes
     * through Chicory's parser, validator and compiler, and Donjon's splitting of a large function (wasi-libc's printf
     * core), as a deployed C module does, and running it through WASI's stdio. A hello world trained less: ROT13's
     * compile after it took 560 ms, after this 260-360 ms (bench/README.md, Deploy).
     */
    private static byte[] trainingModule() throws IOException {
        try (InputStream in = KeepMain.class.getResourceAsStream("training.wasm")) {
            if (in == null) throw new IOException("training.wasm is missing from the Keep's jar");
            return in.readAllBytes();
        }
    }

    /**
     * Runs every step of a deployment on throw-away inputs and exits normally: the training run of the Keeps' start-up
     * cache (JDK 25's AOT cache, made by the agent's launcher), which then holds what a real Keep loads, linked, with
     * the profiles of what ran. Nothing of it is kept.
     */
    private static void warmUp() {
        try {
            DeployContext ctx =
                    new DeployContext("warm-up", new byte[dev.donjon.host.protocol.KeepBinding.NONCE_BYTES]);
            KeepSession keep = new KeepSession(ctx);
            new KeepOffer("warm-up", "nil", keep.publicKey(), java.util.Optional.empty()).toBytes();
            var pkg = new WorkloadPackage(
                    trainingModule(),
                    java.util.Optional.of("[[files]]\nkind = \"stdin\"\n".getBytes(StandardCharsets.UTF_8)),
                    java.util.Map.of());
            var client = dev.donjon.host.protocol.ClientSession.start(keep.publicKey(), ctx);
            KeepSession.Opened opened =
                    keep.open(SealedPackage.decode(client.seal(pkg).encode()));
            opened.output().seal(new OutputFrame.Stdout(new byte[1]));
            opened.input().open(client.input().seal(new InputFrame.Data(new byte[1])));
            new KeepRuntimeRunner()
                    .run(
                            opened.workload(),
                            InputStream.nullInputStream(),
                            OutputStream.nullOutputStream(),
                            OutputStream.nullOutputStream(),
                            WasiLimits.defaults());
        } catch (Exception e) {
            System.err.println("keep: warm-up incomplete: " + e.getMessage());
        }
    }

    /**
     * Compiles and runs the training module, output discarded. A Keep compiles its workload's module itself (it takes
     * no compiled code from the host's disk), and that compile ran mostly in the JVM's interpreter: done once before,
     * the JIT has compiled Chicory's compiler by the time the workload comes (a compile took half as long after one
     * such run, bench/README.md, Deploy).
     */
    private static void runTrainingModule() throws Exception {
        var pkg = new WorkloadPackage(trainingModule(), java.util.Optional.empty(), java.util.Map.of());
        new KeepRuntimeRunner()
                .run(
                        pkg,
                        InputStream.nullInputStream(),
                        OutputStream.nullOutputStream(),
                        OutputStream.nullOutputStream(),
                        WasiLimits.defaults());
    }

    record Args(String keepId, String backend, WasiLimits limits, boolean spare, NetworkPolicy network) {
        static Args parse(String[] a) {
            String id = null, backend = null;
            boolean spare = false;
            WasiLimits limits = WasiLimits.defaults();
            NetworkPolicy network = NetworkPolicy.notThisHost();
            for (int i = 0; i + 1 < a.length; i += 2) {
                switch (a[i]) {
                    case "--keep-id" -> id = a[i + 1];
                    case "--spare" -> spare = a[i + 1].equals("yes");
                    case "--backend" -> backend = a[i + 1];
                    case "--max-memory" -> limits = limits.withMaxMemoryBytes(Long.parseLong(a[i + 1]));
                    case "--max-time-ms" ->
                        limits = limits.withMaxWallTime(Duration.ofMillis(Long.parseLong(a[i + 1])));
                    case "--max-cpu-time-ms" ->
                        limits = limits.withMaxCpuTime(Duration.ofMillis(Long.parseLong(a[i + 1])));
                    case "--connect-policy" ->
                        network = new NetworkPolicy(ConnectPolicy.parse(a[i + 1]), network.listenAddress());
                    case "--listen-address" -> network = network.withListenAddress(literalAddress(a[i + 1]));
                    case "--log-level" -> LogLines.level(a[i + 1]); // applied by KeepLog.configure, checked here
                    default -> throw new IllegalArgumentException("unknown option " + a[i]);
                }
            }
            if (a.length % 2 != 0) throw new IllegalArgumentException("options come in pairs");
            if (id == null || backend == null)
                throw new IllegalArgumentException("--keep-id and --backend are required");
            return new Args(id, backend, limits, spare, network);
        }

        private static java.net.InetAddress literalAddress(String text) {
            AddressRange one = AddressRange.parse(text);
            if (one.prefixLength() != one.network().getAddress().length * 8)
                throw new IllegalArgumentException("--listen-address takes one address");
            return one.network();
        }
    }

    /** @param runners the runner for the platform this Keep attests with (it also enrolls with a Steward) */
    int serve(Args args, java.util.function.Function<EvidenceSource, WorkloadRunner> runners) {
        EvidenceSource prepared = args.spare() ? prepareWhileWaiting(args.backend()) : null;
        try {
            LinkFrame hello = LinkFrame.readFrom(in);
            if (hello.type() != LinkFrame.Type.HELLO) return refuse("expected HELLO, got " + hello.type());
            KeepSession session;
            try {
                session = new KeepSession(new DeployContext(args.keepId(), hello.payload()));
            } catch (IllegalArgumentException e) {
                return refuse(e.getMessage());
            }
            EvidenceSource platform;
            KeepOffer offer;
            try {
                platform = prepared != null ? prepared : EvidenceSource.forBackend(args.backend());
                offer = new KeepOffer(
                        args.keepId(), platform.backend(), session.publicKey(), platform.attest(session.reportData()));
            } catch (RuntimeException e) {
                return refuse("cannot attest: " + e.getMessage());
            }
            send(LinkFrame.of(LinkFrame.Type.OFFER, offer.toBytes()));
            System.gc(); // an idle Keep waiting for its package should hold only what it needs: the heap shrinks
            // after a full GC

            LinkFrame first = LinkFrame.readFrom(in);
            if (first.type() != LinkFrame.Type.PACKAGE) return refuse("expected PACKAGE, got " + first.type());
            KeepSession.Opened opened;
            try {
                opened = session.open(SealedPackage.decode(first.payload()));
            } catch (ProtocolException e) {
                return refuse(e.getMessage());
            }
            send(LinkFrame.of(LinkFrame.Type.ACCEPTED, new byte[0]));
            GuestInput stdin = new GuestInput(KeepMain::agentAlive);
            InputCipher input = opened.input();
            // blocks on the link for the whole run
            Thread.ofPlatform().daemon().name("keep-link-watch").start(() -> watchLink(input, stdin));
            return run(opened, stdin, platform, runners.apply(platform), args.limits());
        } catch (EOFException e) {
            return EXIT_AGENT_GONE;
        } catch (IOException e) {
            System.err.println("keep: link failed: " + e.getMessage());
            return EXIT_AGENT_GONE;
        }
    }

    private int run(
            KeepSession.Opened opened,
            InputStream stdin,
            EvidenceSource platform,
            WorkloadRunner runner,
            WasiLimits limits)
            throws IOException {
        OutputCipher cipher = opened.output();
        OutputStream stdout = new SealingStream(true, cipher);
        OutputStream stderr = new SealingStream(false, cipher);
        OutputFrame end;
        try {
            // a reference is fetched by the Keep itself and verified node by node before anything runs
            // a reference's own Donjon.toml, broker CAs and sealed secrets join the package it names
            WorkloadPackage workload = switch (opened.delivery()) {
                case WorkloadPackage p -> p;
                case PackageReference r ->
                    r.carriedInto(fetcherFor(r, platform).resolve(r)).withArgs(r.args());
            };
            WorkloadRunner forThis =
                    opened.delivery() instanceof PackageReference r ? runner.forReference(r.spec()) : runner;
            end = new OutputFrame.Exit(forThis.run(workload, stdin, stdout, stderr, limits));
        } catch (WorkloadRunner.WorkloadFailedException e) {
            end = new OutputFrame.Failed(e.getMessage());
        } catch (InterruptedException e) {
            end = new OutputFrame.Failed("the Keep was interrupted");
        }
        sealAndSend(cipher, end);
        return EXIT_DONE;
    }

    /** A reference naming a Steward: the Keep enrolls with it first and fetches presenting the issued certificate. */
    private RegistryPackageResolver fetcherFor(PackageReference ref, EvidenceSource platform)
            throws WorkloadRunner.WorkloadFailedException {
        if (ref.steward().isEmpty()) return resolver;
        var tee = platform instanceof EvidenceSource.PlatformEvidence p
                ? java.util.Optional.of(p.platform())
                : java.util.Optional.<dev.donjon.platform.Platform>empty();
        return new RegistryPackageResolver(RegistryEnrollment.forReference(ref, tee));
    }

    /**
     * A spare Keep has time before its nonce comes: load the key, JSON and platform code now, and have the platform
     * attest once to throw-away report data (loads the sim chain, hashes the runtime for its measurement). Nothing
     * of it is kept but the ready platform.
     */
    private static EvidenceSource prepareWhileWaiting(String backend) {
        try {
            KeepSession warm = new KeepSession(
                    new DeployContext("spare", new byte[dev.donjon.host.protocol.KeepBinding.NONCE_BYTES]));
            new KeepOffer("spare", backend, warm.publicKey(), java.util.Optional.empty()).toBytes();
            EvidenceSource source = EvidenceSource.forBackend(backend);
            source.attest(new byte[64]);
            runTrainingModule();
            System.gc(); // a spare may wait long: give back what the warm-up used
            return source;
        } catch (Exception e) {
            return null; // the real request meets the same problem and reports it
        }
    }

    /**
     * After the package: the client's input chunks go, decrypted, to the guest's stdin; the key is spent, so anything
     * else the host sends (a second package: a replay) is refused, visibly. An input chunk that fails authentication
     * (altered, reordered, dropped, or an output chunk passed off as input) ends the guest's input with an error.
     */
    private void watchLink(InputCipher input, GuestInput stdin) {
        try {
            while (true) {
                LinkFrame f = LinkFrame.readFrom(in);
                if (f.type() == LinkFrame.Type.INPUT) {
                    if (!deliverInput(input, stdin, f.payload())) break;
                    continue;
                }
                String why = f.type() == LinkFrame.Type.PACKAGE
                        ? "this Keep has already received its package; a second one (a replay) is refused"
                        : "unexpected " + f.type() + " while running";
                send(LinkFrame.of(LinkFrame.Type.REFUSED, why.getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            // the agent is gone: nobody can receive the output any more, and no Keep may outlive its agent
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(EXIT_AGENT_GONE);
    }

    /** @return false when the agent died while the guest's stdin was full */
    private boolean deliverInput(InputCipher input, GuestInput stdin, byte[] chunk)
            throws IOException, InterruptedException {
        InputFrame frame;
        try {
            frame = input.open(chunk);
        } catch (ProtocolException e) {
            stdin.fail("stdin: " + e.getMessage());
            send(LinkFrame.of(
                    LinkFrame.Type.REFUSED, ("input refused: " + e.getMessage()).getBytes(StandardCharsets.UTF_8)));
            return true;
        }
        return switch (frame) {
            case InputFrame.Data d -> stdin.offer(d.data());
            case InputFrame.End e -> {
                stdin.end();
                yield true;
            }
        };
    }

    /** The agent is this process's parent: a Keep waiting on its guest checks it is still there. */
    private static boolean agentAlive() {
        return ProcessHandle.current().parent().map(ProcessHandle::isAlive).orElse(false);
    }

    private int refuse(String reason) {
        try {
            send(LinkFrame.of(LinkFrame.Type.REFUSED, reason.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException ignored) {
            // agent gone; exiting is all that is left
        }
        return EXIT_REFUSED;
    }

    private synchronized void send(LinkFrame frame) throws IOException {
        frame.writeTo(link);
    }

    private synchronized void sealAndSend(OutputCipher cipher, OutputFrame frame) throws IOException {
        send(LinkFrame.of(LinkFrame.Type.OUTPUT, cipher.seal(frame)));
    }

    /** Each write the guest makes becomes one encrypted chunk (no buffering: interactive output stays interactive). */
    private final class SealingStream extends OutputStream {
        private final boolean stdout;
        private final OutputCipher cipher;

        SealingStream(boolean stdout, OutputCipher cipher) {
            this.stdout = stdout;
            this.cipher = cipher;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) return;
            byte[] data = Arrays.copyOfRange(b, off, off + len);
            sealAndSend(cipher, stdout ? new OutputFrame.Stdout(data) : new OutputFrame.Stderr(data));
        }
    }
}
