package dev.donjon.abi.snp;

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

    /** The TCB_VERSION with these levels in {@code product}'s layout (the other octets zero); {@code fmc} only on Turin. */
    public static TcbVersion of(ProductLine product, int fmc, int bootloader, int tee, int snp, int microcode) {
        long raw = product == ProductLine.TURIN
                ? octetAt(fmc, 0) | octetAt(bootloader, 1) | octetAt(tee, 2) | octetAt(snp, 3) | octetAt(microcode, 7)
                : octetAt(bootloader, 0) | octetAt(tee, 1) | octetAt(snp, 6) | octetAt(microcode, 7);
        return decode(raw, product);
    }

    private static long octetAt(int value, int index) {
        if (value < 0 || value > 0xFF)
            throw new IllegalArgumentException("a security patch level is 0 to 255, not " + value);
        return (long) value << (8 * index);
    }

    private static int octet(long raw, int index) {
        return (int) (raw >>> (8 * index)) & 0xFF;
    }

    @Override
    public String toString() {
        return "fmc=" + fmc + " bl=" + bootloader + " tee=" + tee + " snp=" + snp + " ucode=" + microcode;
    }
}
