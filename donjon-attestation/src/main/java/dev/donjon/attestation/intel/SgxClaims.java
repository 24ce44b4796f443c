package dev.donjon.attestation.intel;

import dev.donjon.attestation.Claims;
import dev.donjon.attestation.Tee;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** What an authentic SGX quote says about the enclave. */
public record SgxClaims(
        int version,
        byte[] mrEnclave,
        byte[] mrSigner,
        int isvProdId,
        int isvSvn,
        byte[] attributes,
        long miscSelect,
        byte[] reportData,
        byte[] fmspc)
        implements Claims {

    @Override
    public Tee tee() {
        return Tee.SGX;
    }

    /** ATTRIBUTES.FLAGS bit 1 (DEBUG). */
    @Override
    public boolean debug() {
        return (attributes[0] & 0x02) != 0;
    }

    @Override
    public Map<String, String> fields() {
        HexFormat hex = HexFormat.of();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("tee", tee().wireName());
        f.put("version", Integer.toString(version));
        f.put("mr_enclave", hex.formatHex(mrEnclave));
        f.put("mr_signer", hex.formatHex(mrSigner));
        f.put("isv_prod_id", Integer.toString(isvProdId));
        f.put("isv_svn", Integer.toString(isvSvn));
        f.put("attributes", hex.formatHex(attributes));
        f.put("misc_select", String.format("%08x", miscSelect));
        f.put("debug", Boolean.toString(debug()));
        f.put("report_data", hex.formatHex(reportData));
        f.put("fmspc", hex.formatHex(fmspc));
        return f;
    }
}
