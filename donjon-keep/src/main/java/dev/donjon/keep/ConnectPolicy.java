package dev.donjon.keep;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which addresses a Keep's {@code connect} sockets may reach. It is the host operator's rule, protecting the host and
 * its network from the guests it runs (not the guest from the host), and it is enforced where the Keep opens the
 * socket, on the address actually connected to: the host name is resolved once, the address checked, and that very
 * address connected to, so a DNS answer that changes between a check and a connect (rebinding) changes nothing.
 */
public sealed interface ConnectPolicy {

    boolean permits(InetAddress address);

    /** How the Keep process takes it on its command line; {@link #parse} reads it back. */
    String argument();

    /** Any address: {@code donjon run}'s rule (the user runs their own workload on their own machine). */
    record Anywhere() implements ConnectPolicy {
        @Override
        public boolean permits(InetAddress address) {
            return true;
        }

        @Override
        public String argument() {
            return "anywhere";
        }
    }

    /**
     * Anything but this host: refuses loopback (127.0.0.0/8, ::1), link-local (169.254.0.0/16, fe80::/10, where cloud
     * metadata services live), the unspecified and "this network" addresses (0.0.0.0/8, ::, which reach loopback),
     * multicast, and every address of this host's own interfaces, looked up at each connect. The host agent's default.
     */
    record NotThisHost() implements ConnectPolicy {
        private static final AddressRange THIS_NETWORK = AddressRange.parse("0.0.0.0/8");

        @Override
        public boolean permits(InetAddress address) {
            return !(address.isLoopbackAddress()
                    || address.isLinkLocalAddress()
                    || address.isAnyLocalAddress()
                    || address.isMulticastAddress()
                    || THIS_NETWORK.contains(address)
                    || isOwnAddress(address));
        }

        @Override
        public String argument() {
            return "not-this-host";
        }

        private static boolean isOwnAddress(InetAddress address) {
            try {
                return NetworkInterface.networkInterfaces()
                        .flatMap(NetworkInterface::inetAddresses)
                        .anyMatch(own -> java.util.Arrays.equals(own.getAddress(), address.getAddress()));
            } catch (SocketException e) {
                return true; // cannot tell which addresses are this host's: refuse rather than guess
            }
        }
    }

    /** Only these blocks (which may include loopback, if the operator lists it). */
    record Only(List<AddressRange> ranges) implements ConnectPolicy {
        public Only {
            ranges = List.copyOf(ranges);
            if (ranges.isEmpty()) throw new IllegalArgumentException("an allow-list needs at least one address block");
        }

        @Override
        public boolean permits(InetAddress address) {
            return ranges.stream().anyMatch(r -> r.contains(address));
        }

        @Override
        public String argument() {
            return "only:" + ranges.stream().map(AddressRange::toString).collect(Collectors.joining(","));
        }
    }

    /** @throws IllegalArgumentException not {@code anywhere}, {@code not-this-host} or {@code only:CIDR[,CIDR...]} */
    static ConnectPolicy parse(String argument) {
        return switch (argument) {
            case "anywhere" -> new Anywhere();
            case "not-this-host" -> new NotThisHost();
            default -> {
                if (!argument.startsWith("only:"))
                    throw new IllegalArgumentException("unknown connect policy \"" + argument + "\"");
                yield new Only(java.util.Arrays.stream(argument.substring(5).split(","))
                        .map(AddressRange::parse)
                        .toList());
            }
        };
    }
}
