package dev.donjon.attestation.snp;

import dev.donjon.abi.snp.AttestationReport;
import dev.donjon.abi.snp.ProductLine;
import dev.donjon.abi.snp.SigningKey;
import dev.donjon.abi.snp.TcbVersion;
import dev.donjon.attestation.Claims;
import dev.donjon.attestation.Tee;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What an authentic SEV-SNP report says. {@link #fields()} uses the manifest names (version, measurement,
 * report_data, chip_id, tee) plus SNP-specific ones (host_data, id_key_digest, policy, debug, vmpl, product, ...).
 *
 * @param product    the product line the report came from (CPUID for v3+, else the VCEK or its ARK)
 * @param cpuid      family/model/stepping (reports v3+)
 * @param simulated  signed under a configured simulated root (the sim platform), not under AMD's: no hardware evidence
 */
public record SnpClaims(
        int version,
        int guestSvn,
        long policy,
        int vmpl,
        byte[] measurement,
        byte[] reportData,
        byte[] hostData,
        byte[] idKeyDigest,
        byte[] authorKeyDigest,
        byte[] familyId,
        byte[] imageId,
        byte[] reportId,
        byte[] chipId,
        TcbVersion reportedTcb,
        TcbVersion currentTcb,
        TcbVersion committedTcb,
        TcbVersion launchTcb,
        long platformInfo,
        long launchMitVector,
        long currentMitVector,
        ProductLine product,
        Optional<AttestationReport.Cpuid> cpuid,
        SigningKey signingKey,
        boolean simulated)
        implements Claims {

    private static final HexFormat HEX = HexFormat.of();

    static SnpClaims of(AttestationReport r, ProductLine product, boolean simulated) {
        return new SnpClaims(
                r.version(),
                r.guestSvn(),
                r.policy(),
                r.vmpl(),
                r.measurement(),
                r.reportData(),
                r.hostData(),
                r.idKeyDigest(),
                r.authorKeyDigest(),
                r.familyId(),
                r.imageId(),
                r.reportId(),
                r.chipId(),
                TcbVersion.decode(r.reportedTcb(), product),
                TcbVersion.decode(r.currentTcb(), product),
                TcbVersion.decode(r.committedTcb(), product),
                TcbVersion.decode(r.launchTcb(), product),
                r.platformInfo(),
                r.launchMitVector(),
                r.currentMitVector(),
                product,
                r.cpuid(),
                r.signingKey(),
                simulated);
    }

    @Override
    public Tee tee() {
        return Tee.SNP;
    }

    /** Policy bit 19: the host may debug the guest (read its memory). */
    @Override
    public boolean debug() {
        return (policy & (1L << 19)) != 0;
    }

    /** Policy bits 15:8 and 7:0: the minimum firmware ABI major.minor the owner required. */
    public String policyAbi() {
        return ((policy >>> 8) & 0xFF) + "." + (policy & 0xFF);
    }

    @Override
    public String toString() {
        return "SnpClaims" + fields();
    }

    @Override
    public Map<String, String> fields() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("tee", Tee.SNP.wireName());
        f.put("version", Integer.toString(version));
        f.put("measurement", HEX.formatHex(measurement));
        f.put("report_data", HEX.formatHex(reportData));
        f.put("chip_id", HEX.formatHex(chipId));
        f.put("host_data", HEX.formatHex(hostData));
        f.put("id_key_digest", HEX.formatHex(idKeyDigest));
        f.put("author_key_digest", HEX.formatHex(authorKeyDigest));
        f.put("family_id", HEX.formatHex(familyId));
        f.put("image_id", HEX.formatHex(imageId));
        f.put("guest_svn", Integer.toUnsignedString(guestSvn));
        f.put("policy", "0x" + Long.toHexString(policy));
        f.put("debug", Boolean.toString(debug()));
        f.put("vmpl", Integer.toUnsignedString(vmpl));
        f.put("reported_tcb", "0x" + String.format("%016x", reportedTcb.raw()));
        f.put("product", product.kdsName());
        f.put("signing_key", signingKey.name().toLowerCase(java.util.Locale.ROOT));
        cpuid.ifPresent(c -> f.put("cpuid", String.format("%02x/%02x/%02x", c.family(), c.model(), c.stepping())));
        if (simulated) f.put("simulated", "true");
        return f;
    }
}
