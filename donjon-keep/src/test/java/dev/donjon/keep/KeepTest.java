package dev.donjon.keep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.config.EnarxConfig;
import dev.donjon.config.Protocol;
import dev.donjon.wasi.ModuleRejectedException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** The guest's view of a Keep: argv, environment, fds, exit code; and what fails before the guest starts. */
class KeepTest {
    private static final byte[] SHOW_ENV = TestKeeps.testModule("show_env.wasm");

    @Test
    void withConfigTheGuestGetsFdVariablesFirstThenConfigEnvThenCommandLineEnv() throws Exception {
        EnarxConfig config = EnarxConfig.parse("""
                args = ["a", "b c"]
                [env]
                Z = "1"
                A = "from config"
                [[files]]
                kind = "null"
                name = "n0"
                [[files]]
                kind = "stdout"
                [[files]]
                kind = "stderr"
                [[files]]
                kind = "listen"
                prot = "tcp"
                name = "WEB"
                addr = "127.0.0.1"
                port = 0
                """);
        var k = TestKeeps.open(SHOW_ENV, Optional.of(config), List.of("x", "--env"), List.of("A=from cli", "NEW=v"));
        assertEquals(0, k.keep().run());
        assertEquals("""
                argv[0]=main.wasm
                argv[1]=a
                argv[2]=b c
                argv[3]=x
                argv[4]=--env
                env=FD_COUNT=4
                env=FD_NAMES=n0:stdout:stderr:WEB
                env=Z=1
                env=A=from cli
                env=NEW=v
                fd 0: chardev
                fd 1: other
                fd 2: other
                fd 3: socket
                """, k.stdout());
    }

    @Test
    void withoutConfigTheEnvironmentIsExactlyTheCommandLinePairs() throws Exception {
        var k = TestKeeps.open(SHOW_ENV, Optional.empty(), List.of("q"), List.of("ONLY=this"));
        assertEquals(0, k.keep().run());
        assertEquals("argv[0]=main.wasm\nargv[1]=q\nenv=ONLY=this\n", k.stdout());
        assertTrue(System.getenv().containsKey("PATH"), "the host has an environment the guest must not see");
    }

    @Test
    void exitCodeIsTheGuests() throws Exception {
        var k = TestKeeps.open(SHOW_ENV, Optional.empty(), List.of(), List.of("EXIT_CODE=42"));
        assertEquals(42, k.keep().run());
    }

    @Test
    void defaultConfigGivesTheStandardStreams() throws Exception {
        var k = TestKeeps.open(SHOW_ENV, Optional.of(EnarxConfig.parse("")), List.of(), List.of());
        assertEquals(0, k.keep().run());
        // the Keep's streams here are the test's buffers, no terminal: the guest is told so (file type unknown)
        assertTrue(
                k.stdout()
                        .contains(
                                "env=FD_COUNT=3\nenv=FD_NAMES=stdin:stdout:stderr\nfd 0: other\nfd 1: other\nfd 2: other\n"),
                k.stdout());
    }

