package dev.donjon.wasi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JVM options a JVM running guests should start with (resource {@code engine-jvm-options}, which the
 * {@code ./donjon} launcher reads too, so both start JVMs the same way).
 */
public final class EngineJvmOptions {
    private EngineJvmOptions() {}

    /** The options, in file order. */
    public static List<String> list() {
        try (InputStream in = EngineJvmOptions.class.getResourceAsStream("engine-jvm-options")) {
            if (in == null)
                throw new IllegalStateException(
                        "resource dev/donjon/wasi/engine-jvm-options is missing from the class path");
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> parse(String text) {
        return text.lines()
                .map(l -> l.indexOf('#') < 0 ? l : l.substring(0, l.indexOf('#')))
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .toList();
    }
}
