package dev.donjon.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * The TLS baseline for {@link EchoConnections}: the JDK's own TLS 1.3 (SSLServerSocket), one virtual thread per
 * connection, echoing what it reads. Same certificate and client as the Donjon TLS listener.
 */
final class TlsEcho implements AutoCloseable {
    private final SSLServerSocket server;

    private TlsEcho(SSLServerSocket server) {
        this.server = server;
        Thread.ofPlatform().name("tls-echo-accept").daemon().start(this::acceptLoop);
    }

    static TlsEcho start(SSLContext context, int backlog) throws IOException {
        SSLServerSocket server = (SSLServerSocket)
                context.getServerSocketFactory().createServerSocket(0, backlog, InetAddress.getLoopbackAddress());
        server.setEnabledProtocols(new String[] {"TLSv1.3"});
        return new TlsEcho(server);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> echo(s));
            }
        } catch (IOException closed) {
            // close() was called
        }
    }

    private static void echo(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[16_384];
            for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
