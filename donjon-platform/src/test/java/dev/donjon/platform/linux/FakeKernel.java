package dev.donjon.platform.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Stands in for the kernel (configfs-tsm) or Gramine behind {@link AttributeFiles}, on a temporary directory laid out
 * like the real tree: a new report entry gets {@code provider} and {@code generation}; writing the request file
 * ({@code inblob} / {@code user_report_data}) makes the evidence file appear, a pre-seeded real report or quote with
 * the request's 64 bytes copied in at the format's REPORT_DATA offset (as the TEE would sign them).
 */
final class FakeKernel implements AttributeFiles {

    String provider = "sev_guest";
    String requestFile = "inblob";
    String evidenceFile = "outblob";
    byte[] seeded = new byte[0];
    int reportDataOffset = 0x50;
    byte[] auxblob;
    /** A faulty or raced TEE: returns the seeded bytes without the request's data. */
    boolean echo = true;
    /** Another writer uses the same entry between our inblob write and outblob read. */
    boolean raced;

    int entriesCreated;

    @Override
    public void createEntry(Path entry) throws IOException {
        Files.createDirectory(entry);
        entriesCreated++;
        Files.writeString(entry.resolve("provider"), provider + "\n");
        Files.writeString(entry.resolve("generation"), "0\n");
    }

    @Override
    public void write(Path attribute, byte[] value) throws IOException {
        Files.write(attribute, value);
        if (!attribute.getFileName().toString().equals(requestFile)) return;
        byte[] evidence = seeded.clone();
        if (echo) System.arraycopy(value, 0, evidence, reportDataOffset, value.length);
        Path dir = attribute.getParent();
        Files.write(dir.resolve(evidenceFile), evidence);
        if (auxblob != null) Files.write(dir.resolve("auxblob"), auxblob);
        if (Files.exists(dir.resolve("generation"))) bump(dir);
    }

    @Override
    public byte[] read(Path attribute) throws IOException {
        byte[] bytes = Files.readAllBytes(attribute);
        if (raced && attribute.getFileName().toString().equals(evidenceFile)) bump(attribute.getParent());
        return bytes;
    }

    private static void bump(Path dir) throws IOException {
        int g = Integer.parseInt(Files.readString(dir.resolve("generation"), StandardCharsets.US_ASCII)
                .strip());
        Files.writeString(dir.resolve("generation"), (g + 1) + "\n");
    }

    @Override
    public void removeEntry(Path entry) throws IOException {
        try (Stream<Path> files = Files.walk(entry)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
