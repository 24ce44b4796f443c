package dev.donjon.platform.linux;

import dev.donjon.common.OneLine;
import dev.donjon.platform.Backend;
import dev.donjon.platform.Check;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.Platform;
import dev.donjon.platform.PlatformException;
import dev.donjon.platform.PlatformInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Intel SGX under the Gramine library OS: the JVM runs inside an enclave and Gramine exposes attestation as files
 * under {@code /dev/attestation}: write the 64 bytes to {@code user_report_data}, read the DCAP quote from
 * {@code quote}. {@code attestation_type} must be {@code dcap} (EPID is retired; {@code none} means the manifest
 * turned remote attestation off).
 */
public final class GramineSgxPlatform implements Platform {

    private final Path root;
    private final AttributeFiles files;

    public GramineSgxPlatform(Path attestationRoot, AttributeFiles files) {
        this.root = attestationRoot;
        this.files = files;
    }

    @Override
    public Backend backend() {
        return Backend.SGX;
    }

    @Override
    public PlatformInfo info() {
        if (!Files.isDirectory(root)) {
            return new PlatformInfo(
                    Backend.SGX,
                    false,
                    false,
                    List.of(Check.fail(
                            "Gramine attestation", root + " absent: not running inside a Gramine SGX enclave")));
        }
        Check type = typeCheck();
        boolean files = Files.exists(root.resolve("user_report_data")) && Files.exists(root.resolve("quote"));
        Check quote = files
                ? Check.pass("quote interface", "user_report_data, quote")
                : Check.fail("quote interface", "user_report_data or quote missing under " + root);
        Check top = Check.pass("Gramine attestation", root.toString(), type, quote);
        return new PlatformInfo(Backend.SGX, type.ok() && quote.ok(), false, List.of(top));
    }

    private Check typeCheck() {
        try {
            String type = ConfigfsTsm.text(files.read(root.resolve("attestation_type")));
            return switch (type) {
                case "dcap" -> Check.pass("attestation_type", "dcap");
                case "epid" ->
                    Check.fail("attestation_type", "epid: EPID attestation is retired; Donjon supports DCAP");
                case "none" ->
                    Check.fail("attestation_type", "none: the Gramine manifest has sgx.remote_attestation = \"none\"");
                default -> Check.fail("attestation_type", "'" + type + "' is unknown");
            };
        } catch (IOException e) {
            return Check.fail(
                    "attestation_type", "cannot read " + root.resolve("attestation_type") + ": " + OneLine.of(e));
        }
    }

    @Override
    public Evidence attest(byte[] reportData) throws PlatformException {
        Platform.checkReportData(reportData);
        if (!Files.isDirectory(root))
            throw new PlatformException(root + " is absent: not running inside a Gramine SGX enclave");
        Check type = typeCheck();
        if (!type.ok()) throw new PlatformException("Gramine attestation_type " + type.detail());
        byte[] quote;
        // the pair of pseudo-files is one per enclave: a second writer between our write and read would swap the data
        synchronized (GramineSgxPlatform.class) {
            try {
                files.write(root.resolve("user_report_data"), reportData);
                quote = files.read(root.resolve("quote"));
            } catch (IOException e) {
                throw new PlatformException("Gramine quote request failed under " + root + ": " + OneLine.of(e), e);
            }
        }
        ReportDataEcho.intel(quote, reportData, false);
        return new Evidence.IntelQuote(Backend.SGX, quote);
    }
}
