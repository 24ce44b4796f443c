package dev.donjon.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.donjon.platform.PlatformSelector.Requirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlatformSelectorTest {

    /** A backend whose usability the test decides. */
    record Fake(Backend backend, boolean usable) implements Platform {
        @Override
        public PlatformInfo info() {
            return new PlatformInfo(
                    backend,
                    usable,
                    backend == Backend.SIM,
                    List.of(new Check("device", usable, usable ? "present" : backend + " device absent", List.of())));
        }

        @Override
        public Evidence attest(byte[] reportData) {
            throw new UnsupportedOperationException();
        }
    }

    private static PlatformSelector machine(Backend... usable) {
        List<Platform> all = new ArrayList<>();
        for (Backend b : Backend.values())
            all.add(new Fake(
                    b, b == Backend.NIL || b == Backend.SIM || List.of(usable).contains(b)));
        return new PlatformSelector(all);
    }

    private static final Map<String, String> NO_ENV = Map.of();

    @Test
    void autoPicksTheFirstUsableOfSgxSnpTdx() throws Exception {
        assertEquals(
                Backend.SGX,
                machine(Backend.TDX, Backend.SGX, Backend.SNP)
                        .select(Optional.empty(), NO_ENV, Requirement.TEE)
                        .platform()
                        .backend());
        assertEquals(
                Backend.SNP,
                machine(Backend.TDX, Backend.SNP)
                        .select(Optional.empty(), NO_ENV, Requirement.TEE)
                        .platform()
                        .backend());
        assertEquals(
                Backend.TDX,
                machine(Backend.TDX)
                        .select(Optional.empty(), NO_ENV, Requirement.LOCAL_RUN)
                        .platform()
                        .backend());
    }

    @Test
    void autoFallsBackToNilForLocalRunOnlyAndNeverToSim() throws Exception {
        PlatformSelector.Selection s = machine().select(Optional.empty(), NO_ENV, Requirement.LOCAL_RUN);
        assertEquals(Backend.NIL, s.platform().backend());
        assertTrue(s.insecure());
        assertTrue(s.why().contains("sgx: device: sgx device absent"), s.why());
        for (Requirement r : List.of(Requirement.TEE, Requirement.TEE_OR_NAMED_INSECURE)) {
            PlatformException e =
                    assertThrows(PlatformException.class, () -> machine().select(Optional.empty(), NO_ENV, r));
            assertTrue(e.getMessage().startsWith("no TEE is usable on this machine"), e.getMessage());
        }
    }

    @Test
    void namedBackendIsUsedOrRefusedNeverReplaced() throws Exception {
        assertEquals(
                Backend.SIM,
                machine(Backend.SGX)
                        .select(Optional.of("sim"), NO_ENV, Requirement.LOCAL_RUN)
                        .platform()
                        .backend());
        assertEquals(
                Backend.NIL,
                machine(Backend.SGX)
                        .select(Optional.of("NIL"), NO_ENV, Requirement.LOCAL_RUN)
                        .platform()
                        .backend());
        PlatformException e = assertThrows(
                PlatformException.class,
                () -> machine(Backend.SGX).select(Optional.of("snp"), NO_ENV, Requirement.LOCAL_RUN));
        assertEquals("backend 'snp' (from --backend) is not usable here: device: snp device absent", e.getMessage());
        e = assertThrows(
                PlatformException.class, () -> machine().select(Optional.of("quantum"), NO_ENV, Requirement.LOCAL_RUN));
        assertTrue(e.getMessage().startsWith("unknown backend 'quantum'"), e.getMessage());
    }

    /** Enarx's names: kvm (a VM without a TEE) is nil, sev is snp; the selection says which name was used. */
    @Test
    void enarxNamesMapToDonjonsBackends() throws Exception {
        var kvm = machine(Backend.SGX).select(Optional.of("kvm"), NO_ENV, Requirement.LOCAL_RUN);
        assertEquals(Backend.NIL, kvm.platform().backend());
        assertEquals("named by --backend as Enarx's 'kvm'", kvm.why());
        assertEquals(
                Backend.SNP,
                machine(Backend.SNP)
                        .select(Optional.empty(), Map.of(PlatformSelector.ENVIRONMENT_VARIABLE, "sev"), Requirement.TEE)
                        .platform()
                        .backend());
        PlatformException e = assertThrows(
                PlatformException.class,
                () -> machine(Backend.SGX).select(Optional.of("sev"), NO_ENV, Requirement.LOCAL_RUN));
        assertEquals(
                "backend 'snp' (Enarx's 'sev') (from --backend) is not usable here: device: snp device absent",
                e.getMessage());
        assertThrows(PlatformException.class, () -> machine().select(Optional.of("kvm"), NO_ENV, Requirement.TEE));
    }

    @Test
    void optionWinsOverEnvironment() throws Exception {
        Map<String, String> env = Map.of(PlatformSelector.ENVIRONMENT_VARIABLE, "sim");
        assertEquals(
                Backend.SIM,
                machine()
                        .select(Optional.empty(), env, Requirement.LOCAL_RUN)
                        .platform()
                        .backend());
        assertEquals(
                Backend.NIL,
                machine()
                        .select(Optional.of("nil"), env, Requirement.LOCAL_RUN)
                        .platform()
                        .backend());
        assertEquals(
                "named by ENARX_BACKEND",
                machine().select(Optional.empty(), env, Requirement.LOCAL_RUN).why());
        assertEquals(
                Backend.NIL,
                machine()
                        .select(
                                Optional.empty(),
                                Map.of(PlatformSelector.ENVIRONMENT_VARIABLE, " "),
                                Requirement.LOCAL_RUN)
                        .platform()
                        .backend());
    }

    @Test
    void teeRequirementRefusesNilAndSimEvenWhenNamed() throws Exception {
        for (String name : List.of("nil", "sim")) {
            PlatformException e = assertThrows(
                    PlatformException.class,
                    () -> machine(Backend.SNP).select(Optional.of(name), NO_ENV, Requirement.TEE));
            assertTrue(e.getMessage().contains("is not a hardware TEE"), e.getMessage());
            e = assertThrows(
                    PlatformException.class,
                    () -> machine(Backend.SNP)
                            .select(Optional.empty(), Map.of("ENARX_BACKEND", name), Requirement.TEE));
            assertTrue(e.getMessage().contains("from ENARX_BACKEND"), e.getMessage());
        }
        PlatformSelector.Selection s = machine().select(Optional.of("sim"), NO_ENV, Requirement.TEE_OR_NAMED_INSECURE);
        assertEquals(Backend.SIM, s.platform().backend());
        assertTrue(s.insecure());
        assertFalse(machine(Backend.SNP)
                .select(Optional.of("snp"), NO_ENV, Requirement.TEE)
                .insecure());
    }

    @Test
    void firstFailureIsTheDeepestFailingCheck() {
        PlatformInfo info = new PlatformInfo(
                Backend.SNP,
                false,
                false,
                List.of(
                        Check.pass("cpu", "AuthenticAMD"),
                        Check.pass(
                                "configfs-tsm",
                                "/sys/kernel/config/tsm/report",
                                Check.fail("provider", "tdx_guest, not sev_guest")),
                        Check.fail("/dev/sev-guest", "absent")));
        assertEquals("provider: tdx_guest, not sev_guest", PlatformSelector.firstFailure(info));
    }
}
