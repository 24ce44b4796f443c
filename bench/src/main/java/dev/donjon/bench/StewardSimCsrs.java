package dev.donjon.bench;

import dev.donjon.platform.identity.CachedCollateral;
import dev.donjon.platform.identity.KeepIdentity;
import dev.donjon.platform.sim.SimAuthority;
import dev.donjon.platform.sim.SimPlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Makes N distinct sim Keep CSRs (each its own P-384 key and sim report, as N Keeps would) for bench/steward.sh,
 * with a Steward policy that accepts them: DIR/csr-N.der, DIR/csrs.txt (their paths), DIR/policy.toml.
 * Run: {@code java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" dev.donjon.bench.StewardSimCsrs DIR N}
 */
public final class StewardSimCsrs {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        Files.createDirectories(dir);
        byte[] measurement = new byte[48];
        Arrays.fill(measurement, (byte) 0x5a);
        SimPlatform sim = new SimPlatform(dir.resolve("sim"), Clock.systemUTC(), measurement::clone);
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < n; i++) {
            Path csr = dir.resolve(String.format("csr-%05d.der", i));
            Files.write(csr, KeepIdentity.create(sim, CachedCollateral.none()).csr());
            list.append(csr.toAbsolutePath()).append('\n');
        }
        Files.writeString(dir.resolve("csrs.txt"), list);
        Files.writeString(
                dir.resolve("policy.toml"),
                "[sim]\nhash = [\"" + HexFormat.of().formatHex(measurement) + "\"]\nchain = \"sim/"
                        + SimAuthority.CHAIN_FILE + "\"\n");
        System.out.println("wrote " + n + " sim CSRs, csrs.txt and policy.toml to " + dir);
    }
}
