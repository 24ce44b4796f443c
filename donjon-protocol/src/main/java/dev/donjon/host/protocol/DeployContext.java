package dev.donjon.host.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The HPKE {@code info} and {@code aad} of one deployment. Both bind the Keep id and the client's nonce, so a package
 * sealed for one Keep (or one attempt) cannot be opened by another even if the same key were ever reused, and the
 * exported output keys are unique to this pairing.
 */
public record DeployContext(String keepId, byte[] nonce) {

    private static final byte[] INFO_LABEL = "donjon-deploy-v1 info".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AAD_LABEL = "donjon-deploy-v1 package".getBytes(StandardCharsets.US_ASCII);

    public DeployContext {
        if (keepId == null || keepId.isEmpty()) throw new IllegalArgumentException("keep id is empty");
        if (nonce == null || nonce.length != KeepBinding.NONCE_BYTES) {
            throw new IllegalArgumentException("nonce must be " + KeepBinding.NONCE_BYTES + " bytes");
        }
        nonce = nonce.clone();
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    byte[] info() {
        return bind(INFO_LABEL);
    }

    byte[] aad() {
        return bind(AAD_LABEL);
    }

    private byte[] bind(byte[] label) {
        byte[] id = keepId.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(label);
        out.writeBytes(Bytes.u16(id.length));
        out.writeBytes(id);
        out.writeBytes(Bytes.u16(nonce.length));
        out.writeBytes(nonce);
        return out.toByteArray();
    }
}
