package dev.donjon.keep;

import dev.donjon.common.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * CA certificates a Keep is told to trust (PEM bundle or DER, read by donjon-common's {@link Pem}), with errors that
 * name the option or file they came from; donjon-common's {@code Tls} adds them to the JDK's anchors.
 */
public final class TrustAnchorFiles {

    private TrustAnchorFiles() {}

    /**
     * Every certificate in {@code file} (PEM, any number, or one DER).
     *
     * @param what names the option in errors, e.g. {@code --steward-ca}
     */
    public static List<X509Certificate> read(Path file, String what) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new KeepException(what + " " + file + ": no such file");
        } catch (IOException e) {
            throw new KeepException(what + " " + file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(bytes, what + " " + file);
    }

    /**
     * Every certificate in {@code bytes} (PEM, any number, or one DER).
     *
     * @param what names the source in errors, e.g. {@code steward-ca.pem}
     */
    public static List<X509Certificate> parse(byte[] bytes, String what) {
        try {
            return Pem.certificates(bytes, what);
        } catch (IOException e) {
            throw new KeepException(e.getMessage(), e);
        }
    }
}
