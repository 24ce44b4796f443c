package dev.donjon.attestation.intel;

import static dev.donjon.attestation.TcbStatus.*;

import dev.donjon.abi.intel.QuoteBody;
import dev.donjon.abi.intel.TdReportBody;
import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.TcbStatus;
import dev.donjon.attestation.VerificationException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * TCB level evaluation after Intel's QVL (TcbLevelCheck, TdxModuleCheck, TDRelaunchCheck): the platform level from
 * the PCK's SVNs (and for TDX the TEE_TCB_SVN), converged with the TDX module's and the QE's levels.
 * The rules are those of ../shared/vectors/README.md section 4.
 */
final class TcbEvaluator {

    /** The converged status and the union of the advisory IDs of every matched level. */
    record Verdict(TcbStatus status, Set<String> advisories) {}

    private TcbEvaluator() {}

    static Verdict evaluate(
            TcbInfo info, PckExtension pck, QuoteBody body, Optional<QeIdentity> qeIdentity, int qeIsvSvn)
            throws VerificationException {
        Set<String> advisories = new LinkedHashSet<>();
        Optional<TcbInfo.Level> sgxLevel =
                info.levels().stream().filter(l -> sgxMatches(l, pck)).findFirst();
        TcbStatus status;
        TcbStatus sgxStatus = sgxLevel.map(TcbInfo.Level::status).orElse(null);
        TcbStatus moduleStatus = null;
        if (body instanceof TdReportBody td) {
            byte[] svn = td.teeTcbSvn();
            TcbInfo.Level level = info.levels().stream()
                    .filter(l -> sgxMatches(l, pck) && tdxMatches(l, svn))
                    .findFirst()
                    .orElseThrow(() -> new VerificationException(
                            RejectReason.TCB_LEVEL,
                            "TCB not supported: no TCB level matches the PCK SVNs and TEE_TCB_SVN " + hex(svn)));
            advisories.addAll(level.advisoryIds());
            EnclaveTcbLevel module = moduleLevel(info, td);
            moduleStatus = module.status();
            advisories.addAll(module.advisoryIds());
            status = converge(level.status(), moduleStatus);
        } else {
            TcbInfo.Level level = sgxLevel.orElseThrow(() -> new VerificationException(
                    RejectReason.TCB_LEVEL,
                    "TCB not supported: no TCB level matches the PCK SVNs " + Arrays.toString(pck.tcbComponents())
                            + " / PCESVN " + pck.pceSvn()));
            status = level.status();
            advisories.addAll(level.advisoryIds());
        }

        TcbStatus qeStatus = null;
        if (qeIdentity.isPresent()) {
            EnclaveTcbLevel qe = qeIdentity.get().levels().stream()
                    .filter(l -> l.isvSvn() <= qeIsvSvn)
                    .findFirst()
                    .orElseThrow(() -> new VerificationException(
                            RejectReason.TCB_LEVEL, "QE ISVSVN " + qeIsvSvn + " matches no QE identity TCB level"));
            qeStatus = qe.status();
            advisories.addAll(qe.advisoryIds());
        }

        if (body instanceof TdReportBody td
                && td.teeTcbSvn2().isPresent()
                && relaunchAdvised(info, td.teeTcbSvn2().get(), sgxStatus, status, moduleStatus, qeStatus)) {
            boolean config = sgxStatus == CONFIGURATION_NEEDED
                    || sgxStatus == CONFIGURATION_AND_SW_HARDENING_NEEDED
                    || status == OUT_OF_DATE_CONFIGURATION_NEEDED;
            status = config ? TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED : TD_RELAUNCH_ADVISED;
        }
        if (qeStatus != null) status = converge(status, qeStatus);
        if (status == REVOKED) throw new VerificationException(RejectReason.TCB_LEVEL, "TCB status is Revoked");
        return new Verdict(status, advisories);
    }

    private static boolean sgxMatches(TcbInfo.Level l, PckExtension pck) {
        for (int i = 0; i < 16; i++) if (pck.tcbComponents()[i] < l.sgxComponents()[i]) return false;
        return pck.pceSvn() >= l.pceSvn();
    }

    /** Bytes 0/1 of TEE_TCB_SVN are judged by the module identity when a module major version (byte 1) is set. */
    private static boolean tdxMatches(TcbInfo.Level l, byte[] svn) {
        if (l.tdxComponents().isEmpty()) return false;
        int[] comps = l.tdxComponents().get();
        for (int i = (svn[1] & 0xff) > 0 ? 2 : 0; i < 16; i++) if ((svn[i] & 0xff) < comps[i]) return false;
        return true;
    }

