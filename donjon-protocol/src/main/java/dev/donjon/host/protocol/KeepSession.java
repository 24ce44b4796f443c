package dev.donjon.host.protocol;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKEContext;

/**
 * The Keep's half of one deployment: an ephemeral key pair made for one client nonce, which opens exactly one
 * package. The key never leaves this object; a second package (a replay, even of the same bytes) is refused, and the
 * private key is dropped once used.
 */
public final class KeepSession {

    /**
     * What opening yields: the workload (or a reference to fetch it), the channel to encrypt its output back to the
     * client, and the channel the client sends the guest's stdin on.
     */
    public record Opened(Delivery delivery, OutputCipher output, InputCipher input) {
        /** The workload when it was delivered itself (not by reference). */
        public WorkloadPackage workload() {
            if (delivery instanceof WorkloadPackage p) return p;
            throw new IllegalStateException("the package was delivered by reference; resolve it first");
        }
    }

    private final DeployContext context;
    private final byte[] publicKey;
    private final AtomicBoolean used = new AtomicBoolean();
    private volatile AsymmetricCipherKeyPair keyPair;

    public KeepSession(DeployContext context) {
        this.context = context;
        this.keyPair = DeploySuite.newKeyPair();
        this.publicKey = DeploySuite.encodePublicKey(keyPair);
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The report data the Keep's evidence must carry. */
    public byte[] reportData() {
        return KeepBinding.reportData(publicKey, context.nonce());
    }

    public DeployContext context() {
        return context;
    }

    public Opened open(SealedPackage sealed) throws ProtocolException {
        if (!used.compareAndSet(false, true)) {
            throw new ProtocolException(
                    "this Keep has already received its package; a second one (a replay) is refused");
        }
        AsymmetricCipherKeyPair pair = keyPair;
        keyPair = null;
        HPKEContext hpke;
        byte[] plain;
        try {
            hpke = DeploySuite.hpke().setupBaseR(sealed.encapsulatedKey(), pair, context.info());
            plain = hpke.open(context.aad(), sealed.ciphertext());
        } catch (InvalidCipherTextException | RuntimeException e) {
            throw new ProtocolException(
                    "the package was not sealed for this Keep (HPKE open failed: wrong key, Keep id or nonce, or tampered)");
        }
        try {
            return new Opened(Delivery.decode(plain), new OutputCipher(hpke), new InputCipher(hpke));
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }
}
