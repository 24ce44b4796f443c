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
 * The agent's view of one Keep process: relays frames, holds the (encrypted) output until the client reads it, and
 * knows why the process ended. Everything it handles is public or ciphertext.
 */
final class KeepProcess {

    enum State { STARTING, AWAITING_PACKAGE, RUNNING, ENDED }

    /** What the Keep answered to a package: accepted, or refused with a reason. */
    record PackageReply(boolean accepted, String reason) {}

    /** The output as it stands: chunks so far, and, once ended, why. */
    record Snapshot(List<byte[]> chunks, Optional<String> endNotice) {}

    static final long MAX_BUFFERED_OUTPUT = 64L << 20;
    private static final int STDERR_LINES = 20;

    final String id;
    final String backend;
    final KeepLimits limits;
    final Instant created = Instant.now();
    private final Process process;
    private final OutputStream toKeep;
    private final CompletableFuture<byte[]> offer = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<CompletableFuture<PackageReply>> pendingReplies = new ConcurrentLinkedQueue<>();
    private final List<byte[]> chunks = new ArrayList<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private long bufferedBytes;
    private State state = State.STARTING;
    private String endNotice;
    private volatile String stopReason;

    KeepProcess(String id, String backend, KeepLimits limits, Process process, Tap tap) {
        this.id = id;
        this.backend = backend;
        this.limits = limits;
        this.process = process;
        this.toKeep = tap.tap(Tap.Channel.KEEP_IN, process.getOutputStream());
        InputStream fromKeep = tap.tap(Tap.Channel.KEEP_OUT, process.getInputStream());
        InputStream errors = tap.tap(Tap.Channel.KEEP_ERR, process.getErrorStream());
        // Platform threads: a pipe read blocks in the kernel for the Keep's whole life, and on a virtual thread it can
        // hold one of the few carriers (2 on a 2-core host: two spare Keeps' readers once starved the agent's HTTP handler).
        Thread.ofPlatform().daemon().name("keep-" + id + "-out").start(() -> readFrames(fromKeep));
        Thread.ofPlatform().daemon().name("keep-" + id + "-err").start(() -> readErrors(errors));
    }

    long pid() { return process.pid(); }

    boolean alive() { return process.isAlive(); }

    /** Completes when the Keep has made its offer (and only then). */
    CompletableFuture<Void> offered() { return offer.thenAccept(o -> {}); }

    synchronized State state() { return state; }

    /** Sends the client's nonce and waits for the Keep's offer (its key and evidence). */
    byte[] hello(byte[] nonce, Duration timeout) throws KeepFailedException {
        return exchange(LinkFrame.of(LinkFrame.Type.HELLO, nonce), offer, timeout, () -> {
            stop("the Keep did not answer within " + timeout.toSeconds() + " s");
            return "the Keep did not start within " + timeout.toSeconds() + " s and was stopped";
        });
    }

    /** Relays a sealed package and waits for the Keep to accept or refuse it. */
    PackageReply deliver(byte[] sealed, Duration timeout) throws KeepFailedException {
        CompletableFuture<PackageReply> reply = new CompletableFuture<>();
        synchronized (this) {
            if (state == State.ENDED) throw new KeepFailedException(endNoticeOr("the Keep has ended"));
            pendingReplies.add(reply);
        }
        return exchange(LinkFrame.of(LinkFrame.Type.PACKAGE, sealed), reply, timeout,
                () -> "the Keep did not answer the package within " + timeout.toSeconds() + " s");
    }

    /**
     * Relays one sealed chunk of the guest's stdin into the Keep's pipe (blocking while the pipe is full: the guest's
     * pace). False if the Keep is not running (not yet given its package, or ended): its input is then refused.
     */
    boolean relayInput(byte[] sealedChunk) {
        if (state() != State.RUNNING) return false;
        try {
            send(LinkFrame.of(LinkFrame.Type.INPUT, sealedChunk));
            return true;
        } catch (IOException e) {
            return false; // the Keep's pipe closed: it has ended
        }
    }

    /** Sends a frame and waits for the Keep's answer to it; every way that fails is one line for the client. */
    private <T> T exchange(LinkFrame frame, CompletableFuture<T> answer, Duration timeout, java.util.function.Supplier<String> onTimeout)
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
        return new Snapshot(List.copyOf(chunks.subList(Math.min(seen, chunks.size()), chunks.size())),
                state == State.ENDED ? Optional.of(endNotice) : Optional.empty());
    }

    synchronized Optional<String> endNotice() { return Optional.ofNullable(endNotice); }

    private synchronized String endNoticeOr(String fallback) { return endNotice != null ? endNotice : fallback; }

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
                        synchronized (this) { state = State.AWAITING_PACKAGE; }
                        offer.complete(f.payload());
                    }
                    case ACCEPTED -> {
                        synchronized (this) { state = State.RUNNING; }
                        reply(new PackageReply(true, ""));
                    }
                    case REFUSED -> {
                        String reason = new String(f.payload(), StandardCharsets.UTF_8);
                        if (!offer.isDone()) offer.completeExceptionally(new KeepFailedException("the Keep refused to start: " + reason));
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
        boolean overflow;
        synchronized (this) {
            bufferedBytes += chunk.length;
            overflow = bufferedBytes > MAX_BUFFERED_OUTPUT;
            if (!overflow) {
                chunks.add(chunk);
                notifyAll();
            }
        }
        if (overflow) stop("its output passed the agent's " + (MAX_BUFFERED_OUTPUT >> 20) + " MiB buffer");
    }

    private void ended() {
        int code;
        try {
            code = process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            code = -1;
        }
        String notice;
        if (stopReason != null) notice = "the Keep was stopped: " + stopReason;
        else if (code == KeepMain.EXIT_DONE) notice = "the Keep finished";
        else if (code == KeepMain.EXIT_REFUSED) notice = "the Keep refused the deployment and exited";
        else notice = "the Keep process died (exit code " + code + ")" + lastError();
        synchronized (this) {
            state = State.ENDED;
            endNotice = notice;
            notifyAll();
        }
        KeepFailedException gone = new KeepFailedException(notice);
        offer.completeExceptionally(gone);
        for (CompletableFuture<PackageReply> r; (r = pendingReplies.poll()) != null; ) r.completeExceptionally(gone);
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

    /** The Keep failed or ended; the message is one line for the client. */
    static final class KeepFailedException extends Exception {
        KeepFailedException(String message) { super(message); }
    }
}
