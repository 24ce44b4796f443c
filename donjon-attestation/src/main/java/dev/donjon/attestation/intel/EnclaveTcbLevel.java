package dev.donjon.attestation.intel;

import dev.donjon.attestation.TcbStatus;
import java.util.List;

/** One TCB level of an enclave or TDX-module identity: judged by a single ISV SVN. */
record EnclaveTcbLevel(int isvSvn, TcbStatus status, List<String> advisoryIds) {
    EnclaveTcbLevel {
        advisoryIds = List.copyOf(advisoryIds);
    }
}
