package dev.donjon.config;

/** Enarx.toml is not valid TOML or breaks a rule; the message is one line and names the key at fault. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
