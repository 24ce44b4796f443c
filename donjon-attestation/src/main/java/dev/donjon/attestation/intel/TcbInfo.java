package dev.donjon.attestation.intel;

import static dev.donjon.attestation.intel.StrictJson.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.donjon.attestation.MalformedEvidenceException;
import dev.donjon.attestation.TcbStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Intel PCS TCB Info (versions 1, 2 and 3; SGX and TDX): the platform TCB levels for one FMSPC, and for TDX the
 * TDX module identities.
 */
record TcbInfo(
        String id,
        int version,
        Instant issueDate,
        Instant nextUpdate,
        byte[] fmspc,
        Optional<byte[]> pceId,
        List<Level> levels,
        Optional<TdxModule> tdxModule,
        List<TdxModuleIdentity> moduleIdentities) {

    /** A platform TCB level: SGX components + PCESVN (and for TDX the TEE TCB SVN components). */
    record Level(
            int[] sgxComponents,
            int pceSvn,
            Optional<int[]> tdxComponents,
            TcbStatus status,
            List<String> advisoryIds) {}

    record TdxModule(byte[] mrSigner, byte[] attributes, byte[] attributesMask) {}

    record TdxModuleIdentity(
            String id, byte[] mrSigner, byte[] attributes, byte[] attributesMask, List<EnclaveTcbLevel> levels) {}

    static TcbInfo parse(JsonNode t) throws MalformedEvidenceException {
        String p = "tcbInfo";
        int version = uint(t, "version", 1000, p);
        if (version < 1 || version > 3) throw new MalformedEvidenceException("unsupported TCB Info version " + version);
        String id = version >= 3 ? string(t, "id", p) : "SGX";
        if (!id.equals("SGX") && !id.equals("TDX"))
            throw new MalformedEvidenceException("unknown TCB Info id '" + id + "'");
        Instant issue = instant(t, "issueDate", p);
        Instant next = instant(t, "nextUpdate", p);
        byte[] fmspc = hex(t, "fmspc", 6, p);
        Optional<byte[]> pceId = t.has("pceId") ? Optional.of(hex(t, "pceId", 2, p)) : Optional.empty();
        if (version >= 2) {
            if (uint(t, "tcbType", 255, p) != 0)
                throw new MalformedEvidenceException("unsupported tcbInfo.tcbType (only 0 is defined)");
            uint(t, "tcbEvaluationDataNumber", 0xffffffffL, p);
        }
        ArrayNode levelsJson = array(t, "tcbLevels", p);
        if (levelsJson.isEmpty()) throw new MalformedEvidenceException("tcbInfo.tcbLevels is empty");
        List<Level> levels = new ArrayList<>();
        for (int i = 0; i < levelsJson.size(); i++)
            levels.add(level(levelsJson.get(i), version, id.equals("TDX"), p + ".tcbLevels[" + i + "]"));

        Optional<TdxModule> module = Optional.empty();
        List<TdxModuleIdentity> identities = new ArrayList<>();
        if (id.equals("TDX")) {
            if (t.has("tdxModule")) {
                JsonNode m = object(t, "tdxModule", p);
                module = Optional.of(new TdxModule(
                        hex(m, "mrsigner", 48, p + ".tdxModule"),
                        hex(m, "attributes", 8, p + ".tdxModule"),
                        hex(m, "attributesMask", 8, p + ".tdxModule")));
            }
            if (t.has("tdxModuleIdentities")) {
                ArrayNode ids = array(t, "tdxModuleIdentities", p);
                for (int i = 0; i < ids.size(); i++) {
                    String ip = p + ".tdxModuleIdentities[" + i + "]";
                    JsonNode m = ids.get(i);
                    if (!m.isObject()) throw new MalformedEvidenceException(ip + " is not an object");
                    identities.add(new TdxModuleIdentity(
                            string(m, "id", ip),
                            hex(m, "mrsigner", 48, ip),
                            hex(m, "attributes", 8, ip),
                            hex(m, "attributesMask", 8, ip),
                            enclaveLevels(array(m, "tcbLevels", ip), ip + ".tcbLevels")));
                }
            }
        }
        return new TcbInfo(
                id, version, issue, next, fmspc, pceId, List.copyOf(levels), module, List.copyOf(identities));
    }

    private static Level level(JsonNode l, int version, boolean tdx, String p) throws MalformedEvidenceException {
        if (!l.isObject()) throw new MalformedEvidenceException(p + " is not an object");
        JsonNode tcb = object(l, "tcb", p);
        int[] sgx = new int[16];
        Optional<int[]> tdxComps = Optional.empty();
        if (version >= 3) {
            sgx = components(array(tcb, "sgxtcbcomponents", p + ".tcb"), p + ".tcb.sgxtcbcomponents");
            if (tdx)
                tdxComps = Optional.of(
                        components(array(tcb, "tdxtcbcomponents", p + ".tcb"), p + ".tcb.tdxtcbcomponents"));
        } else {
            for (int i = 0; i < 16; i++) sgx[i] = uint(tcb, String.format("sgxtcbcomp%02dsvn", i + 1), 255, p + ".tcb");
        }
        int pceSvn = uint(tcb, "pcesvn", 65535, p + ".tcb");
        TcbStatus status;
        List<String> advisories = List.of();
        if (version == 1) {
            status = status(string(l, "status", p), p + ".status");
        } else {
            instant(l, "tcbDate", p);
            status = status(string(l, "tcbStatus", p), p + ".tcbStatus");
            if (l.has("advisoryIDs")) advisories = strings(l, "advisoryIDs", p);
        }
        return new Level(sgx, pceSvn, tdxComps, status, List.copyOf(advisories));
    }

    private static int[] components(ArrayNode a, String p) throws MalformedEvidenceException {
        if (a.size() != 16) throw new MalformedEvidenceException(p + " has " + a.size() + " entries, expected 16");
        int[] out = new int[16];
        for (int i = 0; i < 16; i++) {
            JsonNode c = a.get(i);
            if (!c.isObject()) throw new MalformedEvidenceException(p + "[" + i + "] is not an object");
            out[i] = uint(c, "svn", 255, p + "[" + i + "]");
        }
        return out;
    }

    static List<EnclaveTcbLevel> enclaveLevels(ArrayNode a, String p) throws MalformedEvidenceException {
        if (a.isEmpty()) throw new MalformedEvidenceException(p + " is empty");
        List<EnclaveTcbLevel> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            String lp = p + "[" + i + "]";
            JsonNode l = a.get(i);
            if (!l.isObject()) throw new MalformedEvidenceException(lp + " is not an object");
            int svn = uint(object(l, "tcb", lp), "isvsvn", 65535, lp + ".tcb");
            instant(l, "tcbDate", lp);
            TcbStatus status = status(string(l, "tcbStatus", lp), lp + ".tcbStatus");
            List<String> adv = l.has("advisoryIDs") ? strings(l, "advisoryIDs", lp) : List.of();
            out.add(new EnclaveTcbLevel(svn, status, adv));
        }
        return List.copyOf(out);
    }

    static TcbStatus status(String s, String p) throws MalformedEvidenceException {
        try {
            return TcbStatus.fromWireName(s);
        } catch (IllegalArgumentException e) {
            throw new MalformedEvidenceException(p + " has unknown TCB status '" + s + "'");
        }
    }
}
