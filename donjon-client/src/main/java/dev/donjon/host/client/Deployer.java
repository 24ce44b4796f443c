package dev.donjon.host.client;

import dev.donjon.common.OneLine;
import dev.donjon.host.protocol.ClientSession;
import dev.donjon.host.protocol.Delivery;
import dev.donjon.host.protocol.DeployContext;
import dev.donjon.host.protocol.KeepBinding;
import dev.donjon.host.protocol.KeepOffer;
import dev.donjon.host.protocol.OutputCipher;
import dev.donjon.host.protocol.OutputFrame;
import dev.donjon.host.protocol.ProtocolException;
import dev.donjon.host.protocol.SealedPackage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code donjon deploy}: nonce -> create a Keep -> appraise its evidence -> (only if trusted) seal the package to its
 * key and send it -> stream the guest's stdin to it (sealed) and its decrypted output back -> the guest's exit code.
 * Any failure before sealing sends nothing but a request to stop the Keep.
 */
public final class Deployer {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long a failed stdin upload waits for the guest's end before it is reported as lost. */
    private static final Duration INPUT_GRACE = Duration.ofSeconds(2);

    /** Deployment settings beside the trust decision. */
    public record Options(
            URI host,
            Optional<String> backend,
            long memoryMiB,
            Optional<Duration> maxTime,
            Optional<Duration> maxCpuTime,
            AgentCredentials credentials) {
        /** No credentials for the agent (one started with --insecure-plain-http). */
        public Options(
                URI host,
                Optional<String> backend,
                long memoryMiB,
                Optional<Duration> maxTime,
                Optional<Duration> maxCpuTime) {
            this(host, backend, memoryMiB, maxTime, maxCpuTime, AgentCredentials.none());
        }

        /** No CPU-time limit. */
        public Options(URI host, Optional<String> backend, long memoryMiB, Optional<Duration> maxTime) {
            this(host, backend, memoryMiB, maxTime, Optional.empty());
        }

        /** {@code donjon run}'s default guest memory, 512 MiB (the agent keeps spare Keeps for that size). */
        public static final long DEFAULT_MEMORY_MIB = 512;

        public static Options to(URI host) {
            return new Options(host, Optional.empty(), DEFAULT_MEMORY_MIB, Optional.empty());
        }

        public Options withCredentials(AgentCredentials value) {
            return new Options(host, backend, memoryMiB, maxTime, maxCpuTime, value);
        }
    }

    /** What the user is told as the deployment progresses (on stderr, by the CLI). */
    public interface Progress {
        void keepCreated(String keepId, String backend);

        void trusted(Appraisal.Trusted appraisal);

        void sent(String keepId);

        /** The guest's stdin could not be (fully) delivered while it ran: it will not read end-of-file. */
        default void inputLost(String reason) {}

        Progress SILENT = new Progress() {
            public void keepCreated(String keepId, String backend) {}

            public void trusted(Appraisal.Trusted appraisal) {}

            public void sent(String keepId) {}
        };
    }

    private final Options options;
    private final KeepAppraiser appraiser;
    private final Progress progress;
    private volatile String keepId;

    public Deployer(Options options, TrustOptions trust, Progress progress) {
        this(options, new KeepAppraiser(trust, Clock.systemUTC()), progress);
    }

    public Deployer(Options options, KeepAppraiser appraiser, Progress progress) {
        this.options = options;
        this.appraiser = appraiser;
        this.progress = progress;
    }

    /** The Keep being deployed to, once created. */
    public Optional<String> keepId() {
        return Optional.ofNullable(keepId);
    }

    /** Deploys with an empty stdin and streams the guest's output until it ends; returns the guest's exit code. */
    public int deploy(Delivery pkg, OutputStream stdout, OutputStream stderr) throws DeployException, IOException {
        return deploy(pkg, InputStream.nullInputStream(), stdout, stderr);
    }

