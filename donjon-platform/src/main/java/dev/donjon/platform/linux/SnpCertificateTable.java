package dev.donjon.platform.linux;

import dev.donjon.platform.PlatformException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The certificate table the host hands an SNP guest (GHCB specification, "SNP Extended Guest Request"; configfs-tsm
 * {@code auxblob}): entries {GUID[16], offset u32 LE, length u32 LE} ended by an all-zero entry, offsets from the
 * table's start. GUIDs are accepted in RFC 4122 and in mixed-endian byte order, since both occur.
 *
 * @param vcek    DER of the VCEK entry, if the host supplied one
 * @param caCerts DER of the ASK and ARK entries (ASK first)
 */
record SnpCertificateTable(Optional<byte[]> vcek, List<byte[]> caCerts) {

    private static final int ENTRY = 24;
    private static final UUID ARK = UUID.fromString("c0b406a4-a803-4952-9743-3fb6014cd0ae");
    private static final UUID ASK = UUID.fromString("4ab7b379-bbac-4fe4-a02f-05aef327c782");
    private static final UUID VCEK = UUID.fromString("63da758d-e664-4564-adc5-f4b93be8accd");

    static SnpCertificateTable parse(byte[] table) throws PlatformException {
        ByteBuffer b = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        Optional<byte[]> vcek = Optional.empty();
        byte[] ask = null;
        byte[] ark = null;
        for (int at = 0; ; at += ENTRY) {
            if (at + ENTRY > table.length) throw new PlatformException("SNP certificate table (auxblob) has no terminating entry");
            byte[] guid = Arrays.copyOfRange(table, at, at + 16);
            long offset = Integer.toUnsignedLong(b.getInt(at + 16));
            long length = Integer.toUnsignedLong(b.getInt(at + 20));
            if (allZero(guid)) break;
            if (length == 0 || offset + length > table.length) {
                throw new PlatformException("SNP certificate table entry " + at / ENTRY + " points outside the table");
            }
            byte[] body = Arrays.copyOfRange(table, (int) offset, (int) (offset + length));
            UUID id = known(guid);
            if (VCEK.equals(id)) vcek = Optional.of(body);
            else if (ASK.equals(id)) ask = body;
            else if (ARK.equals(id)) ark = body;
            // other entries (VLEK, hypervisor blobs) are not used by an Enarx-compatible CSR
        }
        List<byte[]> cas = new ArrayList<>();
        if (ask != null) cas.add(ask);
        if (ark != null) cas.add(ark);
        return new SnpCertificateTable(vcek, cas);
    }

    private static UUID known(byte[] g) {
        UUID rfc = uuid(g);
        if (rfc.equals(ARK) || rfc.equals(ASK) || rfc.equals(VCEK)) return rfc;
        byte[] s = g.clone();
        swap(s, 0, 3); swap(s, 1, 2); swap(s, 4, 5); swap(s, 6, 7);
        return uuid(s);
    }

    private static UUID uuid(byte[] g) {
        ByteBuffer b = ByteBuffer.wrap(g);
        return new UUID(b.getLong(), b.getLong());
    }

    private static void swap(byte[] a, int i, int j) { byte t = a[i]; a[i] = a[j]; a[j] = t; }

    private static boolean allZero(byte[] a) {
        for (byte x : a) if (x != 0) return false;
        return true;
    }
}
