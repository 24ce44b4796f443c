package dev.donjon.host.keep;

import dev.donjon.common.Tls;
import dev.donjon.drawbridge.FetchedPackage;
import dev.donjon.drawbridge.PackageFetcher;
import dev.donjon.drawbridge.PackageTree;
import dev.donjon.drawbridge.SignedTag;
import dev.donjon.host.protocol.PackageReference;
import dev.donjon.host.protocol.ProtocolException;
import dev.donjon.host.protocol.WorkloadPackage;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Inside the Keep: turns a sealed {@link PackageReference} into the workload by fetching it with donjon-drawbridge's
 * {@link PackageFetcher}, which checks the tag, every tree node's digest and length, and the size caps (main.wasm
 * 100 MiB, other files 1 MiB) before anything runs. The host that relays the bytes cannot change them unnoticed.
 * With a Steward certificate ({@link KeepTlsIdentity}) the Keep presents it to the registry (mTLS), so private
 * repositories open to attested Keeps only. With tag keys in the reference, the tag must carry a valid signature by one
 * of them (an unsigned tag, one signed by another key, or a broken signature is refused before anything is fetched).
 */
public final class RegistryPackageResolver {

    private final KeepTlsIdentity.Source identity;

    public RegistryPackageResolver(KeepTlsIdentity.Source identity) {
        this.identity = identity;
    }

    /** Fetches and verifies; the message of a failure names what was refused (it travels to the client encrypted). */
    public WorkloadPackage resolve(PackageReference ref) throws WorkloadRunner.WorkloadFailedException {
        FetchedPackage fetched;
        try {
            fetched =
                    new PackageFetcher(tlsContext(ref), ref.token(), tagKeys(ref), Optional.empty()).fetch(ref.spec());
        } catch (IOException | RuntimeException e) {
            throw new WorkloadRunner.WorkloadFailedException(
                    "cannot fetch package " + ref.spec() + ": " + withoutSpec(e.getMessage(), ref.spec()));
        }
        if (ref.wasmSha256().isPresent()) {
            String actual = PackageReference.sha256Hex(fetched.wasm());
            if (!actual.equals(ref.wasmSha256().get())) {
                throw new WorkloadRunner.WorkloadFailedException("package " + ref.spec() + ": main.wasm has SHA-256 "
                        + actual + ", not the expected " + ref.wasmSha256().get() + "; refusing to run it");
            }
        }
        for (String name : fetched.files().keySet()) {
            if (!name.equals(PackageTree.WASM) && !name.equals(PackageTree.CONFIG)) {
                throw new WorkloadRunner.WorkloadFailedException("package " + ref.spec() + " has a file " + name
                        + " a Keep does not know what to do with (only main.wasm and Enarx.toml)");
            }
        }
        WorkloadPackage pkg = new WorkloadPackage(fetched.wasm(), fetched.config(), Map.of());
        try {
            pkg.validate();
        } catch (ProtocolException e) {
            throw new WorkloadRunner.WorkloadFailedException("package " + ref.spec() + ": " + e.getMessage());
        }
        return pkg;
    }

    /** The publisher keys the tag must be signed by (none: any tag, signed or not); validated when the reference was decoded. */
    private static List<ECPublicKey> tagKeys(PackageReference ref) {
        return ref.tagKeys().stream().map(SignedTag::publisherKey).toList();
    }

    /** The fetchers start some messages with the reference itself; said once is enough. */
    private static String withoutSpec(String message, String spec) {
        String prefix = spec + ": ";
        return message != null && message.startsWith(prefix)
                ? message.substring(prefix.length())
                : String.valueOf(message);
    }

    /** Trusts the owner's registry CAs (else the JDK's), and presents the Keep's certificate when it has one. */
    private SSLContext tlsContext(PackageReference ref) throws WorkloadRunner.WorkloadFailedException {
        List<X509Certificate> trusted = RegistryEnrollment.certificates(ref.registryCas(), "a registry CA");
        return Tls.context(identity.get().map(id -> new Tls.Identity(id.key(), id.chain())), Tls.anchors(trusted));
    }
}
