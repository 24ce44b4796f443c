package dev.donjon.platform.linux;

import dev.donjon.abi.FormatException;
import dev.donjon.abi.snp.CertificateTable;
import dev.donjon.platform.PlatformException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an Enarx-compatible CSR takes from the certificate table the host hands an SNP guest (read by donjon-abi's
 * {@link CertificateTable}): the VCEK, and the ASK and ARK. Other entries (VLEK, hypervisor blobs) are not used.
 *
 * @param vcek    DER of the VCEK entry, if the host supplied one
 * @param caCerts DER of the ASK and ARK entries (ASK first)
 */
record SnpCertificateTable(Optional<byte[]> vcek, List<byte[]> caCerts) {

    static SnpCertificateTable parse(byte[] table) throws PlatformException {
        CertificateTable t;
        try {
            t = CertificateTable.parse(table);
        } catch (FormatException e) {
            throw new PlatformException(e);
        }
        List<byte[]> cas = new ArrayList<>();
        t.get(CertificateTable.ASK).ifPresent(cas::add);
        t.get(CertificateTable.ARK).ifPresent(cas::add);
        return new SnpCertificateTable(t.get(CertificateTable.VCEK), cas);
    }
}
