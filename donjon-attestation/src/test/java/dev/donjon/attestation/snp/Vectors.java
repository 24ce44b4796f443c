package dev.donjon.attestation.snp;

import dev.donjon.attestation.Container;
import dev.donjon.attestation.Endorsements;
import dev.donjon.attestation.EvidenceInput;
import dev.donjon.attestation.Tee;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Files of ../shared/vectors and EvidenceInputs built from them, for SNP tests. */
final class Vectors {

    private Vectors() {}

    static Path dir() {
        return Path.of(System.getProperty("donjon.shared", "../../shared")).resolve("vectors");
    }

    static byte[] read(String relative) {
        try {
            return Files.readAllBytes(dir().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] hexFile(String relative) {
        String text = new String(read(relative)).replaceAll("\\s", "");
        if (text.startsWith("0x") || text.startsWith("0X")) text = text.substring(2);
        return HexFormat.of().parseHex(text);
    }

    static EvidenceInput input(
            Container container, byte[] evidence, Optional<String> vcek, Optional<String> vlek, String chain) {
        Endorsements e = new Endorsements(
                vcek.map(Vectors::read),
                vlek.map(Vectors::read),
                Optional.ofNullable(chain).map(Vectors::read),
                List.of(),
                Optional.empty(),
                Optional.empty());
        return new EvidenceInput(Tee.SNP, container, evidence, e);
    }

    static EvidenceInput report(String file, String vcek, String chain) {
        return input(Container.SNP_REPORT, read(file), Optional.of(vcek), Optional.empty(), chain);
    }

    static EvidenceInput vlekReport(String file, String vlek, String chain) {
        return input(Container.SNP_REPORT, read(file), Optional.empty(), Optional.of(vlek), chain);
    }
}
