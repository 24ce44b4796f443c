package dev.donjon.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EngineJvmOptionsTest {
    @Test
    void commentsAndBlankLinesAreNotOptions() {
        assertEquals(List.of("-Xa", "-Xb"), EngineJvmOptions.parse("# why\n\n-Xa   # because\n  -Xb\n#-Xc\n"));
    }

    @Test
    void shippedFileHoldsOnlyOptions() {
        List<String> options = EngineJvmOptions.list();
        assertFalse(options.isEmpty());
        for (String o : options) assertTrue(o.startsWith("-") && !o.contains(" "), "one JVM option per line: " + o);
    }
}
