package dev.donjon.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Set;

/**
 * Validates OIDC access tokens (JWTs) against one issuer's JWKS: signature (RS256, PS256, ES256, ES384),
 * exact {@code iss}, {@code aud} containing the configured audience, {@code exp} and {@code nbf}, a subject.
 * Scopes come from the space-separated {@code scope} claim.
 */
public final class OidcVerifier {
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    public OidcVerifier(String issuer, String jwks, String audience) throws IOException {
        JWKSource<SecurityContext> keys;
        if (jwks.startsWith("http://") && !URI.create(jwks).getHost().matches("localhost|127\\.0\\.0\\.1|\\[::1]"))
            throw new IOException("JWKS URL must be https (plain http only on loopback): " + jwks);
        if (jwks.startsWith("https://") || jwks.startsWith("http://")) {
            keys = JWKSourceBuilder.create(URI.create(jwks).toURL()).build();
        } else {
            try {
                keys = new ImmutableJWKSet<>(JWKSet.load(Path.of(jwks).toFile()));
            } catch (ParseException e) {
                throw new IOException("JWKS file " + jwks + " is not a JWK set: " + e.getMessage());
            }
        }
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(
                Set.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.ES256, JWSAlgorithm.ES384), keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                audience, new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp")));
    }

    /** The token's subject, scopes and issuer, or a 401 naming why the token was refused. */
    public Principal.Bearer verify(String token) {
        try {
            JWTClaimsSet claims = processor.process(token, null);
            Object scope = claims.getClaim("scope");
            Set<String> scopes = scope instanceof String s
                    ? Set.copyOf(Arrays.asList(s.trim().split("\\s+")))
                    : Set.of();
            return new Principal.Bearer(claims.getSubject(), scopes, java.util.Optional.ofNullable(claims.getIssuer()));
        } catch (ParseException e) {
            throw ApiError.unauthorized("bearer token is not a JWT");
        } catch (BadJOSEException | JOSEException e) {
            throw ApiError.unauthorized("bearer token refused: " + e.getMessage());
        }
    }
}
