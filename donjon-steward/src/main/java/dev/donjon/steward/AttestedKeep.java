package dev.donjon.steward;

import dev.donjon.abi.csr.ClaimsExtension;
import dev.donjon.abi.csr.WorkloadIdentity;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the Steward learned about a Keep whose evidence verified and passed the policy; it goes into the issued
 * certificate ({@link ClaimsExtension}) and the attestation-result token.
 *
 * @param tee         "snp", "sgx", "tdx" or "sim" (simulated: proves nothing about hardware)
 * @param measurement SNP MEASUREMENT, SGX MRENCLAVE or TDX MRTD, lower-case hex
 * @param signer      SGX MRSIGNER or SNP author key digest (hex), when the TEE has one
 * @param tcbStatus   Intel TCB status when collateral was evaluated
 * @param fields      the verifier's reported fields (manifest names), for the token
 * @param notes       things allowed but worth telling (e.g. a debug Keep the policy accepts)
 */
public record AttestedKeep(
        String tee,
        String measurement,
        Optional<String> signer,
        boolean debug,
        Optional<String> tcbStatus,
        List<String> advisories,
        Map<String, String> fields,
        Optional<WorkloadIdentity> workload,
        List<String> notes) {
    public AttestedKeep {
        advisories = List.copyOf(advisories);
        fields = Map.copyOf(fields);
        notes = List.copyOf(notes);
    }

    /** The certificate extension that says this to a relying party. */
    public ClaimsExtension claims() {
        HexFormat hex = HexFormat.of();
        return new ClaimsExtension(
                tee, hex.parseHex(measurement), debug, signer.map(hex::parseHex), tcbStatus, advisories, workload);
    }

    AttestedKeep withWorkload(Optional<WorkloadIdentity> w) {
        return new AttestedKeep(tee, measurement, signer, debug, tcbStatus, advisories, fields, w, notes);
    }
}
