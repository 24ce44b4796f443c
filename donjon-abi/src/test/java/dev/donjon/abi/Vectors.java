package dev.donjon.abi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/** Files of ../shared/vectors (the evidence corpus), for the round-trip tests. */
public final class Vectors {

    private Vectors() {}

    public static Path dir() {
        return Path.of(System.getProperty("donjon.shared", "../../shared")).resolve("vectors");
    }

    public static byte[] read(String relative) {
        try {
            return Files.readAllBytes(dir().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A hex dump (whitespace and a 0x prefix allowed), as virtee keeps its reports. */
    public static byte[] hex(String relative) {
        String text = new String(read(relative), java.nio.charset.StandardCharsets.US_ASCII).replaceAll("\\s", "");
        if (text.startsWith("0x") || text.startsWith("0X")) text = text.substring(2);
        return HexFormat.of().parseHex(text);
    }
}
