package dev.donjon.collateral;

import dev.donjon.attestation.IntelCollateral;

/** Where an appraiser of SGX and TDX quotes gets the collateral a quote needs (the cache, in practice). */
@FunctionalInterface
public interface QuoteCollateral {

    /**
     * @return TCB Info, QE Identity, PCK CRL and root CRL for the quote's TEE, FMSPC and PCK CA, each verified and valid now
     * @throws CollateralUnavailableException one line naming the missing or stale piece
     */
    IntelCollateral.Files forQuote(byte[] quote) throws CollateralUnavailableException;
}