    private static EnclaveTcbLevel moduleLevel(TcbInfo info, TdReportBody td) throws VerificationException {
        byte[] svn = td.teeTcbSvn();
        int major = svn[1] & 0xff;
        for (byte b : td.seamAttributes()) {
            if (b != 0) throw new VerificationException(RejectReason.BINDING, "SEAM_ATTRIBUTES is not zero");
        }
        if (major == 0) {
            TcbInfo.TdxModule m = info.tdxModule()
                    .orElseThrow(() -> new VerificationException(
                            RejectReason.BINDING, "TDX TCB Info has no tdxModule to check MR_SIGNER_SEAM against"));
            if (!Arrays.equals(m.mrSigner(), td.mrSignerSeam())) {
                throw new VerificationException(
                        RejectReason.BINDING, "MR_SIGNER_SEAM does not match the TCB Info tdxModule mrsigner");
            }
            return new EnclaveTcbLevel(0, UP_TO_DATE, List.of());
        }
        TcbInfo.TdxModuleIdentity id = moduleIdentity(info, major)
                .orElseThrow(() -> new VerificationException(
                        RejectReason.BINDING, String.format("TCB Info has no TDX module identity TDX_%02X", major)));
        if (!Arrays.equals(id.mrSigner(), td.mrSignerSeam())) {
            throw new VerificationException(
                    RejectReason.BINDING, "MR_SIGNER_SEAM does not match TDX module identity " + id.id());
        }
        int minor = svn[0] & 0xff;
        return id.levels().stream()
                .filter(l -> l.isvSvn() <= minor)
                .findFirst()
                .orElseThrow(() -> new VerificationException(
                        RejectReason.TCB_LEVEL, "TDX module SVN " + minor + " matches no level of " + id.id()));
    }

    private static Optional<TcbInfo.TdxModuleIdentity> moduleIdentity(TcbInfo info, int major) {
        String want = String.format("TDX_%02X", major);
        return info.moduleIdentities().stream()
                .filter(m -> m.id().equalsIgnoreCase(want))
                .findFirst();
    }

    /** TD 1.5: the TD runs on an outdated module but the module now loaded (TEE_TCB_SVN2) is current. */
    private static boolean relaunchAdvised(
            TcbInfo info,
            byte[] svn2,
            TcbStatus sgxStatus,
            TcbStatus tdxStatus,
            TcbStatus moduleStatus,
            TcbStatus qeStatus) {
        if (sgxStatus == null
                || !List.of(
                                UP_TO_DATE,
                                SW_HARDENING_NEEDED,
                                CONFIGURATION_NEEDED,
                                CONFIGURATION_AND_SW_HARDENING_NEEDED)
                        .contains(sgxStatus)) return false;
        if (tdxStatus != OUT_OF_DATE && tdxStatus != OUT_OF_DATE_CONFIGURATION_NEEDED) return false;
        if (moduleStatus != OUT_OF_DATE) return false;
        if (qeStatus == OUT_OF_DATE || qeStatus == REVOKED) return false;
        TcbInfo.Level latest = info.levels().getFirst();
        if (latest.tdxComponents().isEmpty()) return false;
        int[] comps = latest.tdxComponents().get();
        int major = svn2[1] & 0xff;
        int latestModuleSvn;
        if (major > 0) {
            Optional<TcbInfo.TdxModuleIdentity> id = moduleIdentity(info, major);
            if (id.isEmpty()) return false;
            latestModuleSvn = id.get().levels().getFirst().isvSvn();
        } else {
            latestModuleSvn = comps[0];
        }
        return (svn2[0] & 0xff) >= latestModuleSvn && (svn2[2] & 0xff) >= comps[2];
    }

    /** A component (TDX module or QE) that is OutOfDate or Revoked drags the platform status down with it. */
    static TcbStatus converge(TcbStatus platform, TcbStatus component) {
        if (component == REVOKED) return REVOKED;
        if (component != OUT_OF_DATE) return platform;
        return switch (platform) {
            case UP_TO_DATE, SW_HARDENING_NEEDED -> OUT_OF_DATE;
            case CONFIGURATION_NEEDED, CONFIGURATION_AND_SW_HARDENING_NEEDED -> OUT_OF_DATE_CONFIGURATION_NEEDED;
            default -> platform;
        };
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
