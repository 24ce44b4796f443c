package dev.donjon.platform.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The operations a Keep performs on kernel (configfs) and library-OS (Gramine) pseudo-files, behind one seam so
 * that tests can stand in for the kernel: writing {@code inblob} is what makes the kernel produce {@code outblob},
 * which a plain directory cannot do by itself.
 */
public interface AttributeFiles {

    /** configfs: {@code mkdir} makes a report entry and the kernel populates its attributes. */
    void createEntry(Path entry) throws IOException;

    /** One write of the whole value, as configfs binary attributes require. */
    void write(Path attribute, byte[] value) throws IOException;

    byte[] read(Path attribute) throws IOException;

    /** configfs: {@code rmdir} of the entry, attributes and all. */
    void removeEntry(Path entry) throws IOException;

    /** The real thing: plain file-system calls. */
    AttributeFiles KERNEL = new AttributeFiles() {
        @Override
        public void createEntry(Path entry) throws IOException {
            Files.createDirectory(entry);
        }

        @Override
        public void write(Path attribute, byte[] value) throws IOException {
            Files.write(attribute, value, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }

        @Override
        public byte[] read(Path attribute) throws IOException {
            return Files.readAllBytes(attribute);
        }

        @Override
        public void removeEntry(Path entry) throws IOException {
            Files.delete(entry);
        }
    };
}
