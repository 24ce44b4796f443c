package dev.donjon.host.protocol;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the owner deploys: the module, its optional Enarx.toml, its secrets (name -> bytes) and, optionally, the CA
 * certificates (PEM) that the Keep trusts, besides the JDK's, for the HTTPS server of the Steward its Enarx.toml names.
 * This is the plaintext that only the client and the Keep ever see.
 *
 * <p>Archive format (big-endian): "DJPK", version byte 1, u32 entry count, then per entry u16 name length, UTF-8 name,
 * u32 data length, data. Names: {@code main.wasm} (required), {@code Enarx.toml}, {@code secrets/NAME},
 * {@code steward-ca.pem}. Strict: unknown
 * or repeated names, trailing bytes and oversize entries are refused.
 */
public record WorkloadPackage(byte[] wasm, Optional<byte[]> enarxToml, Map<String, byte[]> secrets, Optional<byte[]> stewardCa)
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

    public WorkloadPackage {
        Objects.requireNonNull(wasm, "wasm");
        Objects.requireNonNull(enarxToml, "enarxToml");
        Objects.requireNonNull(stewardCa, "stewardCa");
        Map<String, byte[]> copy = new LinkedHashMap<>();
        secrets.forEach((k, v) -> copy.put(k, v.clone()));
        secrets = Collections.unmodifiableMap(copy);
    }

    /** A package without a Steward CA of its own. */
    public WorkloadPackage(byte[] wasm, Optional<byte[]> enarxToml, Map<String, byte[]> secrets) {
        this(wasm, enarxToml, secrets, Optional.empty());
    }

    /** Checks the caps and names; the message names the offending part. */
    @Override
    public void validate() throws ProtocolException {
        if (wasm.length > MAX_WASM_BYTES) throw new ProtocolException("main.wasm is larger than 100 MiB");
        if (enarxToml.isPresent() && enarxToml.get().length > MAX_TOML_BYTES) throw new ProtocolException("Enarx.toml is larger than 1 MiB");
        if (stewardCa.isPresent() && stewardCa.get().length > MAX_TOML_BYTES) throw new ProtocolException("steward-ca.pem is larger than 1 MiB");
        if (secrets.size() > MAX_SECRETS) throw new ProtocolException("more than " + MAX_SECRETS + " secrets");
        for (var e : secrets.entrySet()) {
            if (!SECRET_NAME.matcher(e.getKey()).matches()) {
                throw new ProtocolException("secret name '" + e.getKey() + "' is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
            }
            if (e.getValue().length > MAX_SECRET_BYTES) throw new ProtocolException("secret " + e.getKey() + " is larger than 64 KiB");
            if (secretText(e.getValue()).isEmpty()) {
                throw new ProtocolException("secret " + e.getKey() + " is not UTF-8 text without NUL (secrets reach the guest as environment variables)");
            }
        }
    }

    /** A secret's value as the guest sees it, or empty when it cannot be an environment value. */
    public static Optional<String> secretText(byte[] value) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
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
            out.writeInt(1 + (enarxToml.isPresent() ? 1 : 0) + secrets.size() + (stewardCa.isPresent() ? 1 : 0));
            entry(out, WASM, wasm);
            if (enarxToml.isPresent()) entry(out, TOML, enarxToml.get());
            for (var e : secrets.entrySet()) entry(out, SECRET_PREFIX + e.getKey(), e.getValue());
            if (stewardCa.isPresent()) entry(out, STEWARD_CA, stewardCa.get());
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

    public static WorkloadPackage decode(byte[] archive) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(archive);
        if (in.remaining() < 9 || !Arrays.equals(Arrays.copyOf(archive, 4), MAGIC)) throw new ProtocolException("package archive has a bad magic");
        in.position(4);
        int version = in.get() & 0xFF;
        if (version != VERSION) throw new ProtocolException("package archive version " + version + " is not supported");
        long count = Integer.toUnsignedLong(in.getInt());
        if (count > 3 + MAX_SECRETS) throw new ProtocolException("package archive has too many entries (" + count + ")");
        byte[] wasm = null;
        byte[] toml = null;
        byte[] ca = null;
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
        WorkloadPackage p = new WorkloadPackage(wasm, Optional.ofNullable(toml), secrets, Optional.ofNullable(ca));
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
        if (!secrets.keySet().equals(p.secrets.keySet())) return false;
        for (var e : secrets.entrySet()) if (!Arrays.equals(e.getValue(), p.secrets.get(e.getKey()))) return false;
        return true;
    }

    @Override
    public int hashCode() { return Arrays.hashCode(wasm); }

    /** Never prints contents: a package holds the owner's workload and secrets. */
    @Override
    public String toString() {
        return "WorkloadPackage[main.wasm " + wasm.length + " bytes" + (enarxToml.isPresent() ? ", Enarx.toml" : "")
                + (stewardCa.isPresent() ? ", steward-ca.pem" : "")
                + ", " + secrets.size() + " secrets]";
    }
}
