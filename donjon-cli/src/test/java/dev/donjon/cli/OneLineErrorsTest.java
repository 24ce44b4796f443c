package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OneLineErrorsTest {

    @Test
    void multiLineMessagesAreFoldedToOneLine() {
        assertEquals(
                "bad TOML: line 3 unexpected '='",
                OneLineErrors.describe(new IllegalStateException("bad TOML:\n  line 3 unexpected '='\n")));
    }

    @Test
    void causeMessageIsUsedWhenOuterHasNone() {
        assertEquals(
                "port 80 in use",
                OneLineErrors.describe(new RuntimeException((String) null, new java.io.IOException("port 80 in use"))));
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertEquals(OneLineErrors.USAGE, Donjon.execute("--no-such-option"));
    }
}
