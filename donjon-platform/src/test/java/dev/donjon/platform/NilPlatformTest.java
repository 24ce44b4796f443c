package dev.donjon.platform;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NilPlatformTest {

    @Test
    void alwaysUsableWithoutEvidence() throws Exception {
        NilPlatform nil = new NilPlatform();
        assertTrue(nil.info().usable());
        assertInstanceOf(Evidence.None.class, nil.attest(new byte[64]));
        assertThrows(IllegalArgumentException.class, () -> nil.attest(new byte[32]));
    }
}
