package dev.donjon.keep;

import dev.donjon.config.WorkloadFile;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * Opens the sockets a workload's config declares. The guest never opens a socket itself (Enarx's model), so this is
 * where the host's {@link NetworkPolicy} is enforced.
 */
final class SocketOpener {
    /** Many clients may arrive before the guest first accepts; the kernel caps this at somaxconn anyway. */
    static final int BACKLOG = 4096;

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private SocketOpener() {}

    static ServerSocketChannel listen(WorkloadFile.Listen f, NetworkPolicy policy) {
        InetSocketAddress addr;
        try {
            addr = new InetSocketAddress(listenAddress(f, InetAddress.getByName(f.addr()), policy), f.port());
        } catch (UnknownHostException e) {
            throw new KeepException("listen \"" + f.name() + "\": cannot resolve addr \"" + f.addr() + "\"");
        }
        ServerSocketChannel ch = null;
        try {
            try {
                ch = ServerSocketChannel.open();
                ch.bind(addr, BACKLOG);
            } catch (java.net.SocketException | java.nio.channels.UnsupportedAddressTypeException e) {
                // "::" (the default) on a host without IPv6: every IPv4 interface is what the user meant
                if (e instanceof BindException
                        || !addr.getAddress().isAnyLocalAddress()
                        || !(addr.getAddress() instanceof java.net.Inet6Address)) throw e;
                close(ch);
                ch = ServerSocketChannel.open();
                ch.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), f.port()), BACKLOG);
            }
            return ch;
        } catch (BindException e) {
            close(ch);
            String why = e.getMessage() != null && e.getMessage().contains("in use")
                    ? "port " + f.port() + " is already in use"
                    : "cannot bind " + hostPort(f.addr(), f.port()) + ": " + e.getMessage();
            throw new KeepException("listen \"" + f.name() + "\": " + why, e);
        } catch (IOException e) {
            close(ch);
            throw new KeepException(
                    "listen \"" + f.name() + "\": cannot listen on " + hostPort(f.addr(), f.port()) + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** The wildcard becomes the host's listen address; any other address must be it. */
    private static InetAddress listenAddress(WorkloadFile.Listen f, InetAddress wanted, NetworkPolicy policy) {
        if (policy.listenAddress().isEmpty()) return wanted;
        InetAddress only = policy.listenAddress().get();
        if (wanted.isAnyLocalAddress() || wanted.equals(only)) return only;
        throw new KeepException(
                "listen \"" + f.name() + "\": addr " + f.addr() + " is not allowed on this host, whose Keeps listen on "
                        + only.getHostAddress() + " (leave addr out, or set it to that address)");
    }

    static SocketChannel connect(WorkloadFile.Connect f, NetworkPolicy policy) {
        String where = hostPort(f.host(), f.port());
        InetAddress target = permittedAddress(f, policy.connect());
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            // the checked address itself, never the name again: a second lookup could answer something else
            ch.socket().connect(new InetSocketAddress(target, f.port()), (int) CONNECT_TIMEOUT.toMillis());
            InetAddress peer = ((InetSocketAddress) ch.getRemoteAddress()).getAddress();
            if (!policy.connect().permits(peer)) throw new KeepException(refusal(f, peer));
            ch.socket().setTcpNoDelay(true);
            return ch;
        } catch (KeepException e) {
            close(ch);
            throw e;
        } catch (ConnectException e) {
            close(ch);
            throw new KeepException(
                    "connect \"" + f.name() + "\": cannot connect to " + where + ": " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            close(ch);
            throw new KeepException(
                    "connect \"" + f.name() + "\": no answer from " + where + " within " + CONNECT_TIMEOUT.toSeconds()
                            + " s",
                    e);
        } catch (IOException e) {
            close(ch);
            throw new KeepException(
                    "connect \"" + f.name() + "\": cannot connect to " + where + ": " + e.getMessage(), e);
        }
    }

    /** Resolves the host once and picks its first address the policy permits. */
    private static InetAddress permittedAddress(WorkloadFile.Connect f, ConnectPolicy policy) {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(f.host());
        } catch (UnknownHostException e) {
            throw new KeepException("connect \"" + f.name() + "\": unknown host " + f.host());
        }
        for (InetAddress a : all) {
            if (policy.permits(a)) return a;
        }
        throw new KeepException(refusal(f, all[0]));
    }

    private static String refusal(WorkloadFile.Connect f, InetAddress address) {
        String resolved = f.host().equals(address.getHostAddress()) ? "" : " (" + address.getHostAddress() + ")";
        return "connect \"" + f.name() + "\": " + hostPort(f.host(), f.port()) + resolved
                + " is refused by this host's network policy (Keeps may not reach "
                + (address.isLoopbackAddress()
                        ? "loopback"
                        : address.isLinkLocalAddress() ? "link-local addresses" : "this address")
                + ")";
    }

    static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    static void close(java.io.Closeable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // already failing; the first error is the one to report
        }
    }
}