    /**
     * Deploys, sends {@code stdin} to the guest as it comes (sealed to the Keep; its end is the guest's end-of-file),
     * and streams the guest's output until it ends.
     *
     * @return the guest's exit code
     */
    public int deploy(Delivery pkg, InputStream stdin, OutputStream stdout, OutputStream stderr)
            throws DeployException, IOException {
        byte[] nonce = new byte[KeepBinding.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try (AgentClient agent = new AgentClient(options.host(), options.credentials())) {
            KeepOffer offer;
            try {
                offer = KeepOffer.parse(agent.createKeep(
                        nonce, options.backend(), options.memoryMiB(), options.maxTime(), options.maxCpuTime()));
            } catch (ProtocolException e) {
                throw new DeployException("the host agent's answer is not a Keep offer: " + e.getMessage());
            }
            keepId = offer.keepId();
            progress.keepCreated(offer.keepId(), offer.backend());

            Appraisal appraisal = appraiser.appraise(offer, nonce);
            if (appraisal instanceof Appraisal.Refused r) {
                stopQuietly(agent, offer.keepId());
                throw new DeployException(
                        "refusing to deploy to Keep " + offer.keepId() + ": " + r.reason() + "; nothing was sent");
            }
            progress.trusted((Appraisal.Trusted) appraisal);

            ClientSession session;
            SealedPackage sealed;
            try {
                session = ClientSession.start(offer.publicKey(), new DeployContext(offer.keepId(), nonce));
                sealed = session.seal(pkg);
            } catch (ProtocolException | IllegalArgumentException e) {
                stopQuietly(agent, offer.keepId());
                throw new DeployException("cannot seal the package to Keep " + offer.keepId() + ": " + e.getMessage());
            }
            agent.sendPackage(offer.keepId(), sealed.encode());
            progress.sent(offer.keepId());
            AtomicBoolean ended = new AtomicBoolean();
            SealedInput input = new SealedInput(stdin, session.input());
            String id = offer.keepId();
            Thread.ofPlatform().daemon().name("donjon-deploy-stdin").start(() -> upload(agent, id, input, ended));
            try {
                return stream(agent, offer.keepId(), session.output(), stdout, stderr);
            } finally {
                ended.set(true);
            }
        } catch (AgentClient.AgentException e) {
            throw new DeployException(e.getMessage());
        }
    }

    private static int stream(
            AgentClient agent, String keepId, OutputCipher cipher, OutputStream stdout, OutputStream stderr)
            throws IOException, AgentClient.AgentException, DeployException {
        try (InputStream in = agent.openOutput(keepId)) {
            while (true) {
                Optional<AgentClient.OutputRecord> next = AgentClient.next(in);
                if (next.isEmpty())
                    throw new DeployException(
                            "the output stream from Keep " + keepId + " ended before the workload did");
                switch (next.get()) {
                    case AgentClient.OutputRecord.Notice n ->
                        throw new DeployException("Keep " + keepId + " ended before the workload did: " + n.text());
                    case AgentClient.OutputRecord.Chunk c -> {
                        OutputFrame frame;
                        try {
                            frame = cipher.open(c.ciphertext());
                        } catch (ProtocolException e) {
                            throw new DeployException("Keep " + keepId + " output: " + e.getMessage());
                        }
                        switch (frame) {
                            case OutputFrame.Stdout s -> {
                                stdout.write(s.data());
                                stdout.flush();
                            }
                            case OutputFrame.Stderr s -> {
                                stderr.write(s.data());
                                stderr.flush();
                            }
                            case OutputFrame.Exit e -> {
                                return e.code();
                            }
                            case OutputFrame.Failed f ->
                                throw new DeployException("the workload failed in Keep " + keepId + ": " + f.reason());
                        }
                    }
                }
            }
        }
    }

    /** Uploads the guest's stdin, one upload after another, until its end (or the deployment's). */
    private void upload(AgentClient agent, String keepId, SealedInput input, AtomicBoolean ended) {
        while (!input.ended()) {
            try {
                agent.sendInput(keepId, input.nextUpload()).join();
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                try {
                    Thread.sleep(
                            INPUT_GRACE.toMillis()); // the guest may have just ended: then its output says so first
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                }
                if (!ended.get()) progress.inputLost(OneLine.of(e.getCause() != null ? e.getCause() : e));
                return;
            }
        }
    }

    private static void stopQuietly(AgentClient agent, String keepId) {
        try {
            agent.stopKeep(keepId);
        } catch (IOException | AgentClient.AgentException ignored) {
            // best effort: the agent also stops Keeps that never get a package
        }
    }

    /** Asks the agent to stop the Keep (e.g. when the user interrupts the deployment). */
    public void stop() {
        String id = keepId;
        if (id == null) return;
        try (AgentClient agent = new AgentClient(options.host(), options.credentials())) {
            stopQuietly(agent, id);
        }
    }
}
