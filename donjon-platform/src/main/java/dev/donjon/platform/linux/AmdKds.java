package dev.donjon.platform.linux;

import dev.donjon.platform.PlatformException;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * AMD's Key Distribution Service: the VCEK of a chip at a TCB, for SNP hosts that do not hand the guest its
 * certificates (many clouds leave the configfs auxblob empty). The VCEK is public, so fetching it from inside the Keep
 * gives the host nothing; whether it is AMD's is for the verifier to decide (it chains it to a pinned ARK).
 * URL (AMD KDS interface specification): {@code /vcek/v1/{Milan|Genoa|Turin}/{hwid}?blSPL=&teeSPL=&snpSPL=&ucodeSPL=}
 * ({@code &fmcSPL=} for Turin), hwid = CHIP_ID in hex (Turin: its first 8 bytes).
 */
public final class AmdKds {

    public static final URI AMD = URI.create("https://kdsintf.amd.com");
    private static final int MAX_CERTIFICATE = 16 * 1024;
    private static final ASN1ObjectIdentifier HW_ID = new ASN1ObjectIdentifier("1.3.6.1.4.1.3704.1.4");

    private final URI base;
    private final HttpClient http;

    public AmdKds(URI base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    /**
     * @param productHint "Milan", "Genoa" or "Turin" for version 2 reports, which do not carry the CPUID that names it;
     *                    a v3+ report's CPUID wins over the hint
     */
    public static String vcekPath(byte[] report, Optional<String> productHint) throws PlatformException {
        if (report.length != 0x4A0) throw new PlatformException("SEV-SNP report is " + report.length + " bytes, expected 1184");
        ByteBuffer b = ByteBuffer.wrap(report).order(ByteOrder.LITTLE_ENDIAN);
        Optional<String> fromCpuid = product(b.getInt(0) >= 3 ? report[0x188] & 0xFF : -1, report[0x189] & 0xFF);
        String product = fromCpuid.isPresent() ? fromCpuid.get() : hinted(productHint);
        long tcb = b.getLong(0x180);
        byte[] chip = Arrays.copyOfRange(report, 0x1A0, 0x1E0);
        if (product.equals("Turin")) {
            return "/vcek/v1/Turin/" + HexFormat.of().formatHex(chip, 0, 8) + "?fmcSPL=" + spl(tcb, 0) + "&blSPL=" + spl(tcb, 1)
                    + "&teeSPL=" + spl(tcb, 2) + "&snpSPL=" + spl(tcb, 3) + "&ucodeSPL=" + spl(tcb, 7);
        }
        return "/vcek/v1/" + product + "/" + HexFormat.of().formatHex(chip) + "?blSPL=" + spl(tcb, 0) + "&teeSPL=" + spl(tcb, 1)
                + "&snpSPL=" + spl(tcb, 6) + "&ucodeSPL=" + spl(tcb, 7);
    }

    /** Fetches the VCEK (DER) for {@code report} and checks it is a certificate for this chip's hwID. */
    public byte[] fetchVcek(byte[] report, Optional<String> productHint) throws PlatformException {
        URI uri = base.resolve(vcekPath(report, productHint));
        HttpResponse<InputStream> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new PlatformException("cannot fetch the VCEK from " + uri + ": " + ConfigfsTsm.oneLine(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlatformException("interrupted while fetching the VCEK from " + uri, e);
        }
        byte[] der;
        try (InputStream in = response.body()) {
            der = in.readNBytes(MAX_CERTIFICATE + 1);
        } catch (IOException e) {
            throw new PlatformException("cannot read the VCEK from " + uri + ": " + ConfigfsTsm.oneLine(e), e);
        }
        if (response.statusCode() != 200) throw new PlatformException("AMD KDS answered " + response.statusCode() + " for " + uri);
        if (der.length > MAX_CERTIFICATE) throw new PlatformException("AMD KDS sent more than " + MAX_CERTIFICATE + " bytes for a VCEK");
        X509CertificateHolder vcek;
        try {
            vcek = new X509CertificateHolder(der);
        } catch (IOException | RuntimeException e) {
            throw new PlatformException("AMD KDS sent no DER certificate for " + uri);
        }
        Extension hwId = vcek.getExtension(HW_ID);
        byte[] chip = Arrays.copyOfRange(report, 0x1A0, 0x1E0);
        if (hwId == null || !hwIdMatches(hwId.getExtnValue().getOctets(), chip)) {
            throw new PlatformException("the certificate from AMD KDS is not this chip's VCEK (hwID differs from CHIP_ID)");
        }
        return der;
    }

    private static boolean hwIdMatches(byte[] hwId, byte[] chip) {
        return Arrays.equals(hwId, chip) || (hwId.length == 8 && Arrays.equals(hwId, Arrays.copyOf(chip, 8)));
    }

    private static Optional<String> product(int family, int model) {
        if (family == 0x19 && model <= 0x0F) return Optional.of("Milan");
        if (family == 0x19 && (model <= 0x1F || (model >= 0xA0 && model <= 0xAF))) return Optional.of("Genoa");
        if (family == 0x1A && model <= 0x1F) return Optional.of("Turin");
        return Optional.empty();
    }

    private static String hinted(Optional<String> hint) throws PlatformException {
        if (hint.isEmpty()) {
            throw new PlatformException("the report does not name its AMD product (version 2, no CPUID): give Milan, Genoa or Turin");
        }
        for (String p : new String[] {"Milan", "Genoa", "Turin"}) {
            if (p.toLowerCase(Locale.ROOT).equals(hint.get().strip().toLowerCase(Locale.ROOT))) return p;
        }
        throw new PlatformException("unknown AMD product '" + hint.get() + "' (expected Milan, Genoa or Turin)");
    }

    private static int spl(long tcb, int octet) {
        return (int) (tcb >>> (8 * octet)) & 0xFF;
    }
}
