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
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;

/** Opens the sockets a workload's config declares. The guest never opens a socket itself (Enarx's model). */
final class SocketOpener {
    /** Many clients may arrive before the guest first accepts; the kernel caps this at somaxconn anyway. */
    static final int BACKLOG = 4096;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private SocketOpener() {}

    static ServerSocketChannel listen(WorkloadFile.Listen f) {
        InetSocketAddress addr;
        try {
            addr = new InetSocketAddress(InetAddress.getByName(f.addr()), f.port());
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
                if (e instanceof BindException || !addr.getAddress().isAnyLocalAddress() || !(addr.getAddress() instanceof java.net.Inet6Address)) throw e;
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
            throw new KeepException("listen \"" + f.name() + "\": cannot listen on " + hostPort(f.addr(), f.port()) + ": " + e.getMessage(), e);
        }
    }

    static SocketChannel connect(WorkloadFile.Connect f) {
        String where = hostPort(f.host(), f.port());
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            ch.socket().connect(new InetSocketAddress(f.host(), f.port()), (int) CONNECT_TIMEOUT.toMillis());
            ch.socket().setTcpNoDelay(true);
            return ch;
        } catch (UnresolvedAddressException e) {
            close(ch);
            throw new KeepException("connect \"" + f.name() + "\": unknown host " + f.host());
        } catch (ConnectException e) {
            close(ch);
            throw new KeepException("connect \"" + f.name() + "\": cannot connect to " + where + ": " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            close(ch);
            throw new KeepException("connect \"" + f.name() + "\": no answer from " + where + " within " + CONNECT_TIMEOUT.toSeconds() + " s", e);
        } catch (IOException e) {
            close(ch);
            throw new KeepException("connect \"" + f.name() + "\": cannot connect to " + where + ": " + e.getMessage(), e);
        }
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
