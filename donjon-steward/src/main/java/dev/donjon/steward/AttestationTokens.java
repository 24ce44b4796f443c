package dev.donjon.steward;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Attestation-result tokens for relying parties that prefer a token to a certificate: a JWT shaped as an EAR
 * (IETF draft-ietf-rats-ear, profile {@value #EAR_PROFILE}) signed by the Steward CA key, with the CA certificate in
 * {@code x5c}. The appraisal is in {@code submods.keep}; {@code cnf.jwk} (RFC 7800) is the Keep's CSR key, so the
 * token only vouches for whoever proves possession of that key.
 */
public final class AttestationTokens {

    public static final String EAR_PROFILE = "tag:github.com,2023:veraison/ear";
    public static final String MEDIA_TYPE = "application/eat+jwt; eat_profile=\"" + EAR_PROFILE + "\"";
    /** Tokens are bearer-like: short-lived whatever the certificate validity. */
    public static final Duration LIFETIME = Duration.ofHours(1);

    private final CertificateAuthority ca;
    private final JWSSigner signer;
    private final JWSAlgorithm algorithm;
    private final JWK publicJwk;

    public AttestationTokens(CertificateAuthority ca) {
        this.ca = ca;
        try {
            PublicKey pub = ca.certificate().getPublicKey();
            switch (ca.privateKey()) {
                case ECPrivateKey k -> {
                    int bits = k.getParams().getCurve().getField().getFieldSize();
                    algorithm = bits > 384 ? JWSAlgorithm.ES512 : bits > 256 ? JWSAlgorithm.ES384 : JWSAlgorithm.ES256;
                    signer = new ECDSASigner(k);
                    publicJwk = new ECKey.Builder(
                                    com.nimbusds.jose.jwk.Curve.forECParameterSpec(k.getParams()), (ECPublicKey) pub)
                            .keyID(keyId())
                            .build();
                }
                case java.security.interfaces.RSAPrivateKey k -> {
                    algorithm = JWSAlgorithm.RS256;
                    signer = new RSASSASigner(k);
                    publicJwk = new com.nimbusds.jose.jwk.RSAKey.Builder((java.security.interfaces.RSAPublicKey) pub)
                            .keyID(keyId())
                            .build();
                }
                default ->
                    throw new IllegalArgumentException("tokens need an EC or RSA CA key, not "
                            + ca.privateKey().getAlgorithm());
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign tokens with the CA key: " + e.getMessage(), e);
        }
    }

    /** The CA's public key as a JWK Set, for relying parties that verify tokens without X.509. */
    public String jwks() {
        return new JWKSet(publicJwk).toString();
    }

    private String keyId() {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(ca.certificate().getEncoded());
            return java.util.HexFormat.of().formatHex(d, 0, 8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public String issue(AttestedKeep keep, SubjectPublicKeyInfo keepKey, Instant now) {
        Map<String, Object> appraisal = new LinkedHashMap<>();
        boolean caution = keep.debug()
                || keep.tee().equals("sim")
                || keep.tcbStatus().map(s -> !s.equals("UpToDate")).orElse(false);
        appraisal.put("ear.status", caution ? "warning" : "affirming");
        appraisal.put("ear.appraisal-policy-id", "donjon-steward:policy");
        appraisal.put("donjon.tee", keep.tee());
        appraisal.put("donjon.measurement", keep.measurement());
        keep.signer().ifPresent(s -> appraisal.put("donjon.signer", s));
        appraisal.put("donjon.debug", keep.debug());
        keep.tcbStatus().ifPresent(s -> appraisal.put("donjon.tcb_status", s));
        appraisal.put("donjon.advisories", keep.advisories());
        keep.workload().ifPresent(w -> {
            Map<String, Object> m = new LinkedHashMap<>();
            w.slug().ifPresent(s -> m.put("slug", s));
            w.digest().ifPresent(d -> m.put("digest", d.toString()));
            appraisal.put("donjon.workload", m);
        });
        appraisal.put("donjon.fields", new java.util.TreeMap<>(keep.fields()));
        if (!keep.notes().isEmpty()) appraisal.put("donjon.notes", keep.notes());
        try {
            JWK cnf = keepJwk(keepKey);
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .issuer(ca.certificate().getSubjectX500Principal().getName())
                    .issueTime(Date.from(now))
                    .expirationTime(Date.from(now.plus(LIFETIME)))
                    .jwtID(UUID.randomUUID().toString())
                    .claim("eat_profile", EAR_PROFILE)
                    .claim("ear.verifier-id", Map.of("developer", "dev.donjon", "build", "donjon-steward"))
                    .claim("submods", Map.of("keep", appraisal))
                    .claim("cnf", Map.of("jwk", cnf.toJSONObject()))
                    .build();
            JWSHeader header = new JWSHeader.Builder(algorithm)
                    .keyID(publicJwk.getKeyID())
                    .x509CertChain(List.of(Base64.encode(ca.certificate().getEncoded())))
                    .build();
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException | CertificateEncodingException | java.io.IOException e) {
            throw new IllegalStateException("cannot sign an attestation token: " + e.getMessage(), e);
        }
    }

    private static JWK keepJwk(SubjectPublicKeyInfo spki) throws java.io.IOException, JOSEException {
        PublicKey key = new JcaPEMKeyConverter().getPublicKey(spki);
        return switch (key) {
            case ECPublicKey ec ->
                new ECKey.Builder(com.nimbusds.jose.jwk.Curve.forECParameterSpec(ec.getParams()), ec).build();
            case java.security.interfaces.RSAPublicKey rsa -> new com.nimbusds.jose.jwk.RSAKey.Builder(rsa).build();
            default -> throw new JOSEException("the Keep key type " + key.getAlgorithm() + " has no JWK form here");
        };
    }
}
