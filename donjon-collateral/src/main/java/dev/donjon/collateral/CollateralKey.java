package dev.donjon.collateral;

import dev.donjon.abi.snp.ProductLine;
import dev.donjon.attestation.Tee;
import dev.donjon.attestation.intel.PcsCollateral.PckCa;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One piece of collateral the cache holds, named the way its service names it. {@link #id()} is its stable name
 * (file name in the cache, key in a bundle); {@link #describe()} is how messages name it.
 */
public sealed interface CollateralKey {

    Pattern FMSPC = Pattern.compile("[0-9a-f]{12}");

    /** Stable, file-name safe: {@code intel-sgx-tcb-00a067110000}, {@code amd-milan-crl}, ... */
    String id();

    /** For people: {@code SGX TCB Info for FMSPC 00a067110000}. */
    String describe();

    /** Intel PCS TCB Info of one platform model; {@code fmspc} in lower-case hex. */
    record IntelTcbInfo(Tee tee, String fmspc) implements CollateralKey {
        public IntelTcbInfo {
            intel(tee);
            fmspc = fmspc.toLowerCase(Locale.ROOT);
            if (!FMSPC.matcher(fmspc).matches())
                throw new IllegalArgumentException("FMSPC must be 12 hex digits, not '" + fmspc + "'");
        }

        @Override
        public String id() {
            return "intel-" + tee.wireName() + "-tcb-" + fmspc;
        }

        @Override
        public String describe() {
            return upper(tee) + " TCB Info for FMSPC " + fmspc;
        }
    }

    /** Intel PCS identity of the quoting enclave (QE for SGX, TD_QE for TDX). */
    record IntelQeIdentity(Tee tee) implements CollateralKey {
        public IntelQeIdentity {
            intel(tee);
        }

        @Override
        public String id() {
            return "intel-" + tee.wireName() + "-qe";
        }

        @Override
        public String describe() {
            return upper(tee) + " QE Identity";
        }
    }

    /** The CRL of one PCK CA (both SGX and TDX PCK certificates are issued under these). */
    record IntelPckCrl(PckCa ca) implements CollateralKey {
        @Override
        public String id() {
            return "intel-pckcrl-" + ca.parameter();
        }

        @Override
        public String describe() {
            return "PCK CRL (" + ca.parameter() + " CA)";
        }
    }

    /** The Intel SGX Root CA's CRL. */
    record IntelRootCrl() implements CollateralKey {
        @Override
        public String id() {
            return "intel-rootcrl";
        }

        @Override
        public String describe() {
            return "Intel SGX Root CA CRL";
        }
    }

    /** AMD KDS {@code cert_chain} of a product: its ASK and ARK. */
    record AmdCertChain(ProductLine product) implements CollateralKey {
        @Override
        public String id() {
            return "amd-" + lower(product) + "-cert_chain";
        }

        @Override
        public String describe() {
            return "AMD " + product.kdsName() + " cert_chain";
        }
    }

    /** AMD KDS CRL of a product's ARK. */
    record AmdCrl(ProductLine product) implements CollateralKey {
        @Override
        public String id() {
            return "amd-" + lower(product) + "-crl";
        }

        @Override
        public String describe() {
            return "AMD " + product.kdsName() + " CRL";
        }
    }

    /** One chip's VCEK at one TCB; {@code path} is its KDS path with the query ({@code AmdKds.vcekPath}). */
    record AmdVcek(ProductLine product, String path) implements CollateralKey {
        public AmdVcek {
            if (!path.startsWith("/vcek/v1/" + product.kdsName() + "/")
                    || path.length() > 512
                    || path.chars().anyMatch(c -> c <= 0x20 || c > 0x7e)) {
                throw new IllegalArgumentException("not a KDS VCEK path for " + product.kdsName() + ": " + path);
            }
        }

        @Override
        public String id() {
            return "amd-" + lower(product) + "-vcek-" + sha256(path).substring(0, 24);
        }

        @Override
        public String describe() {
            return "AMD " + product.kdsName() + " VCEK "
                    + path.substring(path.lastIndexOf('/') + 1, Math.min(path.length(), path.lastIndexOf('/') + 17))
                    + "...";
        }
    }

    private static void intel(Tee tee) {
        if (tee != Tee.SGX && tee != Tee.TDX)
            throw new IllegalArgumentException("Intel collateral is for sgx or tdx, not " + tee.wireName());
    }

    private static String upper(Tee tee) {
        return tee.wireName().toUpperCase(Locale.ROOT);
    }

    private static String lower(ProductLine p) {
        return p.kdsName().toLowerCase(Locale.ROOT);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
