package dev.donjon.config;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A workload's configuration, {@code Enarx.toml}, with the semantics of Enarx 0.7.
 *
 * @param steward the Steward that certifies the Keep (https only); empty: the Keep makes a self-signed identity
 * @param args    guest arguments after argv[0] ({@code main.wasm})
 * @param env     guest environment, in file order, after {@code FD_COUNT} and {@code FD_NAMES}
 * @param files   file i is the guest's fd i
 */
public record EnarxConfig(Optional<URI> steward, List<String> args, Map<String, String> env, List<WorkloadFile> files) {

    public EnarxConfig {
        Objects.requireNonNull(steward, "steward");
        args = List.copyOf(args);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        files = List.copyOf(files);
    }

    /** The standard streams only: what Enarx uses when the file has no {@code files} key. */
    public static List<WorkloadFile> defaultFiles() {
        return List.of(
                new WorkloadFile.Stdin(Optional.empty()),
                new WorkloadFile.Stdout(Optional.empty()),
                new WorkloadFile.Stderr(Optional.empty()));
    }

    /** What an empty Enarx.toml means. */
    public static EnarxConfig defaults() {
        return new EnarxConfig(Optional.empty(), List.of(), Map.of(), defaultFiles());
    }

    /**
     * Parses the text of an Enarx.toml.
     *
     * @throws ConfigException one line naming the key at fault (e.g. "unknown key files[2].prto")
     */
    public static EnarxConfig parse(String toml) {
        return ConfigParser.parse(toml);
    }

    /** Reads and parses a file; errors start with the file name. */
    public static EnarxConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
        try {
            return parse(text);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    /** The names of the files in fd order, as the guest sees them in {@code FD_NAMES}. */
    public List<String> fdNames() {
        List<String> names = new ArrayList<>(files.size());
        for (WorkloadFile f : files) names.add(f.fdName());
        return names;
    }
}
