package dev.donjon.platform.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** The vendor and feature flags of the first CPU in {@code /proc/cpuinfo}: what a guest kernel says it runs on. */
record CpuInfo(String vendor, Set<String> flags) {

    static Optional<CpuInfo> read(Path cpuinfo) {
        try {
            String vendor = "";
            Set<String> flags = Set.of();
            for (String line : Files.readAllLines(cpuinfo)) {
                int colon = line.indexOf(':');
                if (colon < 0) continue;
                String key = line.substring(0, colon).strip();
                String value = line.substring(colon + 1).strip();
                if (key.equals("vendor_id") && vendor.isEmpty()) vendor = value;
                if (key.equals("flags") && flags.isEmpty())
                    flags = Set.copyOf(java.util.Arrays.asList(value.split("\\s+")));
            }
            return Optional.of(new CpuInfo(vendor, flags));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
