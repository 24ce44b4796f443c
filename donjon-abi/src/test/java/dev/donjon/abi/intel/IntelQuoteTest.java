package dev.donjon.abi.intel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.Vectors;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both directions of DCAP quotes: real SGX and TDX quotes (v3, v4, v5 bodies) re-encode to their own bytes. */
class IntelQuoteTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "sgx/dcap-qvl/sgx_quote",
                "tdx/dcap-qvl/tdx_quote",
                "tdx/dcap-qvl/tdx_quote_outdated",
                "tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat",
                "enarx-sgx-quote"
            })
    void realQuotesReencodeToTheirOwnBytes(String vector) throws Exception {
        byte[] bytes = vector.equals("enarx-sgx-quote") ? enarxSgxQuote() : Vectors.read(vector);
        IntelQuote quote = IntelQuote.parse(bytes);
        byte[] encoded = quote.encode();
        // what follows the signature data (zero padding, a file's final newline) is not part of the quote
        assertArrayEquals(Arrays.copyOf(bytes, encoded.length), encoded, vector);
        assertArrayEquals(quote.signedData(), Arrays.copyOf(encoded, quote.signedData().length));
        assertArrayEquals(quote.qeReport().raw(), quote.qeReport().encode());
        IntelQuote again = IntelQuote.parse(encoded);
        assertEquals(quote.version(), again.version());
        assertArrayEquals(quote.body().reportData(), again.body().reportData());
    }

    @Test
    void aTruncatedQuoteNamesTheFieldItStoppedIn() throws Exception {
        byte[] bytes = Vectors.read("tdx/dcap-qvl/tdx_quote");
        FormatException e = assertThrows(FormatException.class, () -> IntelQuote.parse(Arrays.copyOf(bytes, 100)));
        assertEquals("truncated quote: TD report body needs 584 bytes at offset 48, 52 left", e.getMessage());
    }

    /** The SGX quote inside Enarx's own Steward test CSR (the evidence extension's first element). */
    static byte[] enarxSgxQuote() throws Exception {
        var csr = new org.bouncycastle.pkcs.PKCS10CertificationRequest(
                Vectors.read("enarx/steward/icelake.signed.tcb.crl.single.i5.csr"));
        var ext = org.bouncycastle.asn1.x509.Extensions.getInstance(
                        csr.getAttributes()[0].getAttrValues().getObjectAt(0))
                .getExtension(dev.donjon.abi.csr.EvidenceOids.SGX);
        return ((dev.donjon.abi.csr.EvidenceExtension.Sgx) dev.donjon.abi.csr.EvidenceExtension.parse(ext)).quote();
    }
}
