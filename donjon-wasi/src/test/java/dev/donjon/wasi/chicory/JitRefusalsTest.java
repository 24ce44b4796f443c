package dev.donjon.wasi.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Watching for JIT refusals must not keep the JVM alive: a program that ran a guest in-process exits with main. */
class JitRefusalsTest {
    @Test
    void theRecordingRunsOnADaemonThreadOnly() throws InterruptedException {
        Logger logger = Logger.getLogger(JitRefusals.class.getName());
        Level before = logger.getLevel();
        logger.setLevel(Level.INFO); // watching starts only when info is logged
        try {
            JitRefusals.watch(null);
            Thread.sleep(500); // the recording's own threads start asynchronously
            List<Thread> watching = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals(JitRefusals.THREAD))
                    .toList();
            assertEquals(1, watching.size(), "the recording should be running on " + JitRefusals.THREAD);
            assertTrue(watching.getFirst().isDaemon(), JitRefusals.THREAD + " must be a daemon thread");
            List<String> keepAlive = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !t.isDaemon() && t.getName().startsWith("JFR"))
                    .map(Thread::getName)
                    .toList();
            assertEquals(List.of(), keepAlive, "threads that would keep the JVM alive after main ends");
        } finally {
            logger.setLevel(before);
        }
    }
}
