package dev.donjon.platform.identity;

import dev.donjon.abi.ReportData;
import dev.donjon.abi.csr.KeepCsr;
import dev.donjon.abi.csr.NonceExtension;
import dev.donjon.platform.Backend;
import dev.donjon.platform.Evidence;
import dev.donjon.platform.Platform;
import dev.donjon.platform.PlatformException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Optional;

/**
 * A Keep's attested identity, made inside the Keep: a fresh key pair on the backend's curve, evidence whose report
 * data is the hash of its public key, and the CSR that carries both to a Steward.
 */
public record KeepIdentity(Backend backend, KeyPair keyPair, Evidence evidence, byte[] csr) {

    public static KeepIdentity create(
            Platform platform, CachedCollateral collateral, org.bouncycastle.asn1.x509.Extension... more)
            throws PlatformException {
        return create(platform, collateral, Optional.empty(), more);
    }

    /**
     * As above; with a Steward's nonce, the report data binds it beside the key and the CSR carries it
     * ({@link NonceExtension}), so that the Steward can tell this evidence is fresh and certify it once.
     */
    public static KeepIdentity create(
            Platform platform,
            CachedCollateral collateral,
            Optional<byte[]> stewardNonce,
            org.bouncycastle.asn1.x509.Extension... more)
            throws PlatformException {
        Backend backend = platform.backend();
        KeyPair keys = newKeyPair(backend);
        Evidence evidence = platform.attest(ReportData.ofPublicKey(
                backend.reportDataHash(), keys.getPublic().getEncoded(), stewardNonce));
        org.bouncycastle.asn1.x509.Extension[] all = more;
        if (stewardNonce.isPresent()) {
            all = java.util.Arrays.copyOf(more, more.length + 1);
            all[more.length] = NonceExtension.encode(stewardNonce.get());
        }
        byte[] csr;
        try {
            csr = KeepCsr.build(keys, collateral.evidenceExtension(evidence).toExtension(), all);
        } catch (GeneralSecurityException e) {
            throw new PlatformException(e.getMessage(), e);
        }
        return new KeepIdentity(backend, keys, evidence, csr);
    }

    /**
     * Evidence for a deployment: its report data binds {@code publicKey} (any encoding, e.g. a raw HPKE key) and the
     * client's nonce (see {@link ReportData#forDeployment}).
     */
    public static Evidence attestKeyForNonce(Platform platform, byte[] publicKey, byte[] nonce)
            throws PlatformException {
        return platform.attest(ReportData.forDeployment(publicKey, nonce));
    }

    /** P-384 for snp and sim, P-256 otherwise (the curves Enarx Keeps use). */
    public static KeyPair newKeyPair(Backend backend) throws PlatformException {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(backend.curve()));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new PlatformException("cannot make a " + backend.curve() + " key pair: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "KeepIdentity[" + backend + ", " + keyPair.getPublic().getAlgorithm() + " key, CSR " + csr.length
                + " bytes]";
    }
}
