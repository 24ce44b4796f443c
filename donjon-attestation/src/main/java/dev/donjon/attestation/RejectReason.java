package dev.donjon.attestation;

/**
 * Why evidence was rejected, as classes a relying party can act on
 * (the reason classes of ../shared/vectors/README.md, plus POLICY for the validate stage).
 */
public enum RejectReason {
    /** Evidence or endorsement cannot be parsed: wrong sizes, versions or types. */
    MALFORMED("malformed"),
    /** A certificate or CRL does not verify up to the pinned anchor. */
    CHAIN("chain"),
    /** A certificate, CRL, TCB Info or QE Identity is outside its validity window. */
    EXPIRED("expired"),
    /** A chain certificate is listed in a relevant, valid CRL. */
    REVOKED("revoked"),
    /** The report/quote/QE-report/CSR/collateral signature does not verify with an otherwise trusted key. */
    SIGNATURE("signature"),
    /** Two authentic pieces do not belong together (report data vs key, hwID vs chip id, FMSPC, identities). */
    BINDING("binding"),
    /** No TCB level matches, or the final TCB status is Revoked. */
    TCB_LEVEL("tcb-level"),
    /** Authentic evidence that the relying party's policy does not accept. */
    POLICY("policy");

    private final String wireName;

    RejectReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static RejectReason fromWireName(String name) {
        for (RejectReason r : values()) if (r.wireName.equals(name)) return r;
        throw new IllegalArgumentException("unknown reject reason '" + name + "'");
    }
}
