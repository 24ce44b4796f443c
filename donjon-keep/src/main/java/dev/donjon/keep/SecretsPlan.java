package dev.donjon.keep;

import dev.donjon.config.DonjonConfig;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The secrets a Keep fetches from a secret broker before its guest starts, and how the guest gets them (Donjon.toml's
 * {@code [secrets]} and {@code [[secret]]}, plus command-line additions). The Keep presents its Steward certificate
 * to the broker, so a workload with secrets needs a {@code steward} in its Enarx.toml.
 *
 * @param config        the broker and the secrets (non-empty)
 * @param brokerAnchors CAs trusted for the broker's HTTPS server; empty: the JDK's
 */
public record SecretsPlan(DonjonConfig config, Optional<List<X509Certificate>> brokerAnchors) {

    public SecretsPlan {
        Objects.requireNonNull(config, "config");
        brokerAnchors = brokerAnchors.map(List::copyOf);
        if (config.secrets().isEmpty() || config.broker().isEmpty())
            throw new IllegalArgumentException("a secrets plan needs a broker and secrets");
    }

    /** The plan for {@code config}, or none when it names no secrets. */
    public static Optional<SecretsPlan> of(DonjonConfig config, Optional<List<X509Certificate>> brokerAnchors) {
        return config.secrets().isEmpty() ? Optional.empty() : Optional.of(new SecretsPlan(config, brokerAnchors));
    }
}
