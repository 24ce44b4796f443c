package dev.donjon.abi.snp;

import java.util.Locale;
import java.util.Optional;

/** AMD EPYC generations with SEV-SNP; they differ in TCB_VERSION layout, VCEK hwID length and AMD root. */
public enum ProductLine {
    MILAN("Milan"),
    GENOA("Genoa"),
    TURIN("Turin");

    private final String kdsName;

    ProductLine(String kdsName) {
        this.kdsName = kdsName;
    }

    /** The name AMD's KDS and certificates use ("Milan", "ARK-Milan", "Milan-B0"). */
    public String kdsName() {
        return kdsName;
    }

    /** From the CPUID family/model a v3+ report carries (family 0x19 = Zen 3/4, 0x1A = Zen 5). */
    public static Optional<ProductLine> fromCpuid(int family, int model) {
        if (family == 0x19) {
            if (model <= 0x0F) return Optional.of(MILAN);
            if (model <= 0x1F || (model >= 0xA0 && model <= 0xAF)) return Optional.of(GENOA);
        }
        if (family == 0x1A && model <= 0x1F) return Optional.of(TURIN);
        return Optional.empty();
    }

    /** From a name such as "Milan-B0" (VCEK productName), "ARK-Genoa" or "SEV-VLEK-Turin" (CA common names). */
    public static Optional<ProductLine> fromName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (ProductLine p : values()) {
            if (lower.contains(p.kdsName.toLowerCase(Locale.ROOT))) return Optional.of(p);
        }
        return Optional.empty();
    }
}
