package dev.donjon.host.agent;

import dev.donjon.host.keep.KeepMain;
import dev.donjon.host.link.LinkFrame;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The agent's view of one Keep process: relays frames, holds the (encrypted) output until the client reads it (within
 * the agent's {@link OutputBudget}), and knows why the process ended. Everything it handles is public or ciphertext.
 * It holds its {@link Admission.Reservation} until the process has exited.
 */
final class KeepProcess {

    enum State {
        STARTING,
        AWAITING_PACKAGE,
        RUNNING,
        ENDED
    }

    /** What the Keep answered to a package: accepted, or refused with a reason. */
    record PackageReply(boolean accepted, String reason) {}

    /** The output as it stands: chunks so far, and, once ended, why. */
    record Snapshot(List<byte[]> chunks, Optional<String> endNotice) {}

    private static final int STDERR_LINES = 20;

    final String id;
    final String backend;
    final KeepLimits limits;
    final Instant created = Instant.now();
    private final Process process;
    private final Admission.Reservation reservation;
    private final OutputBudget output;
    private final OutputStream toKeep;
    private final Thread errorReader;
    private final CompletableFuture<byte[]> offer = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<CompletableFuture<PackageReply>> pendingReplies = new ConcurrentLinkedQueue<>();
    private final List<byte[]> chunks = new ArrayList<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private long bufferedBytes;
    /** Once a chunk could not be buffered, none after it is (a gap would only make the client's decryption fail later). */
    private boolean outputStopped;
    /** Why the output buffered so far was dropped, if it was. */
    private String discarded;

    private boolean forgotten;
    private State state = State.STARTING;
    private String endNotice;
    private volatile String stopReason;
    private boolean inputClaimed;

    KeepProcess(
            String id,
            String backend,
            KeepLimits limits,
            Process process,
            Admission.Reservation reservation,
            OutputBudget output,
            Tap tap) {
        this.id = id;
        this.backend = backend;
        this.limits = limits;
        this.process = process;
        this.reservation = reservation;
        this.output = output;
        this.toKeep = tap.tap(Tap.Channel.KEEP_IN, process.getOutputStream());
        InputStream fromKeep = tap.tap(Tap.Channel.KEEP_OUT, process.getInputStream());
        InputStream errors = tap.tap(Tap.Channel.KEEP_ERR, process.getErrorStream());
        // Platform threads: a pipe read blocks in the kernel for the Keep's whole life, and on a virtual thread it can
        // hold one of the few carriers (2 on a 2-core host: two spare Keeps' readers once starved the agent's HTTP
        // handler).
        this.errorReader =
                Thread.ofPlatform().daemon().name("keep-" + id + "-err").start(() -> readErrors(errors));
        Thread.ofPlatform().daemon().name("keep-" + id + "-out").start(() -> readFrames(fromKeep));
    }

    long pid() {
        return process.pid();
    }

    /** Who created this Keep; empty while it is a spare nobody has taken yet. */
    Optional<Principal> owner() {
        return reservation.owner();
    }

