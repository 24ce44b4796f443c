package dev.donjon.cli;

import picocli.CommandLine.IVersionProvider;

/** picocli's view of {@link Main#version()}. */
final class DonjonVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {Main.version()};
    }
}
