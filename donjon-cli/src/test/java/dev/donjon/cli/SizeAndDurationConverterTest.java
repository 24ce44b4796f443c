package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class SizeAndDurationConverterTest {
    private final SizeConverter size = new SizeConverter();
    private final DurationConverter duration = new DurationConverter();

    @Test
    void sizesAreBinary() {
        assertEquals(65_536L, size.convert("65536"));
        assertEquals(64L << 10, size.convert("64K"));
        assertEquals(64L << 10, size.convert("64KiB"));
        assertEquals(512L << 20, size.convert("512m"));
        assertEquals(1L << 30, size.convert("1GB"));
        assertThrows(TypeConversionException.class, () -> size.convert("1.5G"));
        assertThrows(TypeConversionException.class, () -> size.convert("-1"));
        assertThrows(TypeConversionException.class, () -> size.convert("9999999999999999999T"));
    }

    @Test
    void durations() {
        assertEquals(Duration.ofMillis(500), duration.convert("500ms"));
        assertEquals(Duration.ofSeconds(30), duration.convert("30s"));
        assertEquals(Duration.ofSeconds(30), duration.convert("30"));
        assertEquals(Duration.ofMinutes(5), duration.convert("5m"));
        assertEquals(Duration.ofHours(1), duration.convert("1h"));
        assertEquals(Duration.ofSeconds(90), duration.convert("PT1M30S"));
        assertThrows(TypeConversionException.class, () -> duration.convert("soon"));
    }
}
