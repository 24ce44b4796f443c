package dev.donjon.keep;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A block of IP addresses in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}; a bare address is a block of
 * one). Only literal addresses: a host name here would be resolved once, at parse time, and then mean nothing.
 */
public record AddressRange(InetAddress network, int prefixLength) {

    public AddressRange {
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException(
                    "prefix length " + prefixLength + " is out of range for " + network.getHostAddress());
        }
    }

    /** @throws IllegalArgumentException not {@code ADDRESS[/PREFIX]} with a literal IPv4 or IPv6 address */
    public static AddressRange parse(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        if (address.startsWith("[") && address.endsWith("]")) address = address.substring(1, address.length() - 1);
        if (!address.matches("[0-9.]+") && !address.contains(":")) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" is not an IP address or CIDR block (host names are not allowed)");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(address); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address or CIDR block");
        }
        int bits = a.getAddress().length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\": the prefix length is not a number");
        }
        if (prefix < 0 || prefix > bits)
            throw new IllegalArgumentException("\"" + text + "\": prefix length must be 0 to " + bits);
        return new AddressRange(a, prefix);
    }

    /** Whether {@code address} is in this block (an IPv4 address is never in an IPv6 block, nor the reverse). */
    public boolean contains(InetAddress address) {
        byte[] net = network.getAddress();
        byte[] a = address.getAddress();
        if (net.length != a.length) return false;
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (net[i] != a[i]) return false;
        }
        int rest = prefixLength % 8;
        if (rest == 0) return true;
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (net[full] & mask) == (a[full] & mask);
    }

    /** {@code 10.0.0.0/8}, {@code ::1/128}. */
    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
