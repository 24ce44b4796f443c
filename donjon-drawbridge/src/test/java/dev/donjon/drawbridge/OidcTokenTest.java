package dev.donjon.drawbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.donjon.server.OidcVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OidcTokenTest {
    static final String ISSUER = "https://auth.test.example/";
    static final String AUDIENCE = "https://registry.test.example/";
    static RSAKey key;
    static RSAKey otherKey;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        otherKey = new RSAKeyGenerator(2048).keyID("k1").generate();
    }

    static String token(RSAKey signer, UnaryOperator<JWTClaimsSet.Builder> tweak) throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject("auth0|carol")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(600)))
                .claim("scope", "openid manage:drawbridge_users manage:drawbridge_repositories manage:drawbridge_tags");
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(),
                tweak.apply(claims).build());
        jwt.sign(new RSASSASigner(signer));
        return jwt.serialize();
    }

    @Test
    void validTokensAreAcceptedAndBadOnesRefused() throws Exception {
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
        OidcVerifier oidc = new OidcVerifier(ISSUER, jwks.toString(), AUDIENCE);
        try (RegistryFixture reg = new RegistryFixture(dir, Optional.of(oidc))) {
            reg.client(token(key, b -> b)).registerUser("carol", "auth0|carol");
            reg.client(token(key, b -> b)).registerRepository("carol", "app", false);
            assertTrue(!reg.client(token(key, b -> b))
                    .repositoryInfo("carol", "app")
                    .isPublic());

            Instant past = Instant.now().minusSeconds(3600);
            for (String bad : new String[] {
                token(key, b -> b.expirationTime(Date.from(past))),
                token(key, b -> b.notBeforeTime(Date.from(Instant.now().plusSeconds(3600)))),
                token(key, b -> b.audience("https://elsewhere.example/")),
                token(key, b -> b.issuer("https://evil.example/")),
                token(otherKey, b -> b),
                "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
            }) {
                RegistryException e = assertThrows(
                        RegistryException.class, () -> reg.client(bad).repositoryInfo("carol", "app"));
                assertEquals(401, e.status(), e.getMessage());
            }
            // a valid token without the write scope cannot create repositories
            String readOnly = token(key, b -> b.claim("scope", "read:drawbridge_repositories"));
            assertEquals(
                    403,
                    assertThrows(
                                    RegistryException.class,
                                    () -> reg.client(readOnly).registerRepository("carol", "two", true))
                            .status());
        }
    }
}
