package dev.donjon.attestation.intel;

import dev.donjon.attestation.Claims;
import dev.donjon.attestation.Tee;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What an authentic TDX quote says about the trust domain. */
public record TdxClaims(
        int version,
        byte[] mrTd,
        List<byte[]> rtmrs,
        byte[] mrConfigId,
        byte[] mrOwner,
        byte[] mrOwnerConfig,
        byte[] tdAttributes,
        byte[] xfam,
        byte[] reportData,
        byte[] fmspc,
        byte[] teeTcbSvn,
        byte[] mrSeam)
        implements Claims {

    public TdxClaims {
        rtmrs = List.copyOf(rtmrs);
    }

    @Override
    public Tee tee() {
        return Tee.TDX;
    }

    /** TD_ATTRIBUTES bit 0 (TUD.DEBUG). */
    @Override
    public boolean debug() {
        return (tdAttributes[0] & 0x01) != 0;
    }

    @Override
    public Map<String, String> fields() {
        HexFormat hex = HexFormat.of();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("tee", tee().wireName());
        f.put("version", Integer.toString(version));
        f.put("mr_td", hex.formatHex(mrTd));
        for (int i = 0; i < rtmrs.size(); i++) f.put("rtmr" + i, hex.formatHex(rtmrs.get(i)));
        f.put("mr_config_id", hex.formatHex(mrConfigId));
        f.put("mr_owner", hex.formatHex(mrOwner));
        f.put("mr_owner_config", hex.formatHex(mrOwnerConfig));
        f.put("td_attributes", hex.formatHex(tdAttributes));
        f.put("xfam", hex.formatHex(xfam));
        f.put("debug", Boolean.toString(debug()));
        f.put("report_data", hex.formatHex(reportData));
        f.put("fmspc", hex.formatHex(fmspc));
        f.put("tee_tcb_svn", hex.formatHex(teeTcbSvn));
        f.put("mr_seam", hex.formatHex(mrSeam));
        return f;
    }
}
