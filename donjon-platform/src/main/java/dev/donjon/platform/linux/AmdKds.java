package dev.donjon.platform.linux;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.abi.snp.KdsExtensions;
import dev.donjon.abi.snp.ProductLine;
import dev.donjon.abi.snp.TcbVersion;
import dev.donjon.common.OneLine;
import dev.donjon.platform.PlatformException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;

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
        AttestationReport r = parsed(report);
        Optional<ProductLine> fromCpuid = r.cpuid().flatMap(c -> ProductLine.fromCpuid(c.family(), c.model()));
        ProductLine product = fromCpuid.isPresent() ? fromCpuid.get() : hinted(productHint);
        TcbVersion tcb = TcbVersion.decode(r.reportedTcb(), product);
        HexFormat hex = HexFormat.of();
        if (product == ProductLine.TURIN) {
            return "/vcek/v1/Turin/" + hex.formatHex(r.chipId(), 0, 8) + "?fmcSPL=" + tcb.fmc() + "&blSPL="
                    + tcb.bootloader() + "&teeSPL=" + tcb.tee() + "&snpSPL=" + tcb.snp() + "&ucodeSPL="
                    + tcb.microcode();
        }
        return "/vcek/v1/" + product.kdsName() + "/" + hex.formatHex(r.chipId()) + "?blSPL=" + tcb.bootloader()
                + "&teeSPL=" + tcb.tee() + "&snpSPL=" + tcb.snp() + "&ucodeSPL=" + tcb.microcode();
    }

    /** Fetches the VCEK (DER) for {@code report} and checks it is a certificate for this chip's hwID. */
    public byte[] fetchVcek(byte[] report, Optional<String> productHint) throws PlatformException {
        URI uri = base.resolve(vcekPath(report, productHint));
        HttpResponse<InputStream> response;
        try {
            response = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new PlatformException("cannot fetch the VCEK from " + uri + ": " + OneLine.of(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlatformException("interrupted while fetching the VCEK from " + uri, e);
        }
        byte[] der;
        try (InputStream in = response.body()) {
            der = in.readNBytes(MAX_CERTIFICATE + 1);
        } catch (IOException e) {
            throw new PlatformException("cannot read the VCEK from " + uri + ": " + OneLine.of(e), e);
        }
        if (response.statusCode() != 200)
            throw new PlatformException("AMD KDS answered " + response.statusCode() + " for " + uri);
        if (der.length > MAX_CERTIFICATE)
            throw new PlatformException("AMD KDS sent more than " + MAX_CERTIFICATE + " bytes for a VCEK");
        X509CertificateHolder vcek;
        try {
            vcek = new X509CertificateHolder(der);
        } catch (IOException | RuntimeException e) {
            throw new PlatformException("AMD KDS sent no DER certificate for " + uri);
        }
        Optional<byte[]> hwId = KdsExtensions.hwIdOf(vcek);
        byte[] chip = parsed(report).chipId();
        if (hwId.isEmpty() || !hwIdMatches(hwId.get(), chip)) {
            throw new PlatformException(
                    "the certificate from AMD KDS is not this chip's VCEK (hwID differs from CHIP_ID)");
        }
        return der;
    }

    private static boolean hwIdMatches(byte[] hwId, byte[] chip) {
        return Arrays.equals(hwId, chip) || (hwId.length == 8 && Arrays.equals(hwId, Arrays.copyOf(chip, 8)));
    }

    private static AttestationReport parsed(byte[] report) throws PlatformException {
        try {
            return AttestationReport.parse(report);
        } catch (FormatException e) {
            throw new PlatformException(e);
        }
    }

    private static ProductLine hinted(Optional<String> hint) throws PlatformException {
        if (hint.isEmpty()) {
            throw new PlatformException(
                    "the report does not name its AMD product (version 2, no CPUID): give Milan, Genoa or Turin");
        }
        for (ProductLine p : ProductLine.values()) {
            if (p.kdsName().toLowerCase(Locale.ROOT).equals(hint.get().strip().toLowerCase(Locale.ROOT))) return p;
        }
        throw new PlatformException("unknown AMD product '" + hint.get() + "' (expected Milan, Genoa or Turin)");
    }
}
