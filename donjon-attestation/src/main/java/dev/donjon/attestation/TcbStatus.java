package dev.donjon.attestation;

/** Intel's TCB statuses (TCB Info / QE Identity levels and the converged result), by their wire names. */
public enum TcbStatus {
    UP_TO_DATE("UpToDate"),
    SW_HARDENING_NEEDED("SWHardeningNeeded"),
    CONFIGURATION_NEEDED("ConfigurationNeeded"),
    CONFIGURATION_AND_SW_HARDENING_NEEDED("ConfigurationAndSWHardeningNeeded"),
    OUT_OF_DATE("OutOfDate"),
    OUT_OF_DATE_CONFIGURATION_NEEDED("OutOfDateConfigurationNeeded"),
    TD_RELAUNCH_ADVISED("TDRelaunchAdvised"),
    TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED("TDRelaunchAdvisedConfigurationNeeded"),
    REVOKED("Revoked");

    private final String wireName;

    TcbStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static TcbStatus fromWireName(String name) {
        for (TcbStatus s : values()) if (s.wireName.equals(name)) return s;
        throw new IllegalArgumentException("unknown TCB status '" + name + "'");
    }
}
