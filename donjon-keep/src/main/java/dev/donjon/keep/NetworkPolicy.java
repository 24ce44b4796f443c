package dev.donjon.keep;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * The host's rules for a Keep's sockets, which the Keep enforces where it opens them ({@code SocketOpener}).
 *
 * @param connect       what {@code connect} files may reach
 * @param listenAddress when present, the only address {@code listen} files may bind: a listener on the wildcard
 *                      address (Enarx.toml's default {@code ::}) binds this one instead, one naming another address is
 *                      refused
 */
public record NetworkPolicy(ConnectPolicy connect, Optional<InetAddress> listenAddress) {

    public NetworkPolicy {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(listenAddress, "listenAddress");
    }

    /** Connect anywhere, listen where the workload says: {@code donjon run}. */
    public static NetworkPolicy unrestricted() {
        return new NetworkPolicy(new ConnectPolicy.Anywhere(), Optional.empty());
    }

    /** Connect anywhere but this host, listen where the workload says: the host agent's default for its Keeps. */
    public static NetworkPolicy notThisHost() {
        return new NetworkPolicy(new ConnectPolicy.NotThisHost(), Optional.empty());
    }

    public NetworkPolicy withListenAddress(InetAddress address) {
        return new NetworkPolicy(connect, Optional.of(address));
    }
}
