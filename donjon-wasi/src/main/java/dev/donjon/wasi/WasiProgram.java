package dev.donjon.wasi;

import dev.donjon.wasi.chicory.ChicoryModule;
import dev.donjon.wasi.chicory.split.LargeFunctionSplitter;
import dev.donjon.wasi.host.Connection;
import dev.donjon.wasi.host.Descriptor;
import dev.donjon.wasi.host.FdTable;
import dev.donjon.wasi.host.HostFunction;
import dev.donjon.wasi.host.MemoryFiles;
import dev.donjon.wasi.host.TlsConnection;
import dev.donjon.wasi.host.Wasi;
import dev.donjon.wasi.host.WasiPreview1;
import dev.donjon.wasi.linux.Linux;
import dev.donjon.wasi.linux.LinuxException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * A validated, compiled WASI command. Load once (the compile is the slow part), run many times: each run
 * gets a fresh instance, memory and fd table.
 */
public final class WasiProgram {
    private static final Map<String, HostFunction> WASI =
            ChicoryModule.byName(new WasiPreview1(List.of(), List.of(), new FdTable(3)).functions());

    private final ChicoryModule module;

    private WasiProgram(ChicoryModule module) {
        this.module = module;
    }

    /**
     * Checks and compiles a module.
     *
     * @throws ModuleRejectedException with a one-line reason ("not a WebAssembly module (bad magic)",
     *     "module has no _start export (not a WASI command)", "unknown import env::puts", ...)
     */
    public static WasiProgram load(byte[] wasm) {
        return load(wasm, CompiledModuleCache.disabled());
    }

    /** As {@link #load(byte[])}, skipping the compile when {@code cache} holds this module's compiled form. */
    public static WasiProgram load(byte[] wasm, CompiledModuleCache cache) {
        return new WasiProgram(ChicoryModule.compile(wasm, WASI, cache));
    }

    /** As {@link #load(byte[])}, with large functions split by {@code splitter} (null: not at all): for tests. */
    static WasiProgram loadSplitting(byte[] wasm, LargeFunctionSplitter splitter) {
        return new WasiProgram(ChicoryModule.compile(wasm, WASI, splitter));
    }

    /**
     * Runs the guest to completion on a new thread and waits for it. Interrupting the calling thread stops
     * the guest.
     *
     * @return the guest's exit code
     * @throws GuestFailedException if it trapped, exceeded a limit or was stopped
     */
    public int run(WasiOptions options) {
        GuestRun run = start(options);
        try {
            return run.await();
        } catch (InterruptedException e) {
            run.stop();
            Thread.currentThread().interrupt();
            throw new GuestFailedException(GuestFailedException.Reason.STOPPED, "guest was stopped");
        }
    }

    /** Starts the guest on its own thread; the returned handle waits for it or stops it. */
    public GuestRun start(WasiOptions options) {
        Linux sys = options.preopens().isEmpty() ? null : linux();
        FdTable fds;
        try {
            fds = fdTable(options, sys);
        } catch (RuntimeException e) {
            if (sys != null) sys.close();
            throw e;
        }
        WasiPreview1 wasi = new WasiPreview1(options.args(), options.env(), fds, sys);
        return GuestRun.start(
                () -> {
                    try {
                        return module.run(wasi.functions(), options.limits().maxMemoryPages());
                    } finally {
                        wasi.close();
                    }
                },
                options.limits());
    }

    private static Linux linux() {
        try {
            return new Linux();
        } catch (UnsupportedOperationException e) {
            throw new WasiException(e.getMessage());
        }
    }

