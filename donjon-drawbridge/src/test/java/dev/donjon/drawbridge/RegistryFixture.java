package dev.donjon.drawbridge;

import dev.donjon.common.Tls;
import dev.donjon.server.Authenticator;
import dev.donjon.server.OidcVerifier;
import dev.donjon.server.TokenFile;
import dev.donjon.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/** A TLS registry on a free loopback port, with a token file (alice, bob) and a Steward CA for client certificates. */
final class RegistryFixture implements AutoCloseable {
    static final String ALICE_TOKEN = "alice-token-0123456789";
    static final String BOB_TOKEN = "bob-token-0123456789ab";
    static final String READONLY_TOKEN = "alice-readonly-token-0123";

    final TestPki.Issued tlsCa = TestPki.ca("Test Registry CA");
    final TestPki.Issued serverCert = TestPki.server(tlsCa, "localhost", List.of());
    final TestPki.Issued stewardCa = TestPki.ca("Test Steward CA");
    final Path storeDir;
    final RegistryStore store;
    final RegistryServer server;

    RegistryFixture(Path dir) throws IOException {
        this(dir, Optional.empty());
    }

    RegistryFixture(Path dir, Optional<OidcVerifier> oidc) throws IOException {
        storeDir = dir.resolve("store");
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, """
                # token subject scopes
                %s alice-subject manage
                %s bob-subject manage
                %s alice-subject read
                """.formatted(ALICE_TOKEN, BOB_TOKEN, READONLY_TOKEN));
        store = new RegistryStore(storeDir, 256L << 20);
        SSLContext tls =
                Tls.context(serverCert.keys().getPrivate(), serverCert.chain(), Tls.anchors(List.of(stewardCa.cert())));
        server = RegistryServer.start(new RegistryServer.Config(
                store,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Optional.of(tls),
                true,
                new Authenticator(Optional.of(TokenFile.load(tokens)), oidc, true)));
    }

    /** Trusts the registry's CA, presents no certificate. */
    SSLContext anonymousTls() {
        return Tls.trusting(Tls.anchors(List.of(tlsCa.cert())));
    }

    DrawbridgeClient client(String token) {
        return new DrawbridgeClient(server.baseUri(), anonymousTls(), Optional.ofNullable(token));
    }

    @Override
    public void close() {
        server.close();
    }
}