    @Test
    void portInUseIsNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            EnarxConfig config = EnarxConfig.parse(TestKeeps.listen("WEB", "tcp", taken.getLocalPort()));
            KeepException e = assertThrows(
                    KeepException.class, () -> TestKeeps.open(SHOW_ENV, Optional.of(config), List.of(), List.of()));
            assertEquals("listen \"WEB\": port " + taken.getLocalPort() + " is already in use", e.getMessage());
        }
    }

    @Test
    void socketsOpenedBeforeAFailureAreClosed() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            EnarxConfig config = EnarxConfig.parse(
                    TestKeeps.listen("FIRST", "tcp", free) + TestKeeps.listen("SECOND", "tcp", taken.getLocalPort()));
            assertThrows(
                    KeepException.class, () -> TestKeeps.open(SHOW_ENV, Optional.of(config), List.of(), List.of()));
        }
        try (ServerSocket again = new ServerSocket()) {
            again.bind(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), free)); // would throw if FIRST had leaked
        }
    }

    /** The WASI host refuses the first listener's TLS context: the second listener, never handed over, is closed too. */
    @Test
    void socketsAreClosedWhenTheGuestCannotStart() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        IdentityProvider uninitialised = steward -> {
            try {
                return SSLContext.getInstance("TLS");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new KeepException(e.getMessage(), e);
            }
        };
        EnarxConfig config =
                EnarxConfig.parse(TestKeeps.listen("BAD", "tls", 0) + TestKeeps.listen("WEB", "tcp", port));
        var streams = new Stdio(
                InputStream.nullInputStream(), OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
        Keep keep = Keep.open(
                Workload.of(SHOW_ENV).withConfig(config),
                streams,
                dev.donjon.wasi.WasiLimits.defaults(),
                uninitialised);
        var e = assertThrows(dev.donjon.wasi.WasiException.class, keep::start);
        assertTrue(e.getMessage().startsWith("fd BAD: the TLS context cannot serve"), e.getMessage());
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)); // throws if WEB had leaked
        }
    }

    @Test
    void aStewardWithoutTeeEvidenceIsRefusedAndNothingIsOpened() {
        EnarxConfig config = EnarxConfig.parse("steward = \"https://steward.example.com\"");
        KeepException e = assertThrows(
                KeepException.class, () -> TestKeeps.open(SHOW_ENV, Optional.of(config), List.of(), List.of()));
        assertTrue(
                e.getMessage().startsWith("cannot make the Keep's identity: this Keep has no TEE platform"),
                e.getMessage());
    }

    @Test
    void badModuleIsRejectedBeforeAnySocketIsOpened() {
        var e = assertThrows(
                ModuleRejectedException.class,
                () -> TestKeeps.open(
                        "not wasm".getBytes(StandardCharsets.UTF_8),
                        Optional.of(TestKeeps.listenerConfig("WEB", "tcp")),
                        List.of(),
                        List.of()));
        assertEquals("not a WebAssembly module (bad magic)", e.getMessage());
    }

    @Test
    void connectFileIsAConnectedSocketOnItsFd() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = peer.accept()) {
                    byte[] line = new byte[5];
                    s.getInputStream().readNBytes(line, 0, 5);
                    s.getOutputStream().write("pong\n".getBytes(StandardCharsets.US_ASCII));
                    return new String(line, StandardCharsets.US_ASCII);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            EnarxConfig config = TestKeeps.afterStdio("""
                    [[files]]
                    kind = "connect"
                    prot = "tcp"
                    host = "127.0.0.1"
                    port = %d
                    name = "UPSTREAM"
                    """.formatted(peer.getLocalPort()));
            var k = TestKeeps.open(
                    TestKeeps.testModule("connect_send.wasm"), Optional.of(config), List.of(), List.of());
            assertEquals(0, k.keep().run(), k.stderr());
            assertEquals("ping\n", received.get());
            assertEquals("pong\n", k.stdout());
        }
    }

    @Test
    void connectionRefusedIsNamed() throws Exception {
        int closed;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = probe.getLocalPort();
        }
        EnarxConfig config = EnarxConfig.parse(
                "[[files]]\nkind = \"connect\"\nprot = \"tcp\"\nhost = \"127.0.0.1\"\nport = " + closed);
        KeepException e = assertThrows(
                KeepException.class, () -> TestKeeps.open(SHOW_ENV, Optional.of(config), List.of(), List.of()));
        assertTrue(
                e.getMessage().startsWith("connect \"127.0.0.1\": cannot connect to 127.0.0.1:" + closed),
                e.getMessage());
    }

    @Test
    void identityIsMadeOnceAndOnlyForTls() {
        AtomicInteger calls = new AtomicInteger();
        IdentityProvider counting = steward -> {
            calls.incrementAndGet();
            return SelfSignedIdentityTest.selfSigned(dev.donjon.platform.Backend.NIL)
                    .identify(steward);
        };
        EnarxConfig twoTls = EnarxConfig.parse(TestKeeps.listen("A", "tls", 0) + TestKeeps.listen("B", "tls", 0));
        var streams = new Stdio(
                InputStream.nullInputStream(), OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
        try (Keep keep = Keep.open(
                Workload.of(SHOW_ENV).withConfig(twoTls), streams, dev.donjon.wasi.WasiLimits.defaults(), counting)) {
            assertEquals(1, calls.get());
            assertEquals(
                    List.of(Protocol.TLS, Protocol.TLS),
                    keep.listening().stream().map(Keep.Listening::prot).toList());
            assertFalse(keep.listening().getFirst().address().getPort() == 0, "port 0 gets a real port");
        }
        try (Keep keep = Keep.open(
                Workload.of(SHOW_ENV).withConfig(TestKeeps.listenerConfig("T", "tcp")),
                streams,
                dev.donjon.wasi.WasiLimits.defaults(),
                counting)) {
            assertEquals(1, calls.get(), "a tcp-only workload needs no identity");
        }
    }

    @Test
    void providerFailureStopsTheKeep() {
        IdentityProvider refusing = steward -> {
            throw new KeepException("enrollment refused: debug Keeps are not allowed");
        };
        var streams = new Stdio(
                InputStream.nullInputStream(), OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
        KeepException e = assertThrows(
                KeepException.class,
                () -> Keep.open(
                        Workload.of(SHOW_ENV).withConfig(TestKeeps.listenerConfig("T", "tls")),
                        streams,
                        dev.donjon.wasi.WasiLimits.defaults(),
                        refusing));
        assertEquals("enrollment refused: debug Keeps are not allowed", e.getMessage());
    }

    @Test
    void aKeepRunsOnce() throws Exception {
        var k = TestKeeps.open(SHOW_ENV, Optional.empty(), List.of(), List.of());
        assertEquals(0, k.keep().run());
        assertThrows(IllegalStateException.class, () -> k.keep().start());
    }

    @Test
    void envEntriesMustHaveAKey() {
        assertThrows(
                KeepException.class,
                () -> new Workload(SHOW_ENV, Optional.empty(), List.of(), List.of("=x"), List.of()));
        assertThrows(
                KeepException.class,
                () -> new Workload(SHOW_ENV, Optional.empty(), List.of(), List.of("NOEQUALS"), List.of()));
    }
}
