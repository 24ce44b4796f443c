package dev.donjon.platform;

import dev.donjon.platform.linux.AttributeFiles;
import dev.donjon.platform.linux.GramineSgxPlatform;
import dev.donjon.platform.linux.SnpPlatform;
import dev.donjon.platform.linux.TdxPlatform;
import dev.donjon.platform.sim.SimPlatform;
import java.time.Clock;
import java.util.List;

/** Every backend of this build, configured from {@link PlatformSettings}, in {@code platform info} order. */
public final class Platforms {

    private Platforms() {}

    public static List<Platform> all(PlatformSettings s, Clock clock) {
        return List.of(
                new GramineSgxPlatform(s.gramine(), AttributeFiles.KERNEL),
                new SnpPlatform(s.tsmReport(), s.sevGuest(), s.cpuinfo(), AttributeFiles.KERNEL),
                new TdxPlatform(s.tsmReport(), s.tdxGuest(), s.cpuinfo(), AttributeFiles.KERNEL),
                new SimPlatform(s.sim(), clock),
                new NilPlatform());
    }

    public static PlatformSelector selector(PlatformSettings s, Clock clock) {
        return new PlatformSelector(all(s, clock));
    }
}
