package dev.donjon.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The real SGX and TDX quotes of ../shared/vectors (Phala dcap-qvl samples) with their collateral in the shapes Intel's
 * PCS API v4 serves it: the TCB Info and QE Identity responses are rebuilt around the exact signed bytes
 * ({@code {"tcbInfo":<bytes>,"signature":"<hex>"}}), CRLs are DER, issuer chains are the PEM the PCS puts (URL-encoded)
 * in its headers. {@code validAt} is an instant inside every piece's window (the collateral expired on 2025-07-19).
 * The TEE ({@code sgx}, {@code tdx}) and the PCK CA ({@code processor}, {@code platform}) are named as the PCS names
 * them in its URLs, so that this fixture needs no verifier's types.
 */
public record PcsVectors(
        String tee,
        String fmspc,
        String pckCa,
        byte[] quote,
        byte[] tcbInfo,
        String tcbInfoIssuerChain,
        byte[] qeIdentity,
        String qeIdentityIssuerChain,
        byte[] pckCrl,
        String pckCrlIssuerChain,
        byte[] rootCrl,
        Instant validAt) {

    /**
     * Inside every piece's window for both quotes (SGX: 2025-06-19T10:56:11Z .. 2025-07-19T10:01:18Z; TDX:
     * 2025-06-19T10:32:27Z .. 2025-07-19T10:00:35Z, the PCK CRLs and QE identities ending first).
     */
    public static final Instant MID_JULY_2025 = Instant.parse("2025-07-10T00:00:00Z");

    public static Path vectors() {
        return Path.of(System.getProperty("donjon.shared", "../../shared")).resolve("vectors");
    }

    /** sgx/dcap-qvl: quote v3, FMSPC 00a067110000, PCK Processor CA. */
    public static PcsVectors sgx() {
        return of(
                "sgx",
                "sgx/dcap-qvl/sgx_quote",
                "sgx/dcap-qvl/sgx_quote_collateral.json",
                "00a067110000",
                "processor",
                MID_JULY_2025);
    }

    /** tdx/dcap-qvl: quote v4, FMSPC b0c06f000000, PCK Platform CA. */
    public static PcsVectors tdx() {
        return of(
                "tdx",
                "tdx/dcap-qvl/tdx_quote",
                "tdx/dcap-qvl/tdx_quote_collateral.json",
                "b0c06f000000",
                "platform",
                MID_JULY_2025);
    }

    public static byte[] read(String relative) {
        try {
            return Files.readAllBytes(vectors().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PcsVectors of(String tee, String quote, String collateral, String fmspc, String ca, Instant at) {
        try {
            JsonNode j = new ObjectMapper().readTree(read(collateral));
            HexFormat hex = HexFormat.of();
            return new PcsVectors(
                    tee,
                    fmspc,
                    ca,
                    read(quote),
                    signed(
                            "tcbInfo",
                            j.get("tcb_info").asText(),
                            j.get("tcb_info_signature").asText()),
                    j.get("tcb_info_issuer_chain").asText(),
                    signed(
                            "enclaveIdentity",
                            j.get("qe_identity").asText(),
                            j.get("qe_identity_signature").asText()),
                    j.get("qe_identity_issuer_chain").asText(),
                    hex.parseHex(j.get("pck_crl").asText()),
                    j.get("pck_crl_issuer_chain").asText(),
                    hex.parseHex(j.get("root_ca_crl").asText()),
                    at);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PCS body: the signed object's exact bytes under {@code member}, then the signature. */
    private static byte[] signed(String member, String body, String signature) {
        return ("{\"" + member + "\":" + body + ",\"signature\":\"" + signature + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
