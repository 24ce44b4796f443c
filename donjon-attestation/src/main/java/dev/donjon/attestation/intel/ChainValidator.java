package dev.donjon.attestation.intel;

import dev.donjon.attestation.RejectReason;
import dev.donjon.attestation.VerificationException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates certificate chains (leaf first) up to the pinned Intel root and checks them against CRLs.
 * Signature work is memoized per instance: a chain whose signatures verified once (key: SHA-256 of its DER
 * certificates and of the pinned root) is not re-verified, nor is a CRL under the same issuer key, nor a collateral
 * document under the same signing key. Validity windows and CRL freshness/listing are judged against {@code now} on
 * every call, so the cache never extends trust in time.
 */
final class ChainValidator {
    private static final int CAPACITY = 1024;

    private final Map<String, List<X509Certificate>> verifiedChains = lru();
    private final Map<String, X509CRL> verifiedCrls = lru();
    private final Map<String, Boolean> verifiedSignatures = lru();

    private static <V> Map<String, V> lru() {
        return Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > CAPACITY;
            }
        });
    }

    /**
     * @param ders       the chain as carried (leaf first); it must end in a certificate byte-identical to the pinned root
     * @param what       names the chain in errors (e.g. "PCK chain")
     * @return the parsed chain, leaf first, root last
     */
    List<X509Certificate> validate(List<byte[]> ders, byte[] pinnedRootDer, Instant now, String what)
            throws VerificationException {
        String key = digest(ders, pinnedRootDer);
        List<X509Certificate> chain = verifiedChains.get(key);
        if (chain == null) {
            chain = verifySignatures(ders, pinnedRootDer, what);
            verifiedChains.put(key, chain);
        }
        for (X509Certificate c : chain) {
            Instant nb = c.getNotBefore().toInstant();
            Instant na = c.getNotAfter().toInstant();
            if (now.isBefore(nb) || now.isAfter(na)) {
                throw new VerificationException(
                        RejectReason.EXPIRED,
                        what + ": certificate '" + cn(c) + "' is valid " + nb + " .. " + na + ", not at " + now);
            }
        }
        return chain;
    }

    private static List<X509Certificate> verifySignatures(List<byte[]> ders, byte[] pinnedRootDer, String what)
            throws VerificationException {
        if (ders.isEmpty()) throw new VerificationException(RejectReason.CHAIN, what + " is empty");
        List<X509Certificate> chain = new ArrayList<>();
        for (byte[] d : ders) chain.add(Certificates.certificate(d));
        X509Certificate pinned = Certificates.certificate(pinnedRootDer);
        if (!Arrays.equals(ders.getLast(), pinnedRootDer)) {
            X509Certificate last = chain.getLast();
            boolean selfIssued = last.getSubjectX500Principal().equals(last.getIssuerX500Principal());
            if (selfIssued || !last.getIssuerX500Principal().equals(pinned.getSubjectX500Principal())) {
                throw new VerificationException(
                        RejectReason.CHAIN,
                        what + " does not end in the pinned Intel root CA ('" + cn(last) + "' differs)");
            }
            chain.add(pinned);
        }
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            X509Certificate issuer = i + 1 < chain.size() ? chain.get(i + 1) : c;
            if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                throw new VerificationException(
                        RejectReason.CHAIN, what + ": '" + cn(c) + "' is not issued by '" + cn(issuer) + "'");
            }
            if (i + 1 < chain.size() && issuer.getBasicConstraints() < 0) {
                throw new VerificationException(RejectReason.CHAIN, what + ": issuer '" + cn(issuer) + "' is not a CA");
            }
            try {
                c.verify(issuer.getPublicKey());
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new VerificationException(
                        RejectReason.CHAIN,
                        what + ": signature of '" + cn(c) + "' does not verify under '" + cn(issuer) + "'");
            }
        }
        return List.copyOf(chain);
    }

    /**
     * Applies the relevant CRLs (issued by a CA of this chain; others are ignored): each must verify under that CA and
     * be current at now, and must not list a certificate that CA issued in this chain.
     */
    void checkRevocation(List<X509Certificate> chain, List<byte[]> crlBytes, Instant now, String what)
            throws VerificationException {
        for (byte[] raw : crlBytes) {
            X509CRL crl = Certificates.crl(raw);
            for (int i = 1; i < chain.size(); i++) {
                X509Certificate ca = chain.get(i);
                if (!crl.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) continue;
                verifyCrl(crl, raw, ca.getPublicKey(), what);
                Instant thisUpdate = crl.getThisUpdate().toInstant();
                Instant nextUpdate =
                        crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant();
                if (now.isBefore(thisUpdate) || (nextUpdate != null && now.isAfter(nextUpdate))) {
                    throw new VerificationException(
                            RejectReason.EXPIRED,
                            what + ": CRL of '" + cn(ca) + "' is valid " + thisUpdate + " .. " + nextUpdate
                                    + ", not at " + now);
                }
                X509Certificate subject = chain.get(i - 1);
                if (crl.isRevoked(subject)) {
                    throw new VerificationException(
                            RejectReason.REVOKED,
                            what + ": certificate '" + cn(subject) + "' serial "
                                    + subject.getSerialNumber().toString(16) + " is revoked by '" + cn(ca) + "'");
                }
                break;
            }
        }
    }

    private void verifyCrl(X509CRL crl, byte[] raw, PublicKey issuerKey, String what) throws VerificationException {
        String key = digest(List.of(raw), issuerKey.getEncoded());
        if (verifiedCrls.containsKey(key)) return;
        try {
            crl.verify(issuerKey);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new VerificationException(
                    RejectReason.CHAIN,
                    what + ": CRL issued by '" + crl.getIssuerX500Principal().getName()
                            + "' does not verify under its CA");
        }
        verifiedCrls.put(key, crl);
    }

    /**
     * P-256 signature over a collateral document (TCB Info, QE Identity), memoized on success by the SHA-256 of the exact
     * signed bytes, the signature and the key: the same bytes under the same key verify the same way every time, so only
     * the freshness checks (done by the caller against its clock) can change the outcome.
     */
    boolean collateralSignatureVerifies(PublicKey key, byte[] body, byte[] signature) {
        String memo = digest(List.of(body, signature), key.getEncoded());
        if (verifiedSignatures.containsKey(memo)) return true;
        if (!P256.verify(key, body, signature)) return false;
        verifiedSignatures.put(memo, Boolean.TRUE);
        return true;
    }

    static String cn(X509Certificate c) {
        return cn(c.getSubjectX500Principal().getName());
    }

    /** The CN of an RFC 2253 name, or the whole name when it has none. */
    static String cn(String dn) {
        for (String part : dn.split(",")) if (part.startsWith("CN=")) return part.substring(3);
        return dn;
    }

    private static String digest(List<byte[]> parts, byte[] extra) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(intBytes(p.length));
                md.update(p);
            }
            md.update(intBytes(extra.length));
            md.update(extra);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
