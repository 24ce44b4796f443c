package dev.donjon.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Runaway guests are stopped with a clear error, not a JVM crash. */
class LimitsTest {

    private static WasiOptions.Builder quiet() {
        return WasiOptions.builder()
                .stdio(InputStream.nullInputStream(), OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
    }

    @Test
    void runawayMemoryIsStoppedAtTheLimit() {
        GuestFailedException e = assertThrows(
                GuestFailedException.class,
                () -> TestModules.program("runaway_memory.wasm")
                        .run(quiet().limits(WasiLimits.defaults().withMaxMemoryBytes(64L << 20))
                                .build()));
        assertEquals(GuestFailedException.Reason.MEMORY_LIMIT, e.reason());
        assertEquals(true, e.getMessage().startsWith("guest exceeded its memory limit of 64 MiB"), e.getMessage());
    }

    @Test
    void infiniteLoopIsStoppedAtTheWallTimeLimit() {
        GuestFailedException e = assertThrows(
                GuestFailedException.class,
                () -> TestModules.program("infinite_loop.wasm")
                        .run(quiet().limits(WasiLimits.defaults().withMaxWallTime(Duration.ofMillis(300)))
                                .build()));
        assertEquals(GuestFailedException.Reason.TIME_LIMIT, e.reason());
        assertEquals("guest ran longer than 300 ms and was stopped", e.getMessage());
    }

    @Test
    void infiniteLoopIsStoppedAtTheCpuTimeLimit() {
        GuestFailedException e = assertThrows(
                GuestFailedException.class,
                () -> TestModules.program("infinite_loop.wasm")
                        .run(quiet().limits(WasiLimits.defaults().withMaxCpuTime(Duration.ofMillis(300)))
                                .build()));
        assertEquals(GuestFailedException.Reason.CPU_TIME_LIMIT, e.reason());
        assertEquals("guest used more than 300 ms of CPU time and was stopped", e.getMessage());
    }

    @Test
    void sleepingGuestOutlivesItsCpuTimeLimit() {
        // 1.5 s asleep in poll_oneoff against 400 ms of CPU: only the CPU the guest burns counts
        int exit = TestModules.program("sleeper.wasm")
                .run(quiet().args(List.of("sleeper.wasm", "1500"))
                        .limits(WasiLimits.defaults()
                                .withMaxCpuTime(Duration.ofMillis(400))
                                .withMaxWallTime(Duration.ofSeconds(30)))
                        .build());
        assertEquals(0, exit);
    }

    @Test
    void sleepingGuestIsStoppedByTheWallTimeLimitNotTheCpuTimeLimit() {
        GuestFailedException e = assertThrows(
                GuestFailedException.class,
                () -> TestModules.program("sleeper.wasm")
                        .run(quiet().args(List.of("sleeper.wasm", "60000"))
                                .limits(WasiLimits.defaults()
                                        .withMaxCpuTime(Duration.ofMillis(400))
                                        .withMaxWallTime(Duration.ofMillis(800)))
                                .build()));
        assertEquals(GuestFailedException.Reason.TIME_LIMIT, e.reason());
        assertEquals("guest ran longer than 800 ms and was stopped", e.getMessage());
    }

    @Test
    void serverWaitingForConnectionsIsStoppedByTheWallTimeLimitNotTheCpuTimeLimit() throws Exception {
        // the echo example waits in poll_oneoff on its listener between connections: 2 s up, 500 ms of CPU allowed
        ServerSocketChannel listener =
                ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        GuestRun run = WasiProgram.load(Files.readAllBytes(Path.of("..", "examples", "echo", "echo.wasm")))
                .start(quiet().args("echo.wasm")
                        .env("FD_COUNT", "4")
                        .env("FD_NAMES", "stdin:stdout:stderr:ECHO")
                        .fd(new FdSpec.Listener(listener, "ECHO", Optional.empty()))
                        .limits(WasiLimits.defaults()
                                .withMaxCpuTime(Duration.ofMillis(500))
                                .withMaxWallTime(Duration.ofSeconds(2)))
                        .build());
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping\n", new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
        }
        GuestFailedException e = assertThrows(GuestFailedException.class, run::await);
        assertEquals(GuestFailedException.Reason.TIME_LIMIT, e.reason(), e.getMessage());
    }

    @Test
    void runningGuestCanBeStopped() throws Exception {
        GuestRun run = TestModules.program("infinite_loop.wasm").start(quiet().build());
        assertEquals(java.util.Optional.empty(), run.await(Duration.ofMillis(100)));
        run.stop();
        GuestFailedException e = assertThrows(GuestFailedException.class, run::await);
        assertEquals(GuestFailedException.Reason.STOPPED, e.reason());
        assertEquals("guest was stopped", e.getMessage());
    }

    @Test
    void limitsAreValidated() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> WasiLimits.defaults().withMaxMemoryBytes(3L << 30));
        assertEquals("memory limit must be between 64 KiB and 2 GiB, not 3221225472 bytes", e.getMessage());
        IllegalArgumentException cpu = assertThrows(
                IllegalArgumentException.class, () -> WasiLimits.defaults().withMaxCpuTime(Duration.ZERO));
        assertEquals("CPU-time limit must be positive", cpu.getMessage());
    }
}
