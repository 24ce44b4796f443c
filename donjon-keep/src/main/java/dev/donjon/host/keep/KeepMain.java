package dev.donjon.host.keep;

import dev.donjon.host.link.LinkFrame;
import dev.donjon.host.protocol.DeployContext;
import dev.donjon.host.protocol.InputCipher;
import dev.donjon.host.protocol.InputFrame;
import dev.donjon.host.protocol.KeepOffer;
import dev.donjon.host.protocol.KeepSession;
import dev.donjon.host.protocol.OutputCipher;
import dev.donjon.host.protocol.OutputFrame;
import dev.donjon.host.protocol.PackageReference;
import dev.donjon.host.protocol.WorkloadPackage;
import dev.donjon.host.protocol.ProtocolException;
import dev.donjon.host.protocol.SealedPackage;
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
import java.util.concurrent.TimeUnit;

/**
 * A Keep process, as the host agent launches it: {@code KeepMain --keep-id ID --backend B --max-memory BYTES
 * [--max-time-ms MS] [--max-cpu-time-ms MS] [--connect-policy anywhere|not-this-host|only:CIDR,...]
 * [--listen-address ADDR]} (without {@code --connect-policy}, guests may connect anywhere but this host). It talks to the agent over its stdin/stdout with {@link LinkFrame}s: HELLO (the client's
 * nonce) -> OFFER (key + evidence) -> PACKAGE (sealed) -> ACCEPTED | REFUSED -> OUTPUT..., with INPUT (the guest's
 * stdin, sealed by the client) flowing the other way while the guest runs. It exits when the guest ends, when the
 * package cannot be opened, and at once when its stdin closes or its parent is gone (the agent is gone: no orphans).
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
    /** The agent that started this Keep: when it is gone, so is everyone who could read the output. */
    private final java.util.Optional<ProcessHandle> agent = ProcessHandle.current().parent();
    /** Why the link reader stopped the guest (the input failed), if it did. */
    private volatile String abortReason;

    private KeepMain(InputStream in, OutputStream link) {
        // a reference without a Steward is fetched anonymously or with the owner's token; one naming a Steward, see run()
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
        int code = new KeepMain(new FileInputStream(FileDescriptor.in), link).serve(parsed, source -> KeepRuntimeRunner.on(source, parsed.network()));
        System.out.flush();
        System.exit(code); // not halt: the JVM writes its class-data-sharing archive at a normal exit
    }

    /** The smallest WASI command: an empty {@code _start}. */
    private static final byte[] EMPTY_COMMAND = {
        0, 'a', 's', 'm', 1, 0, 0, 0,
        1, 4, 1, 0x60, 0, 0,                                   // type section: () -> ()
        3, 2, 1, 0,                                            // function section: one function of type 0
        7, 10, 1, 6, '_', 's', 't', 'a', 'r', 't', 0, 0,       // export "_start"
        10, 4, 1, 2, 0, 0x0b};                                 // code: no locals, end

    /**
     * Runs every step of a deployment on throw-away inputs and exits normally, so that the JVM's class-data-sharing
     * archive (see the agent's launcher) holds what a real Keep loads. Nothing of it is kept.
     */
    private static void warmUp() {
        try {
            DeployContext ctx = new DeployContext("warm-up", new byte[dev.donjon.host.protocol.KeepBinding.NONCE_BYTES]);
            KeepSession keep = new KeepSession(ctx);
            new KeepOffer("warm-up", "nil", keep.publicKey(), java.util.Optional.empty()).toBytes();
            var pkg = new dev.donjon.host.protocol.WorkloadPackage(EMPTY_COMMAND, java.util.Optional.of(
                    "[[files]]\nkind = \"stdin\"\n".getBytes(StandardCharsets.UTF_8)), java.util.Map.of());
            var sealed = dev.donjon.host.protocol.ClientSession.start(keep.publicKey(), ctx).seal(pkg);
            KeepSession.Opened opened = keep.open(SealedPackage.decode(sealed.encode()));
            opened.output().seal(new OutputFrame.Stdout(new byte[1]));
            new KeepRuntimeRunner().run(opened.workload(), InputStream.nullInputStream(), OutputStream.nullOutputStream(),
                    OutputStream.nullOutputStream(), WasiLimits.defaults());
        } catch (Exception e) {
            System.err.println("keep: warm-up incomplete: " + e.getMessage());
        }
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
                    case "--max-time-ms" -> limits = limits.withMaxWallTime(Duration.ofMillis(Long.parseLong(a[i + 1])));
                    case "--max-cpu-time-ms" -> limits = limits.withMaxCpuTime(Duration.ofMillis(Long.parseLong(a[i + 1])));
                    case "--connect-policy" -> network = new NetworkPolicy(ConnectPolicy.parse(a[i + 1]), network.listenAddress());
                    case "--listen-address" -> network = network.withListenAddress(literalAddress(a[i + 1]));
                    default -> throw new IllegalArgumentException("unknown option " + a[i]);
                }
            }
            if (a.length % 2 != 0) throw new IllegalArgumentException("options come in pairs");
            if (id == null || backend == null) throw new IllegalArgumentException("--keep-id and --backend are required");
            return new Args(id, backend, limits, spare, network);
        }

        private static java.net.InetAddress literalAddress(String text) {
            AddressRange one = AddressRange.parse(text);
            if (one.prefixLength() != one.network().getAddress().length * 8) throw new IllegalArgumentException("--listen-address takes one address");
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
                offer = new KeepOffer(args.keepId(), platform.backend(), session.publicKey(), platform.attest(session.reportData()));
            } catch (RuntimeException e) {
                return refuse("cannot attest: " + e.getMessage());
            }
            send(LinkFrame.of(LinkFrame.Type.OFFER, offer.toBytes()));
            System.gc(); // an idle Keep waiting for its package should hold only what it needs: the heap shrinks after a full GC

            LinkFrame first = LinkFrame.readFrom(in);
            if (first.type() != LinkFrame.Type.PACKAGE) return refuse("expected PACKAGE, got " + first.type());
            KeepSession.Opened opened;
            try {
                opened = session.open(SealedPackage.decode(first.payload()));
            } catch (ProtocolException e) {
                return refuse(e.getMessage());
            }
            send(LinkFrame.of(LinkFrame.Type.ACCEPTED, new byte[0]));
            GuestInput stdin = new GuestInput();
            Thread running = Thread.currentThread();
            // blocks on the stdin pipe for the run
            Thread.ofPlatform().daemon().name("keep-link-watch").start(() -> readWhileRunning(opened.input(), stdin, running));
            return run(opened, stdin, platform, runners.apply(platform), args.limits());
        } catch (EOFException e) {
            return EXIT_AGENT_GONE;
        } catch (IOException e) {
            System.err.println("keep: link failed: " + e.getMessage());
            return EXIT_AGENT_GONE;
        }
    }

    private int run(KeepSession.Opened opened, InputStream stdin, EvidenceSource platform, WorkloadRunner runner, WasiLimits limits) throws IOException {
        OutputCipher cipher = opened.output();
        OutputStream stdout = new SealingStream(true, cipher);
        OutputStream stderr = new SealingStream(false, cipher);
        OutputFrame end;
        try {
            // a reference is fetched by the Keep itself and verified node by node before anything runs
            WorkloadPackage workload = switch (opened.delivery()) {
                case WorkloadPackage p -> p;
                case PackageReference r -> fetcherFor(r, platform).resolve(r);
            };
            end = new OutputFrame.Exit(runner.run(workload, stdin, stdout, stderr, limits));
        } catch (WorkloadRunner.WorkloadFailedException e) {
            end = new OutputFrame.Failed(e.getMessage());
        } catch (InterruptedException e) {
            end = new OutputFrame.Failed(abortReason != null ? abortReason : "the Keep was interrupted");
        }
        sealAndSend(cipher, end);
        return EXIT_DONE;
    }

    /** A reference naming a Steward: the Keep enrolls with it first and fetches presenting the issued certificate. */
    private RegistryPackageResolver fetcherFor(PackageReference ref, EvidenceSource platform) throws WorkloadRunner.WorkloadFailedException {
        if (ref.steward().isEmpty()) return resolver;
        var tee = platform instanceof EvidenceSource.PlatformEvidence p ? java.util.Optional.of(p.platform()) : java.util.Optional.<dev.donjon.platform.Platform>empty();
        return new RegistryPackageResolver(RegistryEnrollment.forReference(ref, tee));
    }

    /**
     * A spare Keep has time before its nonce comes: load the key, JSON and platform code now, and have the platform
     * attest once to throw-away report data (loads the sim chain, hashes the runtime for its measurement). Nothing
     * of it is kept but the ready platform.
     */
    private static EvidenceSource prepareWhileWaiting(String backend) {
        try {
            KeepSession warm = new KeepSession(new DeployContext("spare", new byte[dev.donjon.host.protocol.KeepBinding.NONCE_BYTES]));
            new KeepOffer("spare", backend, warm.publicKey(), java.util.Optional.empty()).toBytes();
            EvidenceSource source = EvidenceSource.forBackend(backend);
            source.attest(new byte[64]);
            System.gc(); // a spare may wait long: give back what the warm-up used
            return source;
        } catch (RuntimeException e) {
            return null; // the real request meets the same problem and reports it
        }
    }

    /**
     * After the package: the guest's stdin arrives as INPUT frames, opened here and queued for the guest. The key is
     * spent, so anything else the host sends (a replay) is refused, visibly. Input that fails to open (tampered,
     * reordered, dropped or replayed by the host) stops the guest: the client learns it from the Failed frame.
     */
    private void readWhileRunning(InputCipher cipher, GuestInput stdin, Thread running) {
        try {
            while (true) {
                LinkFrame f = LinkFrame.readFrom(in);
                if (f.type() == LinkFrame.Type.INPUT) {
                    if (abortReason == null) take(cipher, f.payload(), stdin, running);
                    continue;
                }
                String why = f.type() == LinkFrame.Type.PACKAGE
                        ? "this Keep has already received its package; a second one (a replay) is refused"
                        : "unexpected " + f.type() + " while running";
                send(LinkFrame.of(LinkFrame.Type.REFUSED, why.getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            agentGone();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void take(InputCipher cipher, byte[] chunk, GuestInput stdin, Thread running) throws InterruptedException {
        InputFrame frame;
        try {
            frame = cipher.open(chunk);
        } catch (ProtocolException e) {
            abortReason = "the guest's stdin was refused in transit: " + e.getMessage();
            stdin.breakOff(abortReason);
            running.interrupt();
            return;
        }
        // the guest may not read for a long time; meanwhile, check once a second that someone is still there
        while (!(frame instanceof InputFrame.Data d ? stdin.offer(d.data(), 1, TimeUnit.SECONDS) : stdin.offerEnd(1, TimeUnit.SECONDS))) {
            if (agent.isEmpty() || !agent.get().isAlive()) agentGone();
        }
    }

    /** The agent is gone: nobody can receive the output any more, and no Keep may outlive its agent. */
    private static void agentGone() {
        Runtime.getRuntime().halt(EXIT_AGENT_GONE);
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
        public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) return;
            byte[] data = Arrays.copyOfRange(b, off, off + len);
            sealAndSend(cipher, stdout ? new OutputFrame.Stdout(data) : new OutputFrame.Stderr(data));
        }
    }
}