    private static FdTable fdTable(WasiOptions options, Linux sys) {
        FdTable fds = new FdTable(options.limits().maxOpenFds());
        try {
            int configured = options.fds().size()
                    + options.preopens().size()
                    + options.memoryDirectories().size();
            if (configured > options.limits().maxOpenFds()) {
                throw new WasiException("the configuration opens " + configured + " fds, over the fd limit of "
                        + options.limits().maxOpenFds());
            }
            for (FdSpec spec : options.fds()) fds.append(descriptor(spec));
            for (Preopen p : options.preopens()) {
                try {
                    fds.append(Descriptor.Dir.preopen(sys, p.hostDir(), p.guestPath()));
                } catch (LinuxException e) {
                    throw new WasiException(
                            switch (e.errno) {
                                case Linux.ENOENT -> "preopened directory " + p.hostDir() + " does not exist";
                                case Linux.ENOTDIR -> "preopened path " + p.hostDir() + " is not a directory";
                                case Linux.EACCES ->
                                    "preopened directory " + p.hostDir() + " is not accessible (permission denied)";
                                default ->
                                    "cannot open preopened directory " + p.hostDir() + " (errno " + e.errno + ")";
                            });
                }
            }
            for (MemoryDirectory m : options.memoryDirectories()) fds.append(MemoryFiles.preopen(m));
            return fds;
        } catch (RuntimeException e) {
            fds.closeAll();
            throw e;
        }
    }

    private static Descriptor descriptor(FdSpec spec) {
        return switch (spec) {
            case FdSpec.NullDevice n -> new Descriptor.Null();
            case FdSpec.Stdin in ->
                new Descriptor.Input(in.in(), filetype(in.kind()), in.kind() == StreamKind.CHARACTER_DEVICE);
            case FdSpec.Stdout out ->
                new Descriptor.Output(out.out(), filetype(out.kind()), out.kind() == StreamKind.CHARACTER_DEVICE);
            case FdSpec.Stderr err ->
                new Descriptor.Output(err.out(), filetype(err.kind()), err.kind() == StreamKind.CHARACTER_DEVICE);
            case FdSpec.Listener l -> {
                l.tls()
                        .ifPresent(context -> checkTls(
                                l.name(), () -> TlsConnection.serverEngine(context, l.requireClientCertificate())));
                nonBlocking(l.channel());
                yield new Descriptor.Listener(l.channel(), l.tls(), l.requireClientCertificate());
            }
            case FdSpec.Stream s -> {
                nonBlocking(s.channel());
                if (s.tls().isEmpty()) yield new Descriptor.Socket(new Connection.Plain(s.channel()));
                if (s.peerHost() == null || s.peerHost().isBlank()) {
                    throw new WasiException("TLS connection " + s.name() + " has no peer host name to verify");
                }
                checkTls(s.name(), () -> TlsConnection.clientEngine(s.tls().get(), s.peerHost(), -1));
                try {
                    yield new Descriptor.Socket(
                            TlsConnection.client(s.channel(), s.tls().get(), s.peerHost()));
                } catch (IOException e) {
                    throw new WasiException(
                            "TLS connection " + s.name() + " to " + s.peerHost() + " failed: " + e.getMessage());
                }
            }
        };
    }

    /** The WASI file type a guest is told for a stdio stream: what wasmtime says (a pipe, a socket: unknown). */
    private static int filetype(StreamKind kind) {
        return switch (kind) {
            case TERMINAL, CHARACTER_DEVICE -> Wasi.FILETYPE_CHARACTER_DEVICE;
            case REGULAR_FILE -> Wasi.FILETYPE_REGULAR_FILE;
            case PIPE, SOCKET, STREAM -> Wasi.FILETYPE_UNKNOWN;
        };
    }

    /** A context that cannot do TLS 1.3 (or is not initialised) is refused before the guest starts. */
    private static void checkTls(String name, java.util.function.Supplier<javax.net.ssl.SSLEngine> engine) {
        try {
            var _ = engine.get(); // made only to see that it can be
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new WasiException(
                    "fd " + name + ": the TLS context cannot serve " + TlsConnection.PROTOCOL + ": " + e.getMessage());
        }
    }

    private static void nonBlocking(java.nio.channels.SelectableChannel ch) {
        try {
            ch.configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
