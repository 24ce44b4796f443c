package dev.donjon.attestation.snp;

/**
 * A TCB_VERSION (the security patch levels of the SNP firmware components), decoded for a product line:
 * Milan/Genoa bytes are BL, TEE, 4 reserved, SNP, UCODE; Turin bytes are FMC, BL, TEE, SNP, 3 reserved, UCODE.
 *
 * @param fmc zero before Turin, which introduced the FMC component
 */
public record TcbVersion(long raw, int fmc, int bootloader, int tee, int snp, int microcode) {

    public static TcbVersion decode(long raw, ProductLine product) {
        if (product == ProductLine.TURIN) {
            return new TcbVersion(raw, octet(raw, 0), octet(raw, 1), octet(raw, 2), octet(raw, 3), octet(raw, 7));
        }
        return new TcbVersion(raw, 0, octet(raw, 0), octet(raw, 1), octet(raw, 6), octet(raw, 7));
    }

    private static int octet(long raw, int index) {
        return (int) (raw >>> (8 * index)) & 0xFF;
    }

    @Override
    public String toString() {
        return "fmc=" + fmc + " bl=" + bootloader + " tee=" + tee + " snp=" + snp + " ucode=" + microcode;
    }
}
