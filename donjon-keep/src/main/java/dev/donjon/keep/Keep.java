package dev.donjon.keep;

import dev.donjon.config.EnarxConfig;
import dev.donjon.config.Protocol;
import dev.donjon.config.WorkloadFile;
import dev.donjon.wasi.CompiledModuleCache;
import dev.donjon.wasi.FdSpec;
import dev.donjon.wasi.GuestRun;
import dev.donjon.wasi.MemoryDirectory;
import dev.donjon.wasi.WasiLimits;
import dev.donjon.wasi.WasiOptions;
import dev.donjon.wasi.WasiProgram;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * A Keep on the {@code nil} backend: a checked module, its identity when it needs one, its sockets opened, ready
 * to run. {@link #open} does everything that can fail before the guest starts, so that a bad module, a refused
 * identity or a port in use is reported without running anything.
 */
public final class Keep implements Closeable {

    /** A socket the Keep listens on for the guest. */
    public record Listening(String name, InetSocketAddress address, Protocol prot) {
        /** e.g. {@code ECHO: tcp on [::]:10010}. */
        @Override
        public String toString() {
            java.net.InetAddress a = address.getAddress();
            String host = a.isAnyLocalAddress()
                    ? (a instanceof java.net.Inet6Address ? "::" : "0.0.0.0")
                    : a.getHostAddress();
            return name + ": " + prot.key() + " on " + SocketOpener.hostPort(host, address.getPort());
        }
    }

    private final WasiProgram program;
    private final WasiOptions options;
    private final List<Listening> listening;
    private final List<Closeable> sockets;
    /** The in-memory secrets directory, wiped once the guest is done with it. */
    private final Optional<MemoryDirectory> secrets;

    private boolean handedOver;

    private Keep(
            WasiProgram program,
            WasiOptions options,
            List<Listening> listening,
            List<Closeable> sockets,
            Optional<MemoryDirectory> secrets) {
        this.program = program;
        this.options = options;
        this.listening = List.copyOf(listening);
        this.sockets = sockets;
        this.secrets = secrets;
    }

    /**
     * Checks the module, makes the identity (only for a steward or TLS files), opens the configured sockets.
     *
     * @throws dev.donjon.wasi.ModuleRejectedException the module is not a runnable WASI command
     * @throws KeepException the identity or a socket cannot be made
     */
    public static Keep open(Workload workload, Stdio stdio, WasiLimits limits, IdentityProvider identity) {
        return open(workload, stdio, limits, identity, CompiledModuleCache.disabled());
    }

    /**
     * As {@link #open(Workload, Stdio, WasiLimits, IdentityProvider)}, with the module's compiled form taken from (or
     * put in) {@code compiled}: only for a Keep outside a TEE, whose code need not be measured.
     */
    public static Keep open(
            Workload workload,
            Stdio stdio,
            WasiLimits limits,
            IdentityProvider identity,
            CompiledModuleCache compiled) {
        return open(workload, stdio, limits, identity, compiled, NetworkPolicy.unrestricted());
    }

    /**
     * As {@link #open(Workload, Stdio, WasiLimits, IdentityProvider, CompiledModuleCache)}, with the host's rules for
     * what the sockets may reach and where they listen (a refused {@code connect} or {@code listen} stops the Keep
     * before the guest runs, as a closed port would).
     */
    public static Keep open(
            Workload workload,
            Stdio stdio,
            WasiLimits limits,
            IdentityProvider identity,
            CompiledModuleCache compiled,
            NetworkPolicy network) {
        WasiProgram program = WasiProgram.load(workload.module(), compiled);
        EnarxConfig config = GuestEnvironment.configOrDefault(workload);
        Supplier<KeepTls> tls = tlsContext(config, identity, workload);
        if (config.steward().isPresent()) {
            var _ = tls.get(); // a Keep with a steward enrolls even without a TLS file, as in Enarx
        }
        Optional<GuestSecrets> secrets = Optional.empty();
        if (workload.secrets().isPresent()) {
            if (config.steward().isEmpty()) {
                throw new KeepException(
                        "the workload names secrets, but its Enarx.toml has no steward: the Keep has no certificate to present to the secret broker");
            }
            // before any socket opens: a Keep refused a secret does not start
            secrets = Optional.of(GuestSecrets.fetch(workload.secrets().get(), tls.get()));
        }

        List<FdSpec> fds = new ArrayList<>();
        List<Listening> listening = new ArrayList<>();
        List<Closeable> sockets = new ArrayList<>();
        try {
            for (WorkloadFile f : config.files()) {
                fds.add(
                        switch (f) {
                            case WorkloadFile.Null n -> new FdSpec.NullDevice(n.fdName());
                            case WorkloadFile.Stdin in -> new FdSpec.Stdin(stdio.in(), in.fdName(), stdio.inKind());
                            case WorkloadFile.Stdout out ->
                                new FdSpec.Stdout(stdio.out(), out.fdName(), stdio.outKind());
                            case WorkloadFile.Stderr err ->
                                new FdSpec.Stderr(stdio.err(), err.fdName(), stdio.errKind());
                            case WorkloadFile.Listen l -> {
                                Optional<KeepTls> ctx =
                                        l.prot() == Protocol.TLS ? Optional.of(tls.get()) : Optional.empty();
                                ServerSocketChannel ch = SocketOpener.listen(l, network);
                                sockets.add(ch);
                                listening.add(new Listening(l.name(), localAddress(ch), l.prot()));
                                yield new FdSpec.Listener(
                                        ch,
                                        l.name(),
                                        ctx.map(KeepTls::listen),
                                        ctx.map(KeepTls::requireClientCertificate)
                                                .orElse(false));
                            }
                            case WorkloadFile.Connect c -> {
                                Optional<SSLContext> ctx = c.prot() == Protocol.TLS
                                        ? Optional.of(tls.get().connect())
                                        : Optional.empty();
                                SocketChannel ch = SocketOpener.connect(c, network);
                                sockets.add(ch);
                                yield new FdSpec.Stream(ch, c.name(), ctx, c.host());
                            }
                        });
            }
            Map<String, String> secretEnv =
                    new LinkedHashMap<>(secrets.map(GuestSecrets::env).orElse(Map.of()));
            Optional<MemoryDirectory> secretDir = secrets.flatMap(GuestSecrets::dir);
            secretDir.ifPresent(d -> {
                // its fd comes after the configured files and the preopened host directories
                secretEnv.put(GuestSecrets.DIR_VARIABLE, d.guestPath());
                secretEnv.put(
                        GuestSecrets.FD_VARIABLE,
                        Integer.toString(fds.size() + workload.preopens().size()));
            });
            WasiOptions.Builder options = WasiOptions.builder()
                    .args(GuestEnvironment.argv(workload))
                    .env(GuestEnvironment.env(workload, secretEnv))
                    .fds(fds)
                    .limits(limits);
            workload.preopens().forEach(p -> options.preopen(p.hostDir(), p.guestPath()));
            secretDir.ifPresent(options::memoryDirectory);
            return new Keep(program, options.build(), listening, sockets, secretDir);
        } catch (RuntimeException e) {
            sockets.forEach(SocketOpener::close);
            secrets.flatMap(GuestSecrets::dir).ifPresent(MemoryDirectory::wipe);
            throw e;
        }
    }

    /** Asks the provider once, and only if something needs the identity. */
    private static Supplier<KeepTls> tlsContext(EnarxConfig config, IdentityProvider identity, Workload workload) {
        return new Supplier<>() {
            private KeepTls ctx;

            @Override
            public KeepTls get() {
                if (ctx == null) ctx = identity.tls(config.steward(), workload);
                return ctx;
            }
        };
    }

    private static InetSocketAddress localAddress(ServerSocketChannel ch) {
        try {
            return (InetSocketAddress) ch.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The listening sockets in file order, with the address actually bound (port 0 in the config gets a free port). */
    public List<Listening> listening() {
        return listening;
    }

    /** The options the guest runs with (argv, environment, fds). */
    public WasiOptions options() {
        return options;
    }

    /** Starts the guest; from here on the WASI host owns the sockets and closes them when the guest ends. */
    public synchronized GuestRun start() {
        if (handedOver) throw new IllegalStateException("a Keep runs its guest once");
        handedOver = true;
        try {
            return program.start(options);
        } catch (RuntimeException e) {
            // refused before the guest ran (a missing --dir, a TLS context that cannot serve): nothing owns the sockets
            // yet
            sockets.forEach(SocketOpener::close);
            throw e;
        }
    }

    /**
     * Runs the guest to its end.
     *
     * @return the guest's exit code
     * @throws dev.donjon.wasi.GuestFailedException it trapped, exceeded a limit or was stopped
     */
    public int run() throws InterruptedException {
        GuestRun run = start();
        try {
            return run.await();
        } catch (InterruptedException e) {
            run.stop();
            throw e;
        } finally {
            secrets.ifPresent(MemoryDirectory::wipe);
        }
    }

    /** Closes the sockets of a Keep whose guest never started. */
    @Override
    public synchronized void close() {
        if (handedOver) return;
        handedOver = true;
        sockets.forEach(SocketOpener::close);
        secrets.ifPresent(MemoryDirectory::wipe);
    }
}
