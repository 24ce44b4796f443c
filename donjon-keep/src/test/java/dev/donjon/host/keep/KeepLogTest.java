package dev.donjon.host.keep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.common.LogLines;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Keep logs at warn unless the agent asks for more: at info it would start a JDK Flight Recorder recording (the
 * JIT-refusal watch) in every Keep.
 */
class KeepLogTest {
    private static final String[] LAUNCHED = {"--keep-id", "k1", "--backend", "nil", "--max-memory", "1048576"};

    @AfterEach
    void restoreTheJdkDefaults() throws Exception {
        LogManager.getLogManager().readConfiguration();
    }

    @Test
    void aKeepLaunchedWithoutALevelLogsWarningsOnly() {
        assertEquals(Level.WARNING, KeepLog.configure(LAUNCHED));
        assertFalse(Logger.getLogger("dev.donjon.wasi.chicory.JitRefusals").isLoggable(Level.INFO));
        assertTrue(Logger.getLogger("dev.donjon.keep.AttestedIdentity").isLoggable(Level.WARNING));
        assertEquals(Level.WARNING, KeepLog.configure(new String[] {"--warm-up"}));
    }

    @Test
    void theAgentsLevelIsPassedOn() {
        String[] info = {"--keep-id", "k1", "--backend", "nil", "--log-level", "info"};
        assertEquals(Level.INFO, KeepLog.configure(info));
        assertTrue(Logger.getLogger("dev.donjon.wasi.chicory.JitRefusals").isLoggable(Level.INFO));
        assertEquals("k1", KeepMain.Args.parse(info).keepId(), "Args accepts --log-level");

        Logger agent = Logger.getLogger("");
        agent.setLevel(Level.WARNING);
        assertEquals("warn", LogLines.name(agent));
        agent.setLevel(Level.FINE);
        assertEquals("debug", LogLines.name(agent));
    }

    @Test
    void anUnknownLevelIsRefusedInOneLine() {
        String[] bad = {"--keep-id", "k1", "--backend", "nil", "--log-level", "loud"};
        var e = assertThrows(IllegalArgumentException.class, () -> KeepLog.configure(bad));
        assertEquals("--log-level takes error, warn, info or debug, not loud", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KeepMain.Args.parse(bad));
    }
}
