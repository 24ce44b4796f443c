package dev.donjon.host.protocol;

/**
 * What a client seals to a Keep: the workload itself, or a reference the Keep resolves and fetches on its own (so the
 * host relays neither the workload nor even its name). The first four bytes of the plaintext say which.
 */
public sealed interface Delivery permits WorkloadPackage, PackageReference {

    /** Checks the caps and names before sealing; the message names the offending part. */
    void validate() throws ProtocolException;

    byte[] encode();

    static Delivery decode(byte[] plaintext) throws ProtocolException {
        if (PackageReference.hasMagic(plaintext)) return PackageReference.decode(plaintext);
        return WorkloadPackage.decode(plaintext);
    }
}
