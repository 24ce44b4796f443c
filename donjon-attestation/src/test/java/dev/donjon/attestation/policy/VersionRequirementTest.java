package dev.donjon.attestation.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VersionRequirementTest {

    static boolean m(String req, int major, int minor) {
        return VersionRequirement.parse(req).matches(new VersionRequirement.Version(major, minor, 0));
    }

    @Test
    void cargoSemantics() {
        assertTrue(m(">=1.51", 1, 51));
        assertTrue(m(">=1.51", 2, 0));
        assertFalse(m(">=1.51", 1, 50));
        assertFalse(m(">254.0", 1, 51));
        assertTrue(m(">254.0", 254, 1));
        assertTrue(m("1.0", 1, 55)); // bare = caret
        assertFalse(m("1.0", 2, 0));
        assertTrue(m(">=1.0, <2", 1, 9));
        assertFalse(m(">=1.0, <2", 2, 0));
        assertTrue(m("=1.51", 1, 51));
        assertFalse(m("~1.51", 1, 52));
    }

    @Test
    void garbageIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> VersionRequirement.parse("newest"));
        assertThrows(IllegalArgumentException.class, () -> VersionRequirement.parse(">=1.51,"));
    }
}
