package dev.donjon.wasi.host;

/** Thrown by proc_exit to unwind the guest; engines let it through and report its code. */
public final class ProcExit extends RuntimeException {
    private final int code;

    public ProcExit(int code) {
        super("proc_exit(" + code + ")", null, false, false);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
