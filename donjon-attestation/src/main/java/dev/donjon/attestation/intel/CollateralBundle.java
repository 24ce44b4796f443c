package dev.donjon.attestation.intel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.donjon.attestation.IntelCollateral;
import dev.donjon.attestation.MalformedEvidenceException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Collateral normalized from its shapes (dcap-qvl JSON, PCS files, the Enarx CSR's TCB package): signed TCB Info,
 * optional signed QE Identity, each with its issuer chain, and the CRLs that came with it.
 */
record CollateralBundle(SignedCollateral tcbInfo, Optional<SignedCollateral> qeIdentity, List<byte[]> crls) {

    /** A signed PCS document: the exact signed bytes, their tree, the raw r||s signature and the issuer chain (DER, leaf first). */
    record SignedCollateral(byte[] body, JsonNode node, byte[] signature, List<byte[]> issuerChain) {}

    static CollateralBundle of(IntelCollateral collateral) throws MalformedEvidenceException {
        return switch (collateral) {
            case IntelCollateral.DcapQvlJson j -> fromDcapQvl(j.json());
            case IntelCollateral.Files f -> fromFiles(f);
        };
    }

    private static CollateralBundle fromFiles(IntelCollateral.Files f) throws MalformedEvidenceException {
        StrictJson.Signed tcb = StrictJson.signedDocument(f.tcbInfo(), "TCB Info", "tcbInfo");
        SignedCollateral tcbInfo = new SignedCollateral(
                tcb.body(),
                tcb.node(),
                tcb.signature(),
                Certificates.certificateDers(f.tcbInfoIssuerChain(), "TCB Info issuer chain"));
        Optional<SignedCollateral> qe = Optional.empty();
        if (f.qeIdentity().isPresent()) {
            StrictJson.Signed q =
                    StrictJson.signedDocument(f.qeIdentity().get(), "QE Identity", "enclaveIdentity", "qeIdentity");
            byte[] chain = f.qeIdentityIssuerChain().orElse(f.tcbInfoIssuerChain());
            qe = Optional.of(new SignedCollateral(
                    q.body(),
                    q.node(),
                    q.signature(),
                    Certificates.certificateDers(chain, "QE Identity issuer chain")));
        }
        List<byte[]> crls = new ArrayList<>();
        f.pckCrl().ifPresent(crls::add);
        f.rootCaCrl().ifPresent(crls::add);
        return new CollateralBundle(tcbInfo, qe, List.copyOf(crls));
    }

    private static CollateralBundle fromDcapQvl(byte[] json) throws MalformedEvidenceException {
        JsonNode j = StrictJson.parse(json, "dcap-qvl collateral");
        if (!j.isObject()) throw new MalformedEvidenceException("dcap-qvl collateral is not a JSON object");
        String p = "dcap-qvl collateral";
        SignedCollateral tcbInfo =
                signedString(j, "tcb_info", "tcb_info_signature", "tcb_info_issuer_chain", "TCB Info");
        Optional<SignedCollateral> qe = j.has("qe_identity")
                ? Optional.of(signedString(
                        j, "qe_identity", "qe_identity_signature", "qe_identity_issuer_chain", "QE Identity"))
                : Optional.empty();
        List<byte[]> crls = new ArrayList<>();
        for (String name : List.of("pck_crl", "root_ca_crl")) {
            if (j.has(name)) crls.add(hexOrText(StrictJson.blob(j, name, p).strip(), p + "." + name));
        }
        return new CollateralBundle(tcbInfo, qe, List.copyOf(crls));
    }

    private static SignedCollateral signedString(JsonNode j, String body, String sig, String chain, String what)
            throws MalformedEvidenceException {
        String p = "dcap-qvl collateral";
        byte[] bytes = StrictJson.blob(j, body, p).getBytes(StandardCharsets.UTF_8);
        JsonNode node = StrictJson.parse(bytes, what);
        if (!node.isObject()) throw new MalformedEvidenceException(what + " is not a JSON object");
        byte[] signature = StrictJson.hex(j, sig, 64, p);
        List<byte[]> issuer = Certificates.certificateDers(
                StrictJson.blob(j, chain, p).getBytes(StandardCharsets.ISO_8859_1), what + " issuer chain");
        return new SignedCollateral(bytes, node, signature, issuer);
    }

    /** CRLs in dcap-qvl JSON are hex DER; a PEM CRL is accepted too. */
    private static byte[] hexOrText(String s, String what) throws MalformedEvidenceException {
        if (s.contains("-----BEGIN")) return s.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            throw new MalformedEvidenceException(what + " is neither hex DER nor PEM");
        }
    }
}
