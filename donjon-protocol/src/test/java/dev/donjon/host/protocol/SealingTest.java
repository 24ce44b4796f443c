package dev.donjon.host.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SealingTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    private static byte[] nonce() {
        byte[] n = new byte[KeepBinding.NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    private static WorkloadPackage workload() {
        return new WorkloadPackage(
                new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0, 42},
                Optional.of("args = [\"x\"]\n".getBytes(StandardCharsets.UTF_8)),
                Map.of("API_TOKEN", "s3cr3t-value".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void keepOpensWhatTheClientSealedAndOutputFlowsBack() throws Exception {
        DeployContext ctx = new DeployContext("keep-1", nonce());
        KeepSession keep = new KeepSession(ctx);
        ClientSession client = ClientSession.start(keep.publicKey(), ctx);
        SealedPackage sealed = SealedPackage.decode(client.seal(workload()).encode());

        KeepSession.Opened opened = keep.open(sealed);
        assertEquals(workload(), opened.workload());

        byte[] a = opened.output().seal(new OutputFrame.Stdout("hi\n".getBytes(StandardCharsets.UTF_8)));
        byte[] b = opened.output().seal(new OutputFrame.Stderr("warn\n".getBytes(StandardCharsets.UTF_8)));
        byte[] c = opened.output().seal(new OutputFrame.Exit(7));
        assertArrayEquals(
                "hi\n".getBytes(StandardCharsets.UTF_8),
                ((OutputFrame.Stdout) client.output().open(a)).data());
        assertArrayEquals(
                "warn\n".getBytes(StandardCharsets.UTF_8),
                ((OutputFrame.Stderr) client.output().open(b)).data());
        assertEquals(new OutputFrame.Exit(7), client.output().open(c));
        assertTrue(client.output().ended());
    }

    @Test
    void theSameCiphertextTwiceIsRefused() throws Exception {
        DeployContext ctx = new DeployContext("keep-1", nonce());
        KeepSession keep = new KeepSession(ctx);
        SealedPackage sealed = ClientSession.start(keep.publicKey(), ctx).seal(workload());
        keep.open(sealed);
        ProtocolException e = assertThrows(ProtocolException.class, () -> keep.open(sealed));
        assertTrue(e.getMessage().contains("replay"), e.getMessage());
    }

    @Test
    void ciphertextForAnotherKeepIsRefused() throws Exception {
        byte[] n = nonce();
        KeepSession keepA = new KeepSession(new DeployContext("keep-a", n));
        KeepSession keepB = new KeepSession(new DeployContext("keep-b", n));
        SealedPackage forA =
                ClientSession.start(keepA.publicKey(), keepA.context()).seal(workload());
        ProtocolException e = assertThrows(ProtocolException.class, () -> keepB.open(forA));
        assertTrue(e.getMessage().contains("not sealed for this Keep"), e.getMessage());
    }

    @Test
    void theKeepIdAndNonceAreBoundEvenUnderTheRightKey() throws Exception {
        byte[] n = nonce();
        KeepSession keep = new KeepSession(new DeployContext("keep-a", n));
        // a client tricked into the wrong id (or nonce) for this key produces a package the Keep refuses
        SealedPackage wrongId = ClientSession.start(keep.publicKey(), new DeployContext("keep-b", n))
                .seal(workload());
        assertThrows(ProtocolException.class, () -> keep.open(wrongId));
        KeepSession keep2 = new KeepSession(new DeployContext("keep-a", n));
        SealedPackage wrongNonce = ClientSession.start(keep2.publicKey(), new DeployContext("keep-a", nonce()))
                .seal(workload());
        assertThrows(ProtocolException.class, () -> keep2.open(wrongNonce));
    }

    @Test
    void anyFlippedCiphertextByteIsRefused() throws Exception {
        for (int i : new int[] {0, 50, 200}) {
            DeployContext ctx = new DeployContext("keep-1", nonce());
            KeepSession keep = new KeepSession(ctx);
            SealedPackage sealed = ClientSession.start(keep.publicKey(), ctx).seal(workload());
            byte[] ct = sealed.ciphertext().clone();
            ct[i % ct.length] ^= 1;
            assertThrows(ProtocolException.class, () -> keep.open(new SealedPackage(sealed.encapsulatedKey(), ct)));
        }
    }

    @Test
    void outputChunksCannotBeReorderedDroppedOrReadByAnotherSession() throws Exception {
        DeployContext ctx = new DeployContext("keep-1", nonce());
        KeepSession keep = new KeepSession(ctx);
        ClientSession client = ClientSession.start(keep.publicKey(), ctx);
        OutputCipher out = keep.open(client.seal(workload())).output();
        byte[] first = out.seal(new OutputFrame.Stdout(new byte[] {1}));
        byte[] second = out.seal(new OutputFrame.Stdout(new byte[] {2}));
        assertThrows(ProtocolException.class, () -> client.output().open(second));

        DeployContext ctx2 = new DeployContext("keep-2", nonce());
        KeepSession other = new KeepSession(ctx2);
        ClientSession otherClient = ClientSession.start(other.publicKey(), ctx2);
        other.open(otherClient.seal(workload()));
        assertThrows(ProtocolException.class, () -> otherClient.output().open(first));
    }

    @Test
    void inputChunksCannotBeReorderedDroppedPassedOffAsOutputOrReadByAnotherSession() throws Exception {
        DeployContext ctx = new DeployContext("keep-1", nonce());
        KeepSession keep = new KeepSession(ctx);
        ClientSession client = ClientSession.start(keep.publicKey(), ctx);
        KeepSession.Opened opened = keep.open(client.seal(workload()));
        byte[] first = client.input().seal(new InputFrame.Data(new byte[] {1}));
        byte[] second = client.input().seal(new InputFrame.Data(new byte[] {2}));
        byte[] end = client.input().seal(new InputFrame.End());
        assertThrows(ProtocolException.class, () -> opened.input().open(second), "reordered or dropped");
        // the same key material, the other direction: an output chunk is no input chunk (and the other way round)
        assertThrows(
                ProtocolException.class,
                () -> opened.input().open(opened.output().seal(new OutputFrame.Stdout(new byte[] {1}))));
        assertThrows(ProtocolException.class, () -> client.output().open(first));
        assertEquals(
                new InputFrame.Data(new byte[] {1}).encode().length,
                opened.input().open(first).encode().length);
        assertInstanceOf(InputFrame.Data.class, opened.input().open(second));
        assertInstanceOf(InputFrame.End.class, opened.input().open(end));
        assertTrue(opened.input().ended());
        assertThrows(ProtocolException.class, () -> opened.input().open(end), "nothing after the end");
        assertThrows(IllegalStateException.class, () -> client.input().seal(new InputFrame.Data(new byte[] {3})));

        DeployContext ctx2 = new DeployContext("keep-2", nonce());
        KeepSession other = new KeepSession(ctx2);
        ClientSession otherClient = ClientSession.start(other.publicKey(), ctx2);
        KeepSession.Opened otherOpened = other.open(otherClient.seal(workload()));
        assertThrows(ProtocolException.class, () -> otherOpened.input().open(first));
    }

    @Test
    void inputFramesAreStrict() {
        assertThrows(ProtocolException.class, () -> InputFrame.decode(new byte[0]));
        assertThrows(ProtocolException.class, () -> InputFrame.decode(new byte[] {2, 0}));
        assertThrows(ProtocolException.class, () -> InputFrame.decode(new byte[] {3}));
        byte[] tooLarge = new byte[InputFrame.MAX_DATA + 2];
        tooLarge[0] = 1;
        assertThrows(ProtocolException.class, () -> InputFrame.decode(tooLarge));
    }

    @Test
    void nothingIsAcceptedAfterTheEndFrame() throws Exception {
        DeployContext ctx = new DeployContext("keep-1", nonce());
        KeepSession keep = new KeepSession(ctx);
        ClientSession client = ClientSession.start(keep.publicKey(), ctx);
        OutputCipher out = keep.open(client.seal(workload())).output();
        client.output().open(out.seal(new OutputFrame.Failed("guest trapped")));
        assertThrows(IllegalStateException.class, () -> out.seal(new OutputFrame.Stdout(new byte[] {1})));
        assertThrows(ProtocolException.class, () -> client.output().open(new byte[32]));
    }

    @Test
    void bindingDependsOnKeyAndNonce() {
        byte[] n = nonce();
        byte[] k = new byte[97];
        byte[] base = KeepBinding.reportData(k, n);
        assertEquals(64, base.length);
        byte[] k2 = k.clone();
        k2[5] = 1;
        byte[] n2 = n.clone();
        n2[0] ^= 1;
        assertTrue(!java.util.Arrays.equals(base, KeepBinding.reportData(k2, n)));
        assertTrue(!java.util.Arrays.equals(base, KeepBinding.reportData(k, n2)));
    }

    @Test
    void offerRoundTripsAndRefusesGarbage() throws Exception {
        KeepOffer offer = new KeepOffer(
                "k1",
                "sim",
                new byte[] {4, 1, 2},
                Optional.of(new KeepEvidence("snp", "snp-report", new byte[] {9, 9}, new byte[] {1})));
        KeepOffer back = KeepOffer.parse(offer.toBytes());
        assertEquals("k1", back.keepId());
        assertArrayEquals(new byte[] {9, 9}, back.evidence().orElseThrow().evidence());
        assertInstanceOf(
                ProtocolException.class, assertThrows(ProtocolException.class, () -> KeepOffer.parse("[]".getBytes())));
        assertThrows(ProtocolException.class, () -> KeepOffer.parse("{\"keepId\":\"x\"}".getBytes()));
    }
}
