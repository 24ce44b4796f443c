package dev.donjon.attestation.intel;

import static dev.donjon.attestation.intel.StrictJson.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.TcbStatus;
import java.time.Instant;
import java.util.List;

/** Intel PCS enclave identity of a quoting enclave (QE for SGX, TD_QE for TDX; v1 "qeIdentity" and v2 "enclaveIdentity"). */
record QeIdentity(
        String id,
        int version,
        Instant issueDate,
        Instant nextUpdate,
        long miscSelect,
        long miscSelectMask,
        byte[] attributes,
        byte[] attributesMask,
        byte[] mrSigner,
        int isvProdId,
        List<EnclaveTcbLevel> levels) {

    static QeIdentity parse(JsonNode e) throws MalformedEvidenceException {
        String p = "enclaveIdentity";
        int version = uint(e, "version", 1000, p);
        if (version < 1 || version > 2)
            throw new MalformedEvidenceException("unsupported QE Identity version " + version);
        String id = version >= 2 ? string(e, "id", p) : "QE";
        if (!List.of("QE", "QVE", "TD_QE").contains(id))
            throw new MalformedEvidenceException("unknown enclave identity id '" + id + "'");
        Instant issue = instant(e, "issueDate", p);
        Instant next = instant(e, "nextUpdate", p);
        if (version >= 2) uint(e, "tcbEvaluationDataNumber", 0xffffffffL, p);
        long misc = u32(hex(e, "miscselect", 4, p));
        long miscMask = u32(hex(e, "miscselectMask", 4, p));
        byte[] attributes = hex(e, "attributes", 16, p);
        byte[] attributesMask = hex(e, "attributesMask", 16, p);
        byte[] mrSigner = hex(e, "mrsigner", 32, p);
        int prodId = uint(e, "isvprodid", 65535, p);
        List<EnclaveTcbLevel> levels = version >= 2
                ? TcbInfo.enclaveLevels(array(e, "tcbLevels", p), p + ".tcbLevels")
                : List.of(new EnclaveTcbLevel(uint(e, "isvsvn", 65535, p), TcbStatus.UP_TO_DATE, List.of()));
        return new QeIdentity(
                id, version, issue, next, misc, miscMask, attributes, attributesMask, mrSigner, prodId, levels);
    }

    /** The JSON hex of MISCSELECT is the big-endian rendering of the 32-bit value. */
    private static long u32(byte[] be) {
        return (be[0] & 0xffL) << 24 | (be[1] & 0xffL) << 16 | (be[2] & 0xffL) << 8 | (be[3] & 0xffL);
    }
}
