package dev.donjon.config;

/** How a socket file talks: plain TCP, or TLS terminated by the Keep (the guest sees plaintext). */
public enum Protocol {
    TCP(80),
    TLS(443);

    private final int defaultPort;

    Protocol(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    /** The port a file gets when its {@code port} key is absent: 80 for tcp, 443 for tls. */
    public int defaultPort() {
        return defaultPort;
    }

    /** The spelling in Enarx.toml. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
