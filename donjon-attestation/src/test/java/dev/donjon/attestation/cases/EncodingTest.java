package dev.donjon.attestation.cases;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.donjon.attestation.MalformedEvidenceException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EncodingTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void hexIgnoresPrefixAndWhitespace() throws Exception {
        assertArrayEquals(new byte[] {0x01, (byte) 0xab, (byte) 0xFF}, Encoding.HEX.decode(ascii("0x01 AB\nff\n")));
    }

    @Test
    void base64WithAndWithoutPadding() throws Exception {
        assertArrayEquals(new byte[] {(byte) 0xfb, (byte) 0xff}, Encoding.BASE64.decode(ascii("+/8=")));
        assertArrayEquals(new byte[] {(byte) 0xfb, (byte) 0xff}, Encoding.BASE64.decode(ascii("+/8\n")));
        assertArrayEquals(new byte[] {(byte) 0xfb, (byte) 0xff}, Encoding.BASE64URL.decode(ascii("-_8")));
    }

    @Test
    void rawIsUntouched() throws Exception {
        byte[] bytes = {0, 1, ' ', '\n'};
        assertArrayEquals(bytes, Encoding.RAW.decode(bytes));
    }

    @Test
    void badTextIsMalformedEvidence() {
        assertThrows(MalformedEvidenceException.class, () -> Encoding.HEX.decode(ascii("0xabc")));
        assertThrows(MalformedEvidenceException.class, () -> Encoding.BASE64.decode(ascii("-_8")));
    }
}
