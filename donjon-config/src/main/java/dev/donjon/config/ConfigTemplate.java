package dev.donjon.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The commented Enarx.toml that {@code donjon config init} writes. */
public final class ConfigTemplate {
    private ConfigTemplate() {}

    public static String text() {
        try (InputStream in = ConfigTemplate.class.getResourceAsStream("Enarx.toml.template")) {
            if (in == null) throw new IllegalStateException("Enarx.toml.template missing from the donjon-config jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
