package dev.donjon.server;

import dev.donjon.common.Tls;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A service's TLS: a context holding its certificate chain and key (and, for client authentication, trusting only the
 * operator's client CA), served as TLS 1.3 only. With client authentication the server asks every client for a
 * certificate; one that does not chain to the context's trust anchors fails the handshake.
 *
 * @param clientAuth {@link ClientAuth#REQUIRED}: no connection without a certificate; {@link ClientAuth#OPTIONAL}:
 *                   clients without one connect and authenticate otherwise (a bearer token) or stay anonymous
 */
public record ServerTls(SSLContext context, ClientAuth clientAuth) {

    public enum ClientAuth {
        NONE,
        OPTIONAL,
        REQUIRED
    }

    /** Server authentication only. */
    public static ServerTls of(SSLContext context) {
        return new ServerTls(context, ClientAuth.NONE);
    }

    /**
     * Through the project's one TLS 1.3 context builder: {@code chain} (leaf first) and {@code key}; with a client CA,
     * clients are asked for a certificate chaining to it (and to nothing else: the JDK's anchors are not trusted for clients).
     */
    public static ServerTls of(
            List<X509Certificate> chain,
            PrivateKey key,
            Optional<List<X509Certificate>> clientCa,
            ClientAuth clientAuth) {
        if (clientCa.isPresent() == (clientAuth == ClientAuth.NONE))
            throw new IllegalArgumentException(
                    "a client CA goes with client authentication (OPTIONAL or REQUIRED), and only with it");
        // without a client CA the server never asks for a client certificate, so the JDK's anchors are never consulted
        return new ServerTls(Tls.context(key, chain, clientCa), clientAuth);
    }

    SSLParameters parameters() {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        switch (clientAuth) {
            case NONE -> {
                p.setWantClientAuth(false);
                p.setNeedClientAuth(false);
            }
            case OPTIONAL -> p.setWantClientAuth(true);
            case REQUIRED -> p.setNeedClientAuth(true);
        }
        return p;
    }
}
