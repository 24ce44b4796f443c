package dev.donjon.keep;

import java.net.URI;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Where a Keep's TLS identity comes from. This is the seam for the attested identity: a provider that makes
 * a key inside the TEE, gets evidence from the platform and enrolls with the Steward plugs in here; the
 * Keep itself only needs the resulting {@link SSLContext}.
 */
public interface IdentityProvider {

    /**
     * Makes the Keep's identity. Called at most once per Keep, before any socket is opened, and only when the
     * workload has a {@code steward} or a {@code prot = "tls"} file.
     *
     * @param steward the Steward from Enarx.toml; empty: no enrollment
     * @return a context whose key managers present the Keep's certificate chain (TLS listeners, and client
     *     authentication on TLS connects) and whose trust managers judge the peers of TLS connects
     * @throws KeepException if the identity cannot be made (enrollment refused, ...)
     */
    SSLContext identify(Optional<URI> steward);

    /**
     * The contexts the Keep's TLS sockets use. By default {@link #identify}'s context for both directions and no
     * client authentication; a provider that can require client certificates on listeners overrides this.
     */
    default KeepTls tls(Optional<URI> steward) {
        return KeepTls.of(identify(steward));
    }
}
