package dev.donjon.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class OneLineTest {

    @Test
    void lineBreaksTabsAndEscapesFoldIntoOneSpace() {
        assertEquals("bad key: x at line 3", OneLine.of("bad key:\n  x\r\n\tat line 3\n"));
        assertEquals("name [31mred", OneLine.of("name\u001b[31mred"));
    }

    @Test
    void theFirstMessageInTheCauseChainElseTheClassName() {
        assertEquals("disk full", OneLine.of(new RuntimeException(null, new IOException("disk\nfull"))));
        assertEquals("IOException", OneLine.of(new IOException((String) null)));
        assertEquals("IllegalStateException", OneLine.of(new IllegalStateException(" ")));
    }
}
