package dev.donjon.host.protocol;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the owner deploys: the module, its optional Enarx.toml, its secrets (name -> bytes) and, optionally, the CA
 * certificates (PEM) that the Keep trusts, besides the JDK's, for the HTTPS server of the Steward its Enarx.toml names;
 * and Donjon's additions beside Enarx.toml: a {@code Donjon.toml} (secrets the Keep fetches from a secret broker) and
 * the broker's CA certificates ({@code secrets-ca.pem}); and the guest's arguments from the command line (after argv[0]
 * and the Enarx.toml's {@code args}, as {@code donjon run} passes them). This is the plaintext that only the client and the Keep ever see.
 *
 * <p>Archive format (big-endian): "DJPK", version byte 1, u32 entry count, then per entry u16 name length, UTF-8 name,
 * u32 data length, data. Names: {@code main.wasm} (required), {@code Enarx.toml}, {@code secrets/NAME},
 * {@code steward-ca.pem}, {@code Donjon.toml}, {@code secrets-ca.pem}, {@code args} (each argument's UTF-8 bytes
 * followed by a NUL byte; present only when there are arguments). Strict: unknown
 * or repeated names, trailing bytes and oversize entries are refused (so a Keep that predates Donjon.toml refuses a
 * package that has one rather than running it without its secrets).
 */
public record WorkloadPackage(
        byte[] wasm,
        Optional<byte[]> enarxToml,
        Map<String, byte[]> secrets,
        Optional<byte[]> stewardCa,
        Optional<byte[]> donjonToml,
        Optional<byte[]> secretsCa,
        List<String> args)
        implements Delivery {

    public static final long MAX_WASM_BYTES = 100L << 20;
    public static final int MAX_TOML_BYTES = 1 << 20;
    public static final int MAX_SECRET_BYTES = 64 << 10;
    public static final int MAX_SECRETS = 256;
    /** Secret names become environment variable names, so they must be valid ones. */
    public static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    private static final byte[] MAGIC = {'D', 'J', 'P', 'K'};
    private static final int VERSION = 1;
    private static final String WASM = "main.wasm";
    private static final String TOML = "Enarx.toml";
    private static final String SECRET_PREFIX = "secrets/";
    private static final String STEWARD_CA = "steward-ca.pem";
    private static final String DONJON_TOML = "Donjon.toml";
    private static final String SECRETS_CA = "secrets-ca.pem";
    private static final String ARGS = "args";
    /** Guest arguments: as many and as long as a Linux command line allows, about. */
    public static final int MAX_ARGS = 4096;

    public static final int MAX_ARGS_BYTES = 1 << 20;

    public WorkloadPackage {
        Objects.requireNonNull(wasm, "wasm");
        Objects.requireNonNull(enarxToml, "enarxToml");
        Objects.requireNonNull(stewardCa, "stewardCa");
        Objects.requireNonNull(donjonToml, "donjonToml");
        Objects.requireNonNull(secretsCa, "secretsCa");
        Map<String, byte[]> copy = new LinkedHashMap<>();
        secrets.forEach((k, v) -> copy.put(k, v.clone()));
        secrets = Collections.unmodifiableMap(copy);
        args = List.copyOf(args);
    }

    /** A package without a Steward CA of its own. */
    public WorkloadPackage(byte[] wasm, Optional<byte[]> enarxToml, Map<String, byte[]> secrets) {
        this(wasm, enarxToml, secrets, Optional.empty());
    }

    /** A package without Donjon.toml (no secrets from a broker) and without guest arguments. */
    public WorkloadPackage(
            byte[] wasm, Optional<byte[]> enarxToml, Map<String, byte[]> secrets, Optional<byte[]> stewardCa) {
        this(wasm, enarxToml, secrets, stewardCa, Optional.empty(), Optional.empty(), List.of());
    }

    /** The same package, run with these guest arguments. */
    public WorkloadPackage withArgs(List<String> guestArgs) {
        return new WorkloadPackage(wasm, enarxToml, secrets, stewardCa, donjonToml, secretsCa, guestArgs);
    }

    /** The same package with Donjon.toml and the broker's CA (PEM), e.g. from a reference that carries them. */
    public WorkloadPackage withDonjon(
            Optional<byte[]> toml, Optional<byte[]> brokerCa, Map<String, byte[]> moreSecrets) {
        Map<String, byte[]> all = new LinkedHashMap<>(secrets);
        all.putAll(moreSecrets);
        return new WorkloadPackage(
                wasm, enarxToml, all, stewardCa, toml.or(() -> donjonToml), brokerCa.or(() -> secretsCa), args);
    }

    /** Checks the caps and names; the message names the offending part. */
    @Override
    public void validate() throws ProtocolException {
        if (wasm.length > MAX_WASM_BYTES) throw new ProtocolException("main.wasm is larger than 100 MiB");
        if (enarxToml.isPresent() && enarxToml.get().length > MAX_TOML_BYTES)
            throw new ProtocolException("Enarx.toml is larger than 1 MiB");
        if (stewardCa.isPresent() && stewardCa.get().length > MAX_TOML_BYTES)
            throw new ProtocolException("steward-ca.pem is larger than 1 MiB");
        if (donjonToml.isPresent() && donjonToml.get().length > MAX_TOML_BYTES)
            throw new ProtocolException("Donjon.toml is larger than 1 MiB");
        if (secretsCa.isPresent() && secretsCa.get().length > MAX_TOML_BYTES)
            throw new ProtocolException("secrets-ca.pem is larger than 1 MiB");
        if (secrets.size() > MAX_SECRETS) throw new ProtocolException("more than " + MAX_SECRETS + " secrets");
        checkArgs(args);
        for (var e : secrets.entrySet()) {
            if (!SECRET_NAME.matcher(e.getKey()).matches()) {
                throw new ProtocolException("secret name '" + e.getKey()
                        + "' is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
            }
            if (e.getValue().length > MAX_SECRET_BYTES)
                throw new ProtocolException("secret " + e.getKey() + " is larger than 64 KiB");
            if (secretText(e.getValue()).isEmpty()) {
                throw new ProtocolException("secret " + e.getKey()
                        + " is not UTF-8 text without NUL (secrets reach the guest as environment variables)");
            }
        }
    }

    /** Guest arguments as both deliveries carry them: no NUL (a C string could not hold it), within the caps. */
    static void checkArgs(List<String> args) throws ProtocolException {
        if (args.size() > MAX_ARGS) throw new ProtocolException("more than " + MAX_ARGS + " guest arguments");
        long bytes = 0;
        for (String a : args) {
            if (a.indexOf('\0') >= 0) throw new ProtocolException("a guest argument holds a NUL character");
            bytes += a.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        if (bytes > MAX_ARGS_BYTES) throw new ProtocolException("the guest arguments are larger than 1 MiB");
    }

    /** A secret's value as the guest sees it, or empty when it cannot be an environment value. */
    public static Optional<String> secretText(byte[] value) {
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value))
                    .toString();
            return s.indexOf('\0') >= 0 ? Optional.empty() : Optional.of(s);
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    @Override
    public byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(wasm.length + 4096);
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeByte(VERSION);
            out.writeInt(1
                    + (enarxToml.isPresent() ? 1 : 0)
                    + secrets.size()
                    + (stewardCa.isPresent() ? 1 : 0)
                    + (donjonToml.isPresent() ? 1 : 0)
                    + (secretsCa.isPresent() ? 1 : 0)
                    + (args.isEmpty() ? 0 : 1));
            entry(out, WASM, wasm);
            if (enarxToml.isPresent()) entry(out, TOML, enarxToml.get());
            for (var e : secrets.entrySet()) entry(out, SECRET_PREFIX + e.getKey(), e.getValue());
            if (stewardCa.isPresent()) entry(out, STEWARD_CA, stewardCa.get());
            if (!args.isEmpty()) entry(out, ARGS, encodeArgs(args));
            if (donjonToml.isPresent()) entry(out, DONJON_TOML, donjonToml.get());
            if (secretsCa.isPresent()) entry(out, SECRETS_CA, secretsCa.get());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void entry(DataOutputStream out, String name, byte[] data) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        out.writeShort(n.length);
        out.write(n);
        out.writeInt(data.length);
        out.write(data);
    }

    private static byte[] encodeArgs(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String a : args) {
            out.writeBytes(a.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    private static List<String> decodeArgs(byte[] data) throws ProtocolException {
        if (data.length == 0 || data[data.length - 1] != 0)
            throw new ProtocolException("package archive's args entry is not NUL-terminated arguments");
        if (data.length > MAX_ARGS_BYTES) throw new ProtocolException("the guest arguments are larger than 1 MiB");
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] != 0) continue;
            try {
                args.add(StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(data, start, i - start))
                        .toString());
            } catch (CharacterCodingException e) {
                throw new ProtocolException("guest argument " + args.size() + " is not UTF-8");
            }
            if (args.size() > MAX_ARGS) throw new ProtocolException("more than " + MAX_ARGS + " guest arguments");
            start = i + 1;
        }
        return args;
    }

    public static WorkloadPackage decode(byte[] archive) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(archive);
        if (in.remaining() < 9 || !Arrays.equals(Arrays.copyOf(archive, 4), MAGIC))
            throw new ProtocolException("package archive has a bad magic");
        in.position(4);
        int version = in.get() & 0xFF;
        if (version != VERSION) throw new ProtocolException("package archive version " + version + " is not supported");
        long count = Integer.toUnsignedLong(in.getInt());
        if (count > 6 + MAX_SECRETS)
            throw new ProtocolException("package archive has too many entries (" + count + ")");
        byte[] wasm = null;
        byte[] toml = null;
        byte[] ca = null;
        byte[] donjon = null;
        byte[] brokerCa = null;
        List<String> args = null;
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            if (in.remaining() < 2) throw new ProtocolException("package archive is truncated");
            int nameLength = Short.toUnsignedInt(in.getShort());
            if (in.remaining() < nameLength + 4) throw new ProtocolException("package archive is truncated");
            byte[] n = new byte[nameLength];
            in.get(n);
            String name = new String(n, StandardCharsets.UTF_8);
            long length = Integer.toUnsignedLong(in.getInt());
            if (length > in.remaining()) throw new ProtocolException("package entry " + name + " is truncated");
            byte[] data = new byte[(int) length];
            in.get(data);
            if (name.equals(WASM)) {
                if (wasm != null) throw new ProtocolException("package archive repeats main.wasm");
                wasm = data;
            } else if (name.equals(TOML)) {
                if (toml != null) throw new ProtocolException("package archive repeats Enarx.toml");
                toml = data;
            } else if (name.equals(STEWARD_CA)) {
                if (ca != null) throw new ProtocolException("package archive repeats steward-ca.pem");
                ca = data;
            } else if (name.equals(ARGS)) {
                if (args != null) throw new ProtocolException("package archive repeats args");
                args = decodeArgs(data);
            } else if (name.equals(DONJON_TOML)) {
                if (donjon != null) throw new ProtocolException("package archive repeats Donjon.toml");
                donjon = data;
            } else if (name.equals(SECRETS_CA)) {
                if (brokerCa != null) throw new ProtocolException("package archive repeats secrets-ca.pem");
                brokerCa = data;
            } else if (name.startsWith(SECRET_PREFIX)) {
                if (secrets.put(name.substring(SECRET_PREFIX.length()), data) != null) {
                    throw new ProtocolException("package archive repeats " + name);
                }
            } else {
                throw new ProtocolException("package archive has an unknown entry '" + name + "'");
            }
        }
        if (in.hasRemaining()) throw new ProtocolException("package archive has " + in.remaining() + " trailing bytes");
        if (wasm == null) throw new ProtocolException("package archive has no main.wasm");
        WorkloadPackage p = new WorkloadPackage(
                wasm,
                Optional.ofNullable(toml),
                secrets,
                Optional.ofNullable(ca),
                Optional.ofNullable(donjon),
                Optional.ofNullable(brokerCa),
                args == null ? List.of() : args);
        p.validate();
        return p;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof WorkloadPackage p)) return false;
        if (!Arrays.equals(wasm, p.wasm)) return false;
        if (enarxToml.isPresent() != p.enarxToml.isPresent()) return false;
        if (enarxToml.isPresent() && !Arrays.equals(enarxToml.get(), p.enarxToml.get())) return false;
        if (stewardCa.isPresent() != p.stewardCa.isPresent()) return false;
        if (stewardCa.isPresent() && !Arrays.equals(stewardCa.get(), p.stewardCa.get())) return false;
        if (!sameOptional(donjonToml, p.donjonToml) || !sameOptional(secretsCa, p.secretsCa)) return false;
        if (!secrets.keySet().equals(p.secrets.keySet())) return false;
        for (var e : secrets.entrySet()) if (!Arrays.equals(e.getValue(), p.secrets.get(e.getKey()))) return false;
        return args.equals(p.args);
    }

    private static boolean sameOptional(Optional<byte[]> a, Optional<byte[]> b) {
        return a.isPresent() == b.isPresent() && (a.isEmpty() || Arrays.equals(a.get(), b.get()));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(wasm);
    }

    /** Never prints contents: a package holds the owner's workload and secrets. */
    @Override
    public String toString() {
        return "WorkloadPackage[main.wasm " + wasm.length + " bytes" + (enarxToml.isPresent() ? ", Enarx.toml" : "")
                + (stewardCa.isPresent() ? ", steward-ca.pem" : "") + (donjonToml.isPresent() ? ", Donjon.toml" : "")
                + (secretsCa.isPresent() ? ", secrets-ca.pem" : "")
                + ", " + secrets.size() + " secrets" + (args.isEmpty() ? "" : ", " + args.size() + " arguments") + "]";
    }
}
