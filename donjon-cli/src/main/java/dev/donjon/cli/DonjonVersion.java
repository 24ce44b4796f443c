package dev.donjon.cli;

import picocli.CommandLine.IVersionProvider;

/** Version from the jar manifest (set by Maven), so --version never lies. */
final class DonjonVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Donjon.class.getPackage().getImplementationVersion();
        return new String[] {"donjon " + (v == null ? "(development build)" : v) + " on Java " + Runtime.version()};
    }
}
