package dev.donjon.abi.intel;

import dev.donjon.abi.FormatException;
import java.util.Optional;

/**
 * A TD quote body: TD 1.0 (584 bytes) or TD 1.5 (648 bytes: adds TEE_TCB_SVN2 and MR_SERVICETD).
 */
public record TdReportBody(
        byte[] teeTcbSvn,
        byte[] mrSeam,
        byte[] mrSignerSeam,
        byte[] seamAttributes,
        byte[] tdAttributes,
        byte[] xfam,
        byte[] mrTd,
        byte[] mrConfigId,
        byte[] mrOwner,
        byte[] mrOwnerConfig,
        byte[][] rtmrs,
        byte[] reportData,
        Optional<byte[]> teeTcbSvn2,
        Optional<byte[]> mrServiceTd)
        implements QuoteBody {

    public static final int SIZE_TD10 = 584;
    public static final int SIZE_TD15 = 648;

    /** TD_ATTRIBUTES bit 0 (TUD.DEBUG). */
    public boolean debug() {
        return (tdAttributes[0] & 0x01) != 0;
    }

    public static TdReportBody parse(byte[] raw) throws FormatException {
        if (raw.length != SIZE_TD10 && raw.length != SIZE_TD15) {
            throw new FormatException("TD report body is " + raw.length + " bytes, expected 584 or 648");
        }
        LittleEndianReader r = new LittleEndianReader(raw, 0, raw.length);
        byte[] teeTcbSvn = r.bytes(16, "TEE_TCB_SVN");
        byte[] mrSeam = r.bytes(48, "MRSEAM");
        byte[] mrSignerSeam = r.bytes(48, "MRSIGNERSEAM");
        byte[] seamAttributes = r.bytes(8, "SEAMATTRIBUTES");
        byte[] tdAttributes = r.bytes(8, "TDATTRIBUTES");
        byte[] xfam = r.bytes(8, "XFAM");
        byte[] mrTd = r.bytes(48, "MRTD");
        byte[] mrConfigId = r.bytes(48, "MRCONFIGID");
        byte[] mrOwner = r.bytes(48, "MROWNER");
        byte[] mrOwnerConfig = r.bytes(48, "MROWNERCONFIG");
        byte[][] rtmrs = new byte[4][];
        for (int i = 0; i < 4; i++) rtmrs[i] = r.bytes(48, "RTMR" + i);
        byte[] reportData = r.bytes(64, "REPORTDATA");
        Optional<byte[]> svn2 = Optional.empty();
        Optional<byte[]> serviceTd = Optional.empty();
        if (raw.length == SIZE_TD15) {
            svn2 = Optional.of(r.bytes(16, "TEE_TCB_SVN2"));
            serviceTd = Optional.of(r.bytes(48, "MRSERVICETD"));
        }
        return new TdReportBody(
                teeTcbSvn,
                mrSeam,
                mrSignerSeam,
                seamAttributes,
                tdAttributes,
                xfam,
                mrTd,
                mrConfigId,
                mrOwner,
                mrOwnerConfig,
                rtmrs,
                reportData,
                svn2,
                serviceTd);
    }

    @Override
    public byte[] encode() {
        IntelQuote.LittleEndianWriter w = new IntelQuote.LittleEndianWriter()
                .bytes(teeTcbSvn, 16)
                .bytes(mrSeam, 48)
                .bytes(mrSignerSeam, 48)
                .bytes(seamAttributes, 8)
                .bytes(tdAttributes, 8)
                .bytes(xfam, 8)
                .bytes(mrTd, 48)
                .bytes(mrConfigId, 48)
                .bytes(mrOwner, 48)
                .bytes(mrOwnerConfig, 48);
        for (byte[] rtmr : rtmrs) w.bytes(rtmr, 48);
        w.bytes(reportData, 64);
        if (teeTcbSvn2.isPresent()) w.bytes(teeTcbSvn2.get(), 16).bytes(mrServiceTd.orElseThrow(), 48);
        return w.toByteArray();
    }
}