    Admission.Reservation reservation() {
        return reservation;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Completes when the Keep has made its offer (and only then). */
    CompletableFuture<Void> offered() {
        return offer.thenAccept(o -> {});
    }

    synchronized State state() {
        return state;
    }

    /** Sends the client's nonce and waits for the Keep's offer (its key and evidence). */
    byte[] hello(byte[] nonce, Duration timeout) throws KeepFailedException {
        return exchange(LinkFrame.of(LinkFrame.Type.HELLO, nonce), offer, timeout, () -> {
            stop("the Keep did not answer within " + timeout.toSeconds() + " s");
            return "the Keep did not start within " + timeout.toSeconds() + " s and was stopped";
        });
    }

    /**
     * Relays a sealed package and waits for the Keep to accept or refuse it.
     *
     * @throws NotReadyException the Keep has not made its offer yet: nothing is relayed (a package before the offer
     *     could only be someone else's, and would end the Keep)
     */
    PackageReply deliver(byte[] sealed, Duration timeout) throws KeepFailedException, NotReadyException {
        CompletableFuture<PackageReply> reply = new CompletableFuture<>();
        synchronized (this) {
            if (state == State.ENDED) throw new KeepFailedException(endNoticeOr("the Keep has ended"));
            if (state == State.STARTING)
                throw new NotReadyException(
                        "the Keep has not made its offer yet: its package can only follow the offer");
            pendingReplies.add(reply);
        }
        return exchange(
                LinkFrame.of(LinkFrame.Type.PACKAGE, sealed),
                reply,
                timeout,
                () -> "the Keep did not answer the package within " + timeout.toSeconds() + " s");
    }

    /**
     * Takes the Keep's input for one upload: only while it runs, and one upload at a time (two at once would interleave;
     * one after another continue each other, the Keep checking the chunks' order).
     */
    synchronized boolean claimInput() {
        if (state != State.RUNNING || inputClaimed) return false;
        inputClaimed = true;
        return true;
    }

    /** The upload holding the input ended. */
    synchronized void releaseInput() {
        inputClaimed = false;
    }

    /** Relays one sealed input chunk; blocks while the Keep's pipe is full (the guest is not reading). */
    void sendInput(byte[] sealedChunk) throws KeepFailedException {
        try {
            send(LinkFrame.of(LinkFrame.Type.INPUT, sealedChunk));
        } catch (IOException e) {
            throw new KeepFailedException(endNoticeOr("the Keep process is gone"));
        }
    }

    /** Sends a frame and waits for the Keep's answer to it; every way that fails is one line for the client. */
    private <T> T exchange(
            LinkFrame frame,
            CompletableFuture<T> answer,
            Duration timeout,
            java.util.function.Supplier<String> onTimeout)
            throws KeepFailedException {
        try {
            send(frame);
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new KeepFailedException(onTimeout.get());
        } catch (ExecutionException e) {
            throw new KeepFailedException(e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeepFailedException("interrupted");
        } catch (IOException e) {
            throw new KeepFailedException(endNoticeOr("the Keep process is gone"));
        }
    }

    private void send(LinkFrame frame) throws IOException {
        synchronized (toKeep) {
            frame.writeTo(toKeep);
        }
    }

    /** Waits until there are more than {@code seen} chunks or the Keep has ended. */
    synchronized Snapshot awaitOutput(int seen, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (chunks.size() <= seen && state != State.ENDED) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return new Snapshot(
                List.copyOf(chunks.subList(Math.min(seen, chunks.size()), chunks.size())),
                state == State.ENDED ? endNotice() : Optional.empty());
    }

    /** How the Keep ended, and whether its output was dropped since. */
    synchronized Optional<String> endNotice() {
        if (endNotice == null) return Optional.empty();
        return Optional.of(discarded == null ? endNotice : endNotice + " (" + discarded + ")");
    }

    /** Output held for the client, in bytes. */
    synchronized long bufferedBytes() {
        return bufferedBytes;
    }

    /** A reader received everything up to the end notice: an ended Keep's output need not be held any more. */
    void delivered() {
        synchronized (this) {
            if (state != State.ENDED || bufferedBytes == 0) return;
        }
        discardOutput("its output was delivered to a reader, then released");
    }

    /** Drops the output buffered so far and gives its room back to the agent's budget. */
    void discardOutput(String why) {
        long freed;
        synchronized (this) {
            freed = bufferedBytes;
            if (freed == 0 && discarded != null) return;
            chunks.clear();
            bufferedBytes = 0;
            outputStopped = true;
            if (discarded == null) discarded = why;
            notifyAll();
        }
        output.forget(this);
        if (freed > 0) output.release(freed);
    }

    /** The agent no longer lists this Keep: its output, now or when it ends, is dropped at once. */
    void forget() {
        synchronized (this) {
            forgotten = true;
        }
        discardOutput("the Keep was removed");
    }

    private synchronized String endNoticeOr(String fallback) {
        return endNotice != null ? endNotice : fallback;
    }

    /** Kills the Keep process (it holds nothing worth flushing: its memory is the workload's and must just go). */
    void stop(String reason) {
        if (stopReason == null) stopReason = reason;
        process.destroyForcibly();
    }

    boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void readFrames(InputStream in) {
        try {
            while (true) {
                LinkFrame f = LinkFrame.readFrom(in);
                switch (f.type()) {
                    case OFFER -> {
                        synchronized (this) {
                            state = State.AWAITING_PACKAGE;
                        }
                        offer.complete(f.payload());
                    }
                    case ACCEPTED -> {
                        synchronized (this) {
                            state = State.RUNNING;
                        }
                        reply(new PackageReply(true, ""));
                    }
                    case REFUSED -> {
                        String reason = new String(f.payload(), StandardCharsets.UTF_8);
                        if (!offer.isDone())
                            offer.completeExceptionally(
                                    new KeepFailedException("the Keep refused to start: " + reason));
                        else reply(new PackageReply(false, reason));
                    }
                    case OUTPUT -> addChunk(f.payload());
                    default -> throw new IOException("unexpected " + f.type() + " from the Keep");
                }
            }
        } catch (EOFException e) {
            // normal end of the Keep
        } catch (IOException e) {
            stop("the Keep broke the link protocol: " + e.getMessage());
        }
        ended();
    }

    private void reply(PackageReply r) {
        CompletableFuture<PackageReply> waiting = pendingReplies.poll();
        if (waiting != null) waiting.complete(r);
    }

    private void addChunk(byte[] chunk) {
        OutputBudget.Limits l = output.limits();
        String refused;
        synchronized (this) {
            if (outputStopped) return;
            refused = bufferedBytes + chunk.length > l.perKeepBytes()
                    ? "its output passed the agent's " + (l.perKeepBytes() >> 20) + " MiB buffer per Keep"
                    : null;
            if (refused != null) outputStopped = true;
        }
        // the budget's lock is never taken while this Keep's is held (it takes other Keeps' to discard their output)
        if (refused == null && !output.take(chunk.length)) {
            refused = "the agent's output buffer (" + (l.totalBytes() >> 20) + " MiB for all Keeps) is full";
            synchronized (this) {
                outputStopped = true;
            }
        }
        if (refused != null) {
            stop(refused);
            return;
        }
        synchronized (this) {
            bufferedBytes += chunk.length;
            chunks.add(chunk);
            notifyAll();
        }
    }

    private void ended() {
        int code;
        try {
            code = process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            code = -1;
        }
        try {
            errorReader.join(1000); // its last lines (say, the JVM's out-of-memory message) explain the end
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String notice;
        if (stopReason != null) notice = "the Keep was stopped: " + stopReason;
        else if (code == KeepMain.EXIT_DONE) notice = "the Keep finished";
        else if (ranOutOfMemory())
            notice = "the Keep process ran out of memory" + lastError(); // its exit code is 3 too
        else if (code == KeepMain.EXIT_REFUSED) notice = "the Keep refused the deployment and exited";
        else notice = "the Keep process died (exit code " + code + ")" + lastError();
        boolean holdsOutput;
        synchronized (this) {
            state = State.ENDED;
            endNotice = notice;
            holdsOutput = bufferedBytes > 0 && !forgotten;
            notifyAll();
        }
        reservation.release(); // the process has exited: its memory is the host's again
        if (holdsOutput) output.ended(this);
        KeepFailedException gone = new KeepFailedException(notice);
        offer.completeExceptionally(gone);
        for (CompletableFuture<PackageReply> r; (r = pendingReplies.poll()) != null; ) r.completeExceptionally(gone);
    }

    /** {@code -XX:+ExitOnOutOfMemoryError} says so on stderr and exits with 3, the code of a refused deployment. */
    private synchronized boolean ranOutOfMemory() {
        return stderrTail.stream().anyMatch(l -> l.contains("java.lang.OutOfMemoryError"));
    }

    private synchronized String lastError() {
        return stderrTail.isEmpty() ? "" : ": " + stderrTail.peekLast();
    }

    private void readErrors(InputStream err) {
        // the Keep writes only its own diagnostics here (never guest output); keep the last lines to explain a crash
        try (BufferedReader r = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (this) {
                    if (stderrTail.size() == STDERR_LINES) stderrTail.removeFirst();
                    stderrTail.addLast(line.length() > 300 ? line.substring(0, 300) : line);
                }
            }
        } catch (IOException ignored) {
            // process gone
        }
    }

    /** The Keep cannot take this request in its present state; the message is one line for the client. */
    static final class NotReadyException extends Exception {
        NotReadyException(String message) {
            super(message);
        }
    }

    /** The Keep failed or ended; the message is one line for the client. */
    static final class KeepFailedException extends Exception {
        KeepFailedException(String message) {
            super(message);
        }
    }
}
