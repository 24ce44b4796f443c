package dev.donjon.host.protocol;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;

/** The client's half of one deployment: seals the package to the attested Keep key, then sends its input and reads its output. */
public final class ClientSession {

    private final DeployContext context;
    private final HPKEContextWithEncapsulation hpke;
    private final OutputCipher output;
    private final InputCipher input;
    private boolean sealed;

    private ClientSession(DeployContext context, HPKEContextWithEncapsulation hpke) {
        this.context = context;
        this.hpke = hpke;
        this.output = new OutputCipher(hpke);
        this.input = new InputCipher(hpke);
    }

    /** Sets up HPKE to {@code keepPublicKey}, which the caller must already have checked against the Keep's evidence. */
    public static ClientSession start(byte[] keepPublicKey, DeployContext context) throws ProtocolException {
        AsymmetricKeyParameter pk = DeploySuite.decodePublicKey(keepPublicKey);
        return new ClientSession(context, DeploySuite.hpke().setupBaseS(pk, context.info()));
    }

    /** Seals the package (or the reference to it); a session seals exactly one. */
    public SealedPackage seal(Delivery pkg) throws ProtocolException {
        if (sealed) throw new IllegalStateException("a session seals one package");
        pkg.validate();
        sealed = true;
        try {
            return new SealedPackage(hpke.getEncapsulation(), hpke.seal(context.aad(), pkg.encode()));
        } catch (InvalidCipherTextException e) {
            throw new ProtocolException("HPKE seal failed: " + e.getMessage(), e);
        }
    }

    /** The decrypting end of the Keep's output stream. */
    public OutputCipher output() {
        return output;
    }

    /** The encrypting end of the guest's stdin. */
    public InputCipher input() {
        return input;
    }

    public DeployContext context() {
        return context;
    }
}
